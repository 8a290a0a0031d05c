"""Export pages: ask for an export of a whole compartment, follow it, download the package.

Asking needs a fresh second factor; the package is built only after a second admin approves
(docket/accounts/approvals.py) and is encrypted to the recipient's key, so downloading it
gives nothing to whoever lacks that key. Every step is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.accounts import access, audit
from docket.accounts.guards import listing, of_object, staff_user
from docket.accounts.models import Compartment, User
from docket.accounts.second_factor import recent_second_factor
from docket.exports import build
from docket.exports.models import Export
from docket.lib.storage import BlobStore
from docket.vault import age


class ExportForm(forms.Form):
    compartment = forms.ModelChoiceField(queryset=Compartment.objects.none())
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

    def clean_recipient(self) -> str:
        text = self.cleaned_data["recipient"].strip()
        try:
            age.Recipient.parse(text)
        except (age.AgeError, ValueError):
            raise ValidationError(
                "That is not an age public key. It looks like age1 followed by 58 letters and "
                "digits (the line 'public key:' that age-keygen prints)."
            ) from None
        return text


@listing("export.request", methods=("GET", "POST"))
def export_list(request: HttpRequest) -> HttpResponseBase:
    user = staff_user(request)
    if request.method == "POST":
        return _ask(request, user)
    return _page(request, ExportForm(user=user))


def _page(request: HttpRequest, form: ExportForm) -> HttpResponse:
    exports = access.visible(Export.objects.all(), request.user, "export.request")
    exports = exports.select_related("compartment", "requested_by", "approval")
    return render(request, "exports/list.html", {"exports": exports[:100], "form": form})


@recent_second_factor
def _ask(request: HttpRequest, user: User) -> HttpResponse:
    form = ExportForm(request.POST, user=user)
    if not form.is_valid():
        return _page(request, form)
    export = build.ask(
        user,
        form.cleaned_data["compartment"],
        recipient=form.cleaned_data["recipient"],
        recipient_label=form.cleaned_data["recipient_label"],
        reason=form.cleaned_data["reason"],
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
