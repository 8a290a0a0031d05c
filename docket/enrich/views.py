"""What enrichment found, on an item's page, and its transcript as subtitles. The subtitle
routes sit under /vault/ beside the item they describe (docket/core/urls.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import of_object
from docket.enrich import clocks, media_leads, sealed, subtitles
from docket.enrich.describe import DRAWN_PICTURES
from docket.enrich.models import Capture, Derivative, Run, Segment, TextPage, Transcript
from docket.enrich.progress import item_progress
from docket.lib import zones
from docket.vault import keys, media
from docket.vault.describe import describe_one
from docket.vault.models import Item
from docket.vault.sections import item_section
from docket.vault.store import read_drawn


@item_section("enrich/_item.html", order=10)
def item_context(item: Item, user: Any) -> dict[str, Any]:
    """The enrichment section of an item's page (shown only to those who may view the item:
    the sealed serial number, owner, artist and position are opened here for them)."""
    capture = Capture.objects.filter(item=item).first()
    return {
        "may_set_zone": access.can(user, "register.edit", item),
        "runs": Run.objects.filter(item=item).order_by("id"),
        "progress": item_progress(item.pk),
        "capture": capture,
        **_identifying(capture),
        "derivatives": Derivative.objects.filter(original=item).select_related("derived"),
        "derived_from": Derivative.objects.filter(derived=item).select_related("original"),
    }


@item_section("enrich/_item_preview.html", order=1)
def item_preview(item: Item, user: Any) -> dict[str, Any]:
    """What the item is, shown from the copies Docket made of it, with its transcript beside a
    recording. The original is never handed to the browser when a metadata-free copy exists;
    where none does, the page says so and the download warns."""
    facts = describe_one(item.pk)
    transcript = Transcript.objects.filter(item=item).first()
    segments = list(Segment.objects.filter(transcript=transcript)) if transcript else []
    shown = facts.shown_copy
    return {
        "preview": facts,
        "preview_kind": facts.kind if facts.derived_from is None else "picture",
        # A picture Docket drew is itself safe to show; so is a copy mat2 made.
        "preview_copy": item.pk if facts.derived_from and facts.thumbnail == item.pk else shown,
        "copy_is_original": shown == item.pk,
        "previewable": facts.kind in ("picture", "video", "audio", "pdf"),
        "can_read": access.can(user, "item.read_original", item),
        "transcript": transcript,
        "segments": segments,
        # A recording in several languages says each segment's (detected piece by piece).
        "mixed": len({s.language for s in segments if s.language}) > 1,
    }


@item_section("enrich/_item_text.html", order=30)
def item_text(item: Item, user: Any) -> dict[str, Any]:
    """The text read in an item's pages, below where it came from."""
    return {"pages": TextPage.objects.filter(item=item)}


def _identifying(capture: Capture | None) -> dict[str, Any]:
    if capture is None:
        return {"identifying": {}, "sealed_unreadable": False}
    try:
        return {"identifying": sealed.details(capture), "sealed_unreadable": False}
    except keys.KeyUnavailable:
        return {"identifying": {}, "sealed_unreadable": True}


def _segments(item: Item) -> list[tuple[float, float, str]]:
    return list(Segment.objects.filter(transcript__item=item).values_list("start", "end", "text"))


def _subtitles(request: HttpRequest, item: Item, extension: str) -> HttpResponse:
    if not Segment.objects.filter(transcript__item=item).exists():
        # No transcript, or one with no words: there are no subtitles to give.
        raise Http404("no transcript with words")
    audit.record(request, "item.transcript", item, details={"format": extension})
    if extension == "srt":
        body, content_type = subtitles.srt(_segments(item)), "application/x-subrip"
    else:
        body, content_type = subtitles.vtt(_segments(item)), "text/vtt"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="item-{item.pk}.{extension}"'
    return response


@of_object("item.view", Item)
def transcript_srt(request: HttpRequest, item: Item) -> HttpResponse:
    return _subtitles(request, item, "srt")


@of_object("item.view", Item)
def transcript_vtt(request: HttpRequest, item: Item) -> HttpResponse:
    return _subtitles(request, item, "vtt")


@of_object("item.view", Item)
def drawn_picture(request: HttpRequest, item: Item) -> HttpResponse:
    """A thumbnail, keyframe or contact sheet Docket drew with ffmpeg, shown in lists and on
    pages. Never an original or a copy of a sender's bytes: those are read with a custody
    entry (docket/vault/views.py)."""
    if (
        not Derivative.objects.filter(derived=item, kind__in=DRAWN_PICTURES)
        .exclude(original=item)
        .exists()
    ):
        raise Http404("not a picture Docket drew")
    try:
        body = read_drawn(item)
    except keys.KeyUnavailable:
        raise Http404("the vault key is not on this server") from None
    shown = media.sniff(body[:16])
    if shown is None or shown.kind != "picture":
        raise Http404("not a picture")
    audit.record(request, "item.thumbnail", item)
    response = HttpResponse(body, content_type=shown.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"  # nothing of the evidence in a browser's cache
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@of_object("register.edit", Item, methods=("POST",))
def clock_zone(request: HttpRequest, item: Item) -> HttpResponseBase:
    """Set the zone this item's camera clock was set to (an IANA name; empty: its import's or
    the instance's) and read a clock without an offset again in it."""
    capture = Capture.objects.filter(item=item).select_related("item").first()
    back = reverse("vault:item", args=[item.pk])
    if capture is None or not capture.clock or not capture.zone_assumed:
        messages.error(request, gettext("This item has no camera clock without a zone."))
        return redirect(back)
    wanted = request.POST.get("zone", "").strip()
    if wanted:
        try:
            zones.zone_named(wanted)
        except ValueError:
            messages.error(
                request, gettext("Not a time zone name: use one such as Europe/Minsk or UTC.")
            )
            return redirect(back)
    capture.zone_set = wanted[:64]
    capture.save(update_fields=["zone_set"])
    changed = clocks.reread(capture)
    audit.record(request, "item.clock_zone", item, details={"zone": wanted or None})
    if changed:
        media_leads.captured(item)
    messages.success(request, gettext("Saved: the capture time is read in the zone given."))
    return redirect(back)
