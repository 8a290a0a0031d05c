"""Forms of the register's pages. Each says exactly what is wrong, field by field."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from docket.accounts import access
from docket.accounts.models import Compartment, User
from docket.lib import zones
from docket.register.models import (
    Act,
    Event,
    Involvement,
    ItemRecord,
    ParentLink,
    Person,
    Place,
    Precision,
    Term,
    Unit,
    tag_list,
)
from docket.register.records import known_person


def terms(vocabulary: str) -> Any:
    return Term.objects.filter(vocabulary=vocabulary, retired=False).order_by("code")


#: Labels of fields that do not name their own, in the language of the page.
LABELS = {
    "compartment": _("Compartment"), "title": _("Title"), "description": _("Description"),
    "start_precision": _("How exact the start is"), "end_precision": _("How exact the end is"),
    "place": _("Place"), "place_detail": _("Where exactly"),
    "violation_status": _("Violation status"), "categories": _("Categories"),
    "confidentiality": _("Confidentiality"), "methods": _("Methods"), "injuries": _("Injuries"),
    "badge_number": _("Badge number"), "confidence": _("Confidence"), "notes": _("Notes"),
    "detained_at": _("Held at"), "victim": _("Victim"), "display_name": _("Name shown"),
    "gender": _("Gender"), "birth_date": _("Date of birth"),
    "birth_precision": _("How exact the date of birth is"), "groups": _("Groups"),
    "other_names": _("Other names"), "identifiers": _("Identifiers"), "name": _("Name"),
    "unit_type": _("Type of unit"), "parent": _("Part of"), "person": _("Person"),
    "rank": _("Rank"), "position": _("Position"), "act": _("Act"), "page": _("Page"),
    "annotation": _("Annotation"), "source": _("Source"), "connection": _("Connection"),
    "reliability": _("Reliability of the source"),
    "credibility": _("Credibility of the information"), "received_on": _("Received on"),
    "commands": _("Commander"),
    "summary": _("Summary"),
}  # fmt: skip


class Labelled:
    """Gives each field without a label of its own its label from LABELS."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in LABELS and (field.label is None or field.label == pretty_name(name)):
                field.label = LABELS[name]
            if isinstance(field, TermChecklist):
                field.group()


class TermChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        depth = obj.code.count(".")
        return ("— " * depth) + obj.shown


class TermChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return ("— " * obj.code.count(".")) + obj.shown


class PlaceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.shown} ({obj.get_kind_display().lower()})"


