"""Forms of the case pages. Every choice of a register row is made among the rows of the
case's compartment (and, for a cell, among its incidents'): an id of another compartment is
"not one of the choices", as for an id that does not exist."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Compartment
from docket.cases import contents, elements
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.lib import ids
from docket.register.models import Act, Event, EvidenceLink, Information, Person, Unit
from docket.vault.describe import describe


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["compartment", "title", "summary"]
        labels = {"compartment": _("Compartment")}
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, compartments: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if compartments is None:  # editing: the compartment stays
            del self.fields["compartment"]
        else:
            field = self.fields["compartment"]
            field.queryset = Compartment.objects.filter(pk__in=compartments).order_by("name")  # type: ignore[attr-defined]
            field.empty_label = None  # type: ignore[attr-defined]


def _link_label(link: EvidenceLink, labels: dict[int, Any]) -> str:
    facts = labels.get(link.item_id)
    shown = facts.label if facts is not None else f"#{link.item_id}"
    span = link.span_text
    return f"{shown}{' ' + span if span else ''}{': ' + link.annotation if link.annotation else ''}"


def link_choices(links: Any) -> list[tuple[int, str]]:
    rows = list(links.order_by("pk"))
    labels = describe([link.item_id for link in rows])
    return [(link.pk, _link_label(link, labels)) for link in rows]


class LinkChoices(forms.ModelMultipleChoiceField):
    """Evidence links, named by their item's title and span."""

    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset, required=False, widget=forms.CheckboxSelectMultiple, **kwargs)
        self.labels: dict[int, Any] = {}

    def label_from_instance(self, obj: Any) -> str:
        if not self.labels:
            self.labels = describe(self.queryset.values_list("item_id", flat=True))  # type: ignore[union-attr]
        return _link_label(obj, self.labels)


def _who(text: str, compartment_id: int) -> Person | Unit | None:
    """ "person:12" or "unit:3" (what the search's choices send) of the compartment."""
    kind, _colon, number = text.partition(":")
    pk = ids.pk(number.strip())
    if pk is None:
        return None
    if kind.strip() == "person":
        return Person.objects.filter(pk=pk, compartment_id=compartment_id).first()
    if kind.strip() == "unit":
        return Unit.objects.filter(pk=pk, compartment_id=compartment_id).first()
    return None


