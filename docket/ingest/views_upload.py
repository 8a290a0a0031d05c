"""The upload page: staff send files from their computer into a compartment, each in parts
of 8 MiB that the page resumes after a dropped connection or a reload (docket/ingest/uploads.py
says what is kept and how). The parts go through three small JSON endpoints."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff_user
from docket.accounts.models import Compartment
from docket.ingest import uploads
from docket.ingest.models import Batch, WebUpload
from docket.lib import ids

PART = 8 * 1024 * 1024


@listing("item.upload")
def upload_page(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    compartments = Compartment.objects.filter(
        pk__in=access.compartment_ids(user, "item.upload")
    ).order_by("name")
    recent = (
        WebUpload.objects.filter(user=user)
        .select_related("compartment", "item")
        .order_by("-updated_at")[:20]
    )
    return render(
        request, "ingest/upload.html",
        {"compartments": compartments, "recent": recent, "part": PART},
    )  # fmt: skip


def _state(upload: WebUpload) -> JsonResponse:
    return JsonResponse(
        {
            "upload": upload.pk,
            "batch": upload.batch_id,
            "name": upload.name,
            "length": upload.length,
            "offset": upload.offset,
            "state": upload.state,
            "state_label": str(WebUpload.State(upload.state).label),
            "error": upload.error,
            "already_held": upload.already_held,
            "item": reverse("vault:item", args=[upload.item_id]) if upload.item_id else "",
        }
    )


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _mine(request: HttpRequest) -> WebUpload | None:
    """The user's own upload named by ?upload=N, in a compartment they may still upload to."""
    wanted = request.GET.get("upload", "")
    user = staff_user(request)
    return (
        WebUpload.objects.filter(
            pk=ids.pk(wanted) or 0,
            user=user,
            compartment_id__in=access.compartment_ids(user, "item.upload"),
        )
        .select_related("batch")
        .first()
    )


@listing("item.upload", methods=("POST",))
def upload_start(request: HttpRequest) -> JsonResponse:
    user = staff_user(request)
    wanted = request.POST.get("compartment", "")
    compartment = Compartment.objects.filter(
        pk=ids.pk(wanted) or 0,
        pk__in=access.compartment_ids(user, "item.upload"),
    ).first()
    if compartment is None:  # as for a compartment that does not exist
        return _refused(gettext("Choose a compartment you may upload to."), 404)
    size = request.POST.get("size", "")
    batch_id = request.POST.get("batch", "")
    batch = Batch.objects.filter(pk=ids.pk(batch_id) or 0, actor=user.get_username()).first()
    try:
        size_bytes = ids.number(size)
        if size_bytes is None:
            return _refused(gettext("Give the file's size in bytes."))
        upload = uploads.start(
            user, compartment, request.POST.get("name", ""), size_bytes, batch,
            fingerprint=request.POST.get("fingerprint", ""),
        )  # fmt: skip
    except uploads.Refused as exc:
        return _refused(str(exc), exc.status)
    if upload.offset == 0 and not upload.parts:
        audit.record(
            request, "upload.start", upload, compartment=compartment,
            details={"name": upload.name, "length": upload.length},
        )  # fmt: skip
    return _state(upload)


@listing("item.upload", methods=("POST",))
def upload_part(request: HttpRequest) -> JsonResponse:
    upload = _mine(request)
    if upload is None:
        return _refused(gettext("No such upload of yours."), 404)
    offset = ids.number(request.headers.get("Upload-Offset", ""))
    length = ids.number(request.META.get("CONTENT_LENGTH", ""))
    if offset is None or length is None:
        return _refused(gettext("A part needs Upload-Offset and Content-Length."))
    try:
        upload = uploads.append(upload, offset, request, length)  # type: ignore[arg-type]
    except uploads.Conflict:
        upload.refresh_from_db()
        response = _state(upload)
        response.status_code = 409
        return response
    except uploads.segments.Incomplete:
        return _refused(gettext("The part was cut off; nothing of it was kept."))
    except uploads.Refused as exc:
        return _refused(str(exc), exc.status)
    return _state(upload)


@listing("item.upload")
def upload_state(request: HttpRequest) -> JsonResponse:
    """One upload of the user's (?upload=N), or without a number their unfinished ones."""
    if "upload" not in request.GET:
        unfinished = WebUpload.objects.filter(
            user=staff_user(request), state=WebUpload.State.RECEIVING
        ).order_by("-updated_at")
        return JsonResponse(
            {"unfinished": [
                {"upload": u.pk, "name": u.name, "length": u.length, "offset": u.offset}
                for u in unfinished[:100]
            ]}
        )  # fmt: skip
    upload = _mine(request)
    if upload is None:
        return _refused(gettext("No such upload of yours."), 404)
    return _state(upload)