class LocalDateTime(forms.CharField):
    """A date and time as people write it: without an offset it is the instance's local time
    (DOCKET_TIME_ZONE), with one (`+03:00`, `Z`) it is taken as written; a date alone is its
    local midnight. Shown back in the instance's zone with the offset."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        if isinstance(value, datetime):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            text += " 00:00"
        found = zones.parse(text)
        if found is None:
            raise forms.ValidationError(
                _("Write the date as YYYY-MM-DD or YYYY-MM-DD HH:MM (local time in %(zone)s), "
                  "or add an offset: 2020-08-10T23:40+03:00.")
                % {"zone": zones.instance_zone().key}
            )  # fmt: skip
        return found

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            here = zones.local(value)
            seconds = f":{here:%S}" if here.second else ""
            return f"{here:%Y-%m-%d %H:%M}{seconds} {zones.offset_text(here)}"
        return value


def _local_help() -> str:
    return str(
        _("YYYY-MM-DD or YYYY-MM-DD HH:MM, local time in %(zone)s unless you add an offset")
        % {"zone": zones.instance_zone().key}
    )


class EventForm(Labelled, forms.ModelForm):
    compartment = forms.ModelChoiceField(queryset=Compartment.objects.none())
    place = PlaceChoice(queryset=Place.objects.order_by("kind", "name_en"), required=False)
    violation_status = TermChoice(queryset=terms("violation_status"), required=False)
    categories = TermChoices(
        queryset=terms("violation_category"), required=False, widget=forms.CheckboxSelectMultiple
    )
    start = LocalDateTime(label=_("From"))
    end = LocalDateTime(label=_("Until"), help_text=_("leave empty if unknown"))
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, label=_("Latitude"),
        help_text=_("the spot itself, when the place is not precise enough: pick it on the map"),
    )  # fmt: skip
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, label=_("Longitude")
    )

    class Meta:
        model = Event
        fields = [
            "compartment", "title", "description", "start", "start_precision", "end",
            "end_precision", "place", "place_detail", "latitude", "longitude",
            "violation_status", "categories", "confidentiality",
        ]  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editable = access.compartment_ids(user, "register.edit")
        field = self.fields["compartment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Compartment.objects.filter(pk__in=editable)
        if len(editable) == 1:
            field.initial = next(iter(editable))  # the one compartment the user records in
        if self.instance.pk is not None:
            del self.fields["compartment"]  # moving a record between compartments is not edit
        self.fields["start"].help_text = _local_help()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both the latitude and the longitude, or neither."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        # How exact the end is follows whether there is one: no end, an unknown end; an end
        # given with "unknown" is as exact as the start.
        if not end:
            data["end_precision"] = Precision.UNKNOWN
        elif data.get("end_precision") in (Precision.UNKNOWN, None, ""):
            data["end_precision"] = data.get("start_precision") or Precision.EXACT
        if not start and data.get("start_precision") not in (Precision.UNKNOWN, None, ""):
            self.add_error(
                "start",
                _("Give at least an estimate of the date, or set its precision to Unknown."),
            )
        return data


def unknown_degree() -> Term | None:
    """The "Unknown" degree of involvement (read when a form is made, not at import)."""
    return Term.objects.filter(vocabulary="involvement_degree", code="90").first()


def existing(model: type[Person] | type[Unit], compartment_id: int, name: str) -> bool:
    """Whether the compartment has a person (or unit) of exactly this name, in any case (a
    person's other names count)."""
    tidy = " ".join(name.split())
    if model is Person:
        return known_person(tidy, compartment_id) is not None
    return Unit.objects.filter(compartment_id=compartment_id, name__iexact=tidy).exists()


def ask_if_known(form: forms.Form, field: str, typed: str, compartment_id: int) -> None:
    """A new person whose name may be one the compartment knows: say who, once, before
    saving (an error on `field`, and the name kept in its hidden `FIELD_seen`); sent again
    unchanged, the form goes on to create the person, and the duplicates page lists the pair
    for review."""
    from docket.register import duplicates

    tidy = " ".join(typed.split())
    if form.cleaned_data.get(f"{field}_seen") == tidy:
        return
    alike = duplicates.similar(duplicates.index_of(compartment_id), tidy)
    if not alike:
        return
    people = Person.objects.in_bulk([a.person for a in alike])
    known = format_html_join(
        "; ", '<a href="{}" target="_blank">{}</a> (#{}, {})',
        ((reverse("register:person", args=[a.person]), people[a.person].display_name,
          a.person, f"{a.score:.2f}") for a in alike if a.person in people),
    )  # fmt: skip
    data = form.data.copy()  # type: ignore[attr-defined]
    data[form.add_prefix(f"{field}_seen")] = tidy
    form.data = data
    form.add_error(
        field,
        format_html(
            str(_("May be the same as: {known}. Pick one of them, or send the form again to "
                  "create a new person all the same.")),
            known=known,
        ),
    )  # fmt: skip


class Naming(forms.Form):
    """Fields that name a person or unit pick an existing one (the page offers them as one
    types, through search, in any script); a name the compartment does not know yet makes a
    new record only when its "new" box is ticked, so a typo never invents a person."""

    NAMED: dict[str, type[Person] | type[Unit]] = {
        "victim": Person, "perpetrator": Person, "unit": Unit,
    }  # fmt: skip

    def __init__(self, *args: Any, compartment_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compartment_id = compartment_id
        order = []
        for name in list(self.fields):
            order.append(name)
            if name in self.NAMED:
                kind = "unit" if self.NAMED[name] is Unit else "person"
                self.fields[name].widget.attrs.update(
                    {"list": f"names-{name}", "autocomplete": "off", "data-kind": kind}
                )
                self.fields[f"{name}_new"] = forms.BooleanField(
                    required=False,
                    label=_("It is someone new: create this record")
                    if kind == "person"
                    else _("It is a unit not yet recorded: create it"),
                )
                order.append(f"{name}_new")
                if kind == "person":
                    self.fields[f"{name}_seen"] = forms.CharField(
                        required=False, widget=forms.HiddenInput
                    )
                    order.append(f"{name}_seen")
        self.order_fields(order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.compartment_id is None:
            return data
        for name, model in self.NAMED.items():
            typed = data.get(name)
            if name not in self.fields or not typed:
                continue
            if existing(model, self.compartment_id, typed):
                continue
            if not data.get(f"{name}_new"):
                self.add_error(name, self._unknown(model, typed))
            elif model is Person:
                ask_if_known(self, name, typed, self.compartment_id or 0)
        return data

    def _unknown(self, model: type[Person] | type[Unit], typed: str) -> str:
        from docket.register import search

        kind = "person" if model is Person else "unit"
        hits = search.search(typed, compartments={self.compartment_id or 0}, kinds={kind}, limit=5)
        known = "; ".join(hit.label for hit in hits)
        if known:
            return str(
                _("No record of exactly this name here. Did you mean: %(known)s? Pick one, "
                  "or tick the box below to create a new record.") % {"known": known}
            )  # fmt: skip
        return str(_("No record of this name here yet: tick the box below to create it."))


class TermChecklist(TermChoices):
    """Terms as checkboxes grouped under their parent term (methods under "beating", …)."""

    widget = forms.CheckboxSelectMultiple

    def group(self) -> None:
        """Show the choices in their groups (when a form is made: it reads the terms)."""
        self.widget.choices = self.grouped

    @property
    def grouped(self) -> list[tuple[Any, Any]]:
        terms = list(self.queryset or [])
        roots = [t for t in terms if "." not in t.code]
        groups = []
        for root in roots:
            children = [t for t in terms if t.code.startswith(root.code + ".")]
            if not children:  # a term alone is a checkbox, not a group of one
                groups.append((root.pk, root.shown))
                continue
            groups.append(
                (root.shown, [(root.pk, root.shown)] + [(t.pk, t.shown) for t in children])
            )
        orphans = [t for t in terms if "." in t.code and t.code.split(".")[0] not in
                   {r.code for r in roots}]  # fmt: skip
        if orphans:
            groups.append(("", [(t.pk, t.shown) for t in orphans]))
        return groups


class ActFieldsForm(Naming, Labelled, forms.Form):
    """The act itself: its victim, what was done and how, when and where they were held."""

    victim = forms.CharField(
        max_length=300, required=False,
        help_text=_(
        "Type and pick the person from the list (any spelling, any script finds them). "
        "Leave empty for an unknown victim."
    ),
    )  # fmt: skip
    act_type = TermChoice(queryset=terms("act_type"), label=_("What was done"))
    methods = TermChecklist(queryset=terms("method"), required=False)
    injuries = TermChecklist(queryset=terms("injury"), required=False)
    start = LocalDateTime(
        label=_("When"),
        help_text=_("within the event; the event's time to start with; local time unless you "
                    "add an offset"),
    )  # fmt: skip
    detained_at = PlaceChoice(
        queryset=Place.objects.filter(kind=Place.Kind.FACILITY), required=False,
        help_text=_("for deprivation of liberty"),
    )  # fmt: skip
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InvolvementForm(Naming, Labelled, forms.Form):
    """Who did it: a person, a unit or both, how they were involved and how sure that is."""

    perpetrator = forms.CharField(
        max_length=300, required=False, label=_("Perpetrator (person)"),
        help_text=_("Type and pick the person, or leave empty and give a unit."),
    )  # fmt: skip
    badge_number = forms.CharField(max_length=50, required=False)
    unit = forms.CharField(
        max_length=300, required=False, label=_("Perpetrator (unit)"),
        help_text=_("For example: ОМОН ГУВД Мингорисполкома"),
    )  # fmt: skip
    degree = TermChoice(
        queryset=terms("involvement_degree"), required=False, label=_("Degree of involvement")
    )
    confidence = forms.ChoiceField(
        choices=Involvement.Confidence.choices, initial=Involvement.Confidence.ALLEGED
    )
    #: Whether a person or a unit must be named (adding one to an act, not the act's own form).
    required_who = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Unknown" until the documenter knows better, so a form is never refused for it.
        self.fields["degree"].initial = unknown_degree()

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data  # the checks of the names themselves come after these
        named = data.get("perpetrator") or data.get("unit")
        if self.required_who and not named:
            self.add_error("perpetrator", _("Name a person, a unit or both."))
        if named and not data.get("degree"):
            self.add_error("degree", _("Say how the perpetrator was involved (or choose Unknown)."))
        if data.get("degree") and data["degree"] != unknown_degree() and not named:
            self.add_error(
                "perpetrator", _("Name a person or a unit for this degree of involvement.")
            )
        if data.get("badge_number") and not data.get("perpetrator"):
            self.add_error("badge_number", _("A badge number belongs to a person: name them too."))
        return super().clean() or {}


class ActForm(ActFieldsForm, InvolvementForm):
    """Who did what to whom, in one form: the act, its victim and (optionally) a perpetrator."""

    field_order = [
        "victim", "act_type", "methods", "injuries", "start", "detained_at", "perpetrator",
        "badge_number", "unit", "degree", "confidence", "notes",
    ]  # fmt: skip


class OneInvolvementForm(InvolvementForm):
    """A perpetrator added to an act, or one of its perpetrators corrected."""

    required_who = True
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


CYRILLIC = re.compile("[\u0400-\u04ff]")


class PersonForm(Labelled, forms.ModelForm):
    """A person with all their names and identifiers, one per line."""

    groups = TermChoices(
        queryset=terms("victim_group"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_names = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_(
        "One per line, with its language after a bar: Аляксандр Іваноў | be. "
        "Search finds every spelling."
    ),
    )  # fmt: skip
    identifiers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line, kind and value: badge number: 0417"),
    )  # fmt: skip

    class Meta:
        model = Person
        fields = [
            "display_name", "gender", "birth_date", "birth_precision", "groups", "notes",
            "confidentiality",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.instance
        if person.pk is not None:
            self.fields["other_names"].initial = "\n".join(
                f"{n.name} | {n.language}" if n.language else n.name for n in person.names.all()
            )
            self.fields["identifiers"].initial = "\n".join(
                f"{i.kind}: {i.value}" for i in person.identifiers.all()
            )

    def clean_other_names(self) -> list[tuple[str, str, str]]:
        names = []
        for number, line in enumerate(self.cleaned_data["other_names"].splitlines(), 1):
            name, _bar, language = (part.strip() for part in line.partition("|"))
            if not name:
                continue
            if len(name) > 300 or len(language) > 8:
                raise forms.ValidationError(_("Line %(number)d is too long.") % {"number": number})
            script = "Cyrl" if CYRILLIC.search(name) else "Latn"
            names.append((name, script, language))
        return names

    def clean_identifiers(self) -> list[tuple[str, str]]:
        found = []
        for number, line in enumerate(self.cleaned_data["identifiers"].splitlines(), 1):
            if not line.strip():
                continue
            kind, colon, value = (part.strip() for part in line.partition(":"))
            if not colon or not kind or not value:
                raise forms.ValidationError(
                    _(
                        "Line %(number)d: write the kind, a colon and the value "
                        "(badge number: 0417)."
                    )
                    % {"number": number}
                )
            found.append((kind[:40], value[:100]))
        return found


class UnitForm(Labelled, forms.ModelForm):
    """A unit's own facts; the units it was under, and when, are its parent links."""

    unit_type = TermChoice(queryset=terms("unit_type"), required=False)
    place = PlaceChoice(queryset=Place.objects.order_by("kind", "name_en"), required=False)

    class Meta:
        model = Unit
        fields = ["name", "other_names", "unit_type", "place", "notes"]


def descendants(unit: Unit) -> set[int]:
    """The units under `unit` through its links, at any date."""
    found: set[int] = set()
    frontier = [unit.pk]
    while frontier:
        frontier = list(
            ParentLink.objects.filter(parent_id__in=frontier).values_list("unit_id", flat=True)
        )
        frontier = [pk for pk in frontier if pk not in found]
        found.update(frontier)
    return found


class ParentLinkForm(Labelled, forms.Form):
    """The unit was under another from–to: a unit moves between commands. Either date may
    be left empty (open), and each says how exact it is."""

    parent = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Under"))
    start = forms.DateField(
        required=False, label=_("From"), help_text=_("YYYY-MM-DD; empty if not known")
    )
    start_precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.DAY)
    end = forms.DateField(required=False, label=_("Until"), help_text=_("empty if it still is"))
    end_precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.DAY)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        # A unit's parent is in its compartment, and never itself or one of its sub-units.
        field.queryset = Unit.objects.filter(compartment_id=unit.compartment_id).exclude(
            pk__in=descendants(unit) | {unit.pk}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dated(self, data)
        return data


def dated(form: forms.Form, data: dict[str, Any]) -> None:
    """From–to in order; a missing date is of unknown precision, a date given as "unknown"
    is taken as the day written (docs/analysis.md, "Chain of command")."""
    if data.get("start") and data.get("end") and data["end"] < data["start"]:
        form.add_error("end", _("The end is before the start."))
    for side in ("start", "end"):
        if not data.get(side):
            data[f"{side}_precision"] = Precision.UNKNOWN


class MembershipForm(Labelled, forms.Form):
    person = forms.CharField(
        max_length=300,
        help_text=_(
            "The officer's name; an existing person of this compartment with exactly "
            "this name is reused, otherwise a new person is created."
        ),
    )
    person_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    start = forms.DateField(required=False, label=_("From"), help_text=_("YYYY-MM-DD"))
    end = forms.DateField(required=False, label=_("Until"), help_text=_("empty if still serving"))
    rank = forms.CharField(max_length=100, required=False)
    position = forms.CharField(max_length=200, required=False)
    badge_number = forms.CharField(max_length=50, required=False)
    commands = forms.BooleanField(
        required=False, label=_("Commander"),
        help_text=_("this posting is command of the unit (it answers for the unit's acts)"),
    )  # fmt: skip
    reliability = TermChoice(queryset=terms("source_reliability"), required=False)
    credibility = TermChoice(queryset=terms("information_credibility"), required=False)

    def __init__(self, *args: Any, compartment_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compartment_id = compartment_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end is before the start."))
        typed = data.get("person") or ""
        if typed and not existing(Person, self.compartment_id, typed):
            ask_if_known(self, "person", typed, self.compartment_id)
        return data


SPAN = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$|^(\d+(?:\.\d+)?)$")


def seconds(text: str) -> float | None:
    """'2:13', '1:02:13' or '133.5' as seconds; '' as None."""
    text = text.strip()
    if not text:
        return None
    match = SPAN.match(text)
    if match is None:
        raise forms.ValidationError(_("Write a time as 2:13, 1:02:13 or a number of seconds."))
    if match.group(4) is not None:
        return float(match.group(4))
    hours, minutes, secs = int(match.group(1) or 0), int(match.group(2)), float(match.group(3))
    if secs >= 60 or (match.group(1) is not None and minutes >= 60):
        raise forms.ValidationError(_("Write a time as 2:13, 1:02:13 or a number of seconds."))
    return hours * 3600 + minutes * 60 + secs


class EvidenceForm(Labelled, forms.Form):
    """A vault item as evidence of the event or one of its acts, with a span."""

    # Chosen by finding the item and opening it beside the form, never typed.
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)
    act = forms.ModelChoiceField(queryset=Act.objects.none(), required=False,
                                 help_text=_("empty: the event as a whole"))  # fmt: skip
    start = forms.CharField(required=False, label=_("From"), help_text=_("in a recording: 2:13"))
    end = forms.CharField(required=False, label=_("To"), help_text="2:41")
    page = forms.IntegerField(min_value=1, required=False, help_text=_("in a document"))
    annotation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, event: Event | None, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        if event is None:  # evidence of a posting or a parent link: no acts to choose from
            del self.fields["act"]
            return
        field = self.fields["act"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = event.acts.select_related("act_type", "victim")

    def clean_item(self) -> Any:
        if self.cleaned_data.get("item") is None:
            raise forms.ValidationError(
                _("Find the item and open it beside the form first."), code="required"
            )
        item = self.items.filter(pk=self.cleaned_data["item"]).first()
        if item is None:  # the same words for "missing" and "not yours": no existence leak
            raise forms.ValidationError(_("No such item in this compartment."))
        return item

    def clean_start(self) -> float | None:
        return seconds(self.cleaned_data["start"])

    def clean_end(self) -> float | None:
        return seconds(self.cleaned_data["end"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if end is not None and (start is None or end < start):
            self.add_error("end", _("The end needs a start before it."))
        return data


class EvidenceSpanForm(EvidenceForm):
    """An evidence link corrected: what it supports, its span and annotation (the item stays;
    link another item instead)."""

    def __init__(self, *args: Any, event: Event | None, **kwargs: Any) -> None:
        super().__init__(*args, event=event, items=None, **kwargs)
        del self.fields["item"]


class InformationForm(Labelled, forms.Form):
    """A source's account of the event, graded on the Admiralty scale."""

    source = forms.CharField(
        max_length=300, required=False,
        help_text=_("A pseudonym, never the source's real name (that stays in intake)."),
    )  # fmt: skip
    connection = TermChoice(queryset=terms("connection"), required=False)
    reliability = TermChoice(queryset=terms("source_reliability"), required=False)
    credibility = TermChoice(queryset=terms("information_credibility"), required=False)
    received_on = forms.DateField(required=False, help_text=_("YYYY-MM-DD"))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ItemRecordForm(forms.ModelForm):
    """A title, a description and tags for an item (kept in the register's history)."""

    class Meta:
        model = ItemRecord
        fields = ["title", "description", "tags"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "title": _('what a colleague should call it: "Okrestina yard, night of 11 August"'),
            "tags": _("separated by commas: bodycam, Okrestina, needs translation"),
        }

    def clean_tags(self) -> str:
        return ", ".join(tag_list(self.cleaned_data["tags"]))
