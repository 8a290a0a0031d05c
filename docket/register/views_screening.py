"""The screening page: a list of names, pasted or uploaded, against the persons of the
compartments the user may screen (docket/register/screening.py states the policy).

The list must leave no trace: the upload is kept in memory, never spooled to a temporary file
(Django spools anything over 2.5 MB); error reports hide the form's fields; the answer is
marked no-store so that no cache keeps it.
"""

from __future__ import annotations

import io
from functools import wraps
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from docket.accounts import access, audit
from docket.accounts.guards import View, listing, staff_user
from docket.accounts.models import Compartment
from docket.analysis import pairs
from docket.analysis.screening import MAX_NAMES, read_lines
from docket.lib import ids
from docket.register import screening

#: The largest file taken: 10,000 names with a few other columns fit many times over.
LIST_MAX_BYTES = 8 * 1024 * 1024


class ListInMemory(FileUploadHandler):
    """Keeps an uploaded list in memory up to LIST_MAX_BYTES and drops the rest: a temporary
    file would leave the list on disk after the answer."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_big = False
        self.data = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.data = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > LIST_MAX_BYTES:
            self.too_big = True
        if not self.too_big:
            self.data.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.too_big:
            return None
        self.data.seek(0)
        return InMemoryUploadedFile(
            self.data, self.field_name, self.file_name, self.content_type, file_size,
            self.charset, self.content_type_extra,
        )  # fmt: skip


def _uploads_in_memory(view: View) -> View:
    """The upload handler must be set before anything reads the form, the CSRF check
    included; so the check is made here, after it (Django's documented pattern)."""
    checked = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.upload_handlers = [ListInMemory(request)]
        return checked(request, *args, **kwargs)

    return wrapper


class Refused(ValueError):
    """The form cannot be screened; the message says why, in the user's language."""


def _listed(request: HttpRequest) -> list[pairs.Entry]:
    """The list of the form: the uploaded file if there is one, else the pasted lines."""
    upload = request.FILES.get("file")
    if any(getattr(handler, "too_big", False) for handler in request.upload_handlers):
        raise Refused(gettext("The file is too large to be a list of names."))
    try:
        if upload is not None:
            return pairs.read(upload.read(), upload.name or "")
        return read_lines(request.POST.get("names", ""))
    except pairs.BadInput as exc:
        raise Refused(str(exc)) from None


@listing("register.screen", methods=("GET", "POST"))
@_uploads_in_memory
@sensitive_post_parameters()
def screen_page(request: HttpRequest) -> HttpResponse:
    """Paste or upload a list; see each name's possible matches, for human review."""
    user = staff_user(request)
    allowed = Compartment.objects.filter(pk__in=access.compartment_ids(user, "register.screen"))
    if not allowed:
        raise Http404("No such page.")  # an instance administrator with no role to screen
    context: dict[str, Any] = {"compartments": allowed, "chosen": allowed, "limit": MAX_NAMES}
    if request.method == "POST":
        context.update(_screen(request, allowed))
    response = render(request, "register/screen.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _screen(request: HttpRequest, allowed: Any) -> dict[str, Any]:
    """Screen the form's list in the compartments chosen; a problem instead, if any."""
    asked = [n for v in request.POST.getlist("compartment") if (n := ids.pk(v)) is not None]
    chosen = list(allowed.filter(pk__in=asked))
    try:
        entries = _listed(request)
        if not chosen:
            raise Refused(gettext("Choose at least one compartment."))
        if not entries:
            raise Refused(gettext("Paste names, one per line, or choose a file."))
        results = screening.screen(entries, chosen)
    except (Refused, screening.TooMany) as exc:
        return {"problem": str(exc), "chosen": chosen, "pasted": request.POST.get("names", "")}
    for compartment in chosen:
        details = screening.audit_details(results, compartment)
        audit.record(request, "register.screen", compartment=compartment, details=details)
    return {"results": results, "chosen": chosen, "matched": sum(1 for s in results if s.matches)}
