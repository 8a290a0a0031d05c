"""Export pages: ask for an export (a whole compartment, a case's court bundle, a sanctions
list), follow it, download the package. Public reports are asked for on the statistics pages.

Asking needs a fresh second factor; the package is built only after a second admin approves
(docket/accounts/approvals.py) and is encrypted to the recipient's key, so downloading it
gives nothing to whoever lacks that key. Every step is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from docket.accounts import access, audit
from docket.accounts.guards import listing, of_object, staff_user
from docket.accounts.models import Compartment, User
from docket.accounts.second_factor import recent_second_factor
from docket.cases.models import Case
from docket.exports import build
from docket.exports.models import Export
from docket.lib import ids
from docket.lib.storage import BlobStore
from docket.register.models import Involvement
from docket.vault import age

#: what the page asks for (public reports are asked for on the statistics pages)
KINDS = [
    (Export.Kind.COMPARTMENT, _("Every item of a compartment")),
    (Export.Kind.CASE, _("A case's court bundle (BagIt bag and PDF report)")),
    (Export.Kind.SANCTIONS, _("A sanctions and partner list (FollowTheMoney)")),
]


def askable_cases(user: User) -> Any:
    """Cases the user may see, in compartments where they may ask for exports."""
    allowed = access.compartment_ids(user, "export.request") & access.compartment_ids(
        user, "case.view"
    )
    return Case.objects.filter(compartment_id__in=allowed).select_related("compartment")


class CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.compartment.name}, {obj.reference})"


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"), choices=KINDS, initial=Export.Kind.COMPARTMENT, required=False
    )
    compartment = forms.ModelChoiceField(
        queryset=Compartment.objects.none(), required=False, label=_("Compartment"),
        help_text=_("For a case, leave it empty: the case's compartment is used."),
    )  # fmt: skip
    case = CaseChoice(
        queryset=Case.objects.none(), required=False, label=_("Case"),
        help_text=_("Needed for a court bundle; for a sanctions list, the case's suspects only."),
    )  # fmt: skip
    min_confidence = forms.ChoiceField(
        label=_("Least confidence (sanctions list)"),
        choices=Involvement.Confidence.choices,
        initial=Involvement.Confidence.ESTABLISHED,
        required=False,
        help_text=_(
            "A person or unit is listed only with an involvement or posting at least this sure."
        ),
    )
    recipient = forms.CharField(
        max_length=100,
        label=_("Recipient's age public key"),
        help_text=_(
            "It starts with <code>age1</code>. The package is encrypted to this key: "
            "only its holder can open it. Make a key pair with <code>age-keygen</code>."
        ),
    )
    recipient_label = forms.CharField(
        max_length=200, label=_("Who holds that key"), help_text=_("For example: ICC OTP, unit 3.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The second admin reads this before approving."),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["compartment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Compartment.objects.filter(
            pk__in=access.compartment_ids(user, "export.request")
        )
        cases = self.fields["case"]
        assert isinstance(cases, forms.ModelChoiceField)
        cases.queryset = askable_cases(user)

    def clean_recipient(self) -> str:
        text = self.cleaned_data["recipient"].strip()
        try:
            age.Recipient.parse(text)
        except (age.AgeError, ValueError):
            raise ValidationError(
                gettext(
                    "That is not an age public key. It looks like age1 followed by 58 letters "
                    "and digits (the line 'public key:' that age-keygen prints)."
                )
            ) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data["kind"] = data.get("kind") or Export.Kind.COMPARTMENT
        case = data.get("case")
        compartment = data.get("compartment")
        if kind == Export.Kind.COMPARTMENT:
            data["case"] = None
            if compartment is None and "compartment" not in self.errors:
                self.add_error("compartment", _("Choose the compartment to export."))
        elif kind == Export.Kind.CASE and case is None and "case" not in self.errors:
            self.add_error("case", _("A court bundle is of one case: choose it."))
        elif kind == Export.Kind.SANCTIONS and case is None and compartment is None:
            self.add_error(
                "compartment",
                _("A sanctions list is of a case or of a whole compartment: choose one."),
            )
        if case is not None and kind != Export.Kind.COMPARTMENT:
            if compartment is None:
                data["compartment"] = case.compartment
            elif compartment.pk != case.compartment_id:
                self.add_error(
                    "case",
                    gettext(
                        "This case belongs to the compartment %(name)s: choose that one, or "
                        "leave the compartment empty."
                    )
                    % {"name": case.compartment.name},
                )
        if kind == Export.Kind.SANCTIONS:
            data["min_confidence"] = (
                data.get("min_confidence") or Involvement.Confidence.ESTABLISHED
            )
        else:
            data["min_confidence"] = ""
        return data


@listing("export.request", methods=("GET", "POST"))
def export_list(request: HttpRequest) -> HttpResponseBase:
    user = staff_user(request)
    if request.method == "POST":
        return _ask(request, user)
    form = ExportForm(user=user)
    wanted = ids.pk(request.GET.get("case", ""))
    # Come from a case's page: the form is filled for its bundle and named after it.
    case = None if wanted is None else askable_cases(user).filter(pk=wanted).first()
    if case is not None:
        form.initial.update(kind=Export.Kind.CASE, case=case.pk)
    return _page(request, form, asked_case=case)


def _page(request: HttpRequest, form: ExportForm, asked_case: Case | None = None) -> HttpResponse:
    exports = access.visible(Export.objects.all(), request.user, "export.request")
    exports = exports.select_related("compartment", "requested_by", "approval", "case")
    return render(
        request,
        "exports/list.html",
        {"exports": exports[:100], "form": form, "asked_case": asked_case},
    )


@recent_second_factor
def _ask(request: HttpRequest, user: User) -> HttpResponse:
    form = ExportForm(request.POST, user=user)
    if not form.is_valid():
        return _page(request, form)
    data = form.cleaned_data
    export = build.ask(
        user,
        data["compartment"],
        recipient=data["recipient"],
        recipient_label=data["recipient_label"],
        reason=data["reason"],
        kind=data["kind"],
        case=data["case"],
        min_confidence=data["min_confidence"],
        # the PDF report is written in the requester's language
        parameters={"language": get_language() or "en"},
    )
    messages.success(
        request, gettext("Asked. Another admin of the compartment must approve before it is built.")
    )
    return redirect("exports:export", pk=export.pk)


@of_object("export.request", Export)
def export_detail(request: HttpRequest, export: Export) -> HttpResponse:
    audit.record(request, "export.view", export)
    return render(request, "exports/detail.html", {"export": export})


@of_object("export.request", Export, methods=("POST",))
@recent_second_factor
def export_file(request: HttpRequest, export: Export) -> HttpResponseBase:
    if export.state != Export.State.READY:
        messages.error(request, gettext("That export is not ready."))
        return redirect("exports:export", pk=export.pk)
    audit.record(request, "export.download", export, details={"sha256": export.sha256})
    return package_response(export)


def package_response(export: Export) -> StreamingHttpResponse:
    """The encrypted package, streamed (the pages and the API both answer with it)."""
    handle = BlobStore.default().open(export.blob)
    response = StreamingHttpResponse(_chunks(handle), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    if export.size is not None:
        response["Content-Length"] = str(export.size)
    return response


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(1 << 20):
            yield chunk