class SuspectForm(forms.Form):
    # Not required in the page: a hit of the search, ticked, fills it in (views.suspect_new).
    who = forms.CharField(
        label=_("Person or unit"), max_length=40, required=False,
        help_text=_('Pick one from the search above, or type "person:ID" or "unit:ID".'),
    )  # fmt: skip
    liability = forms.ChoiceField(label=_("Mode of liability"), choices=Suspect.Liability.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_who(self) -> Person | Unit:
        if not self.cleaned_data["who"].strip():
            raise forms.ValidationError(_("Pick a person or a unit found by the search."))
        found = _who(self.cleaned_data["who"], self.case.compartment_id)
        if found is None:
            raise forms.ValidationError(
                _("No person or unit of this case's compartment has that id.")
            )
        return found


class SuspectEditForm(forms.ModelForm):
    class Meta:
        model = Suspect
        fields = ["liability", "notes", "evidence"]
        labels = {"evidence": _("Evidence of it")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suspect: Suspect = self.instance
        self.fields["evidence"] = LinkChoices(
            contents.suspect_evidence(suspect).order_by("pk"), label=_("Evidence of it"),
            help_text=_(
                "Among the evidence of the acts he is involved in and of their events, of the"
                " person himself and of his postings."
            ),
        )  # fmt: skip


class IncidentsForm(forms.Form):
    events = forms.CharField(
        label=_("Events, by id"), required=False, max_length=500,
        help_text=_("Ids separated by commas or spaces, or tick events found by the search."),
    )  # fmt: skip
    acts = forms.CharField(
        label=_("Acts, by id"), required=False, max_length=500,
        help_text=_("An act alone, without the rest of its event."),
    )  # fmt: skip

    def __init__(self, *args: Any, case: Case, picked: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.case, self.picked = case, picked or []

    def _rows(self, text: str, model: type[Event] | type[Act], extra: list[str]) -> list[Any]:
        words = [w for w in text.replace(",", " ").split() if w] + extra
        read = [ids.pk(w) for w in words]
        numbers = [n for n in read if n is not None]
        if len(numbers) != len(read):
            raise forms.ValidationError(_("Write ids as numbers."))
        rows = list(model.objects.filter(pk__in=numbers, compartment_id=self.case.compartment_id))
        if len(rows) != len(set(numbers)):
            known = {r.pk for r in rows}
            raise forms.ValidationError(
                _("Not of this case's compartment, or no such record: %(ids)s")
                % {"ids": ", ".join(str(n) for n in sorted(set(numbers)) if n not in known)}
            )
        return rows

    def clean_events(self) -> list[Event]:
        return self._rows(self.cleaned_data["events"], Event, self.picked)

    def clean_acts(self) -> list[Act]:
        return self._rows(self.cleaned_data["acts"], Act, [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("events") and not data.get("acts"):
            raise forms.ValidationError(_("Name at least one event or act."))
        return data


class QualificationsForm(forms.Form):
    qualifications = forms.ModelMultipleChoiceField(
        label=_("Legal qualifications"), queryset=contents.qualifications(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["qualifications"]
        field.label_from_instance = lambda term: f"{term.vocabulary} {term.code}: {term.shown}"  # type: ignore[attr-defined]


def element_choices(case: Case) -> list[tuple[str, str]]:
    choices = []
    for term in case.qualifications.order_by("vocabulary", "code"):
        for element in elements.of(term):
            context = " *" if element.contextual else ""
            choices.append(
                (
                    f"{term.pk}:{element.code}",
                    f"{term.shown} · {element.code}{context}: {element.label}",
                )
            )
    return choices


class ActChoices(forms.ModelMultipleChoiceField):
    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset, required=False, widget=forms.CheckboxSelectMultiple, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        what = obj.act_type.shown if obj.act_type else ""
        return f"#{obj.pk} {what} — {obj.victim or _('unknown victim')}"


class AccountChoices(forms.ModelMultipleChoiceField):
    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset, required=False, widget=forms.CheckboxSelectMultiple, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return account(obj)


class CellForm(forms.ModelForm):
    element_key = forms.ChoiceField(label=_("Element"))

    class Meta:
        model = Cell
        fields = ["status", "note", "acts", "evidence", "information"]
        labels = {
            "status": _("Status"), "acts": _("Acts"), "evidence": _("Evidence links"),
            "information": _("Sources' accounts"),
        }  # fmt: skip
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["element_key"].choices = element_choices(case)  # type: ignore[attr-defined]
        self.order_fields(["element_key", "status", "note", "acts", "evidence", "information"])
        self.fields["acts"] = ActChoices(
            contents.acts(case).select_related("act_type", "victim").order_by("start", "pk"),
            label=_("Acts"),
        )
        self.fields["evidence"] = LinkChoices(
            contents.incident_evidence(case).order_by("pk"), label=_("Evidence links")
        )
        self.fields["information"] = AccountChoices(
            contents.information(case)
            .select_related("source", "reliability", "credibility")
            .order_by("pk"),
            label=_("Sources' accounts"),
        )

    def clean_element_key(self) -> tuple[Any, str]:
        term_pk, _colon, code = self.cleaned_data["element_key"].partition(":")
        term = self.case.qualifications.filter(pk=ids.pk(term_pk) or 0).first()
        if term is None or elements.find(term, code) is None:
            raise forms.ValidationError(_("Not an element of this case's qualifications."))
        return term, code


def grading(info: Information) -> str:
    """The Admiralty grading, "B2" ("?" for a part not graded); "" when neither is."""
    if info.reliability is None and info.credibility is None:
        return ""
    reliability = info.reliability.code if info.reliability else "?"
    credibility = info.credibility.code if info.credibility else "?"
    return f"{reliability}{credibility}"


def account(info: Information) -> str:
    source = str(info.source) if info.source else str(_("anonymous source"))
    graded = grading(info)
    shown = _("graded %(grading)s") % {"grading": graded} if graded else _("not graded")
    return f"{source} ({shown}): {info.summary[:120]}"


class VerificationForm(forms.ModelForm):
    class Meta:
        model = Verification
        fields = ["evidence", "step", "method", "result", "details"]
        labels = {"evidence": _("Evidence link")}
        widgets = {"details": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        field.queryset = contents.evidence(case)  # type: ignore[attr-defined]
        field.choices = [("", "—"), *link_choices(contents.evidence(case))]  # type: ignore[attr-defined]
