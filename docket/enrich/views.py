"""What enrichment found, on an item's page, and its transcript as subtitles. The subtitle
routes sit under /vault/ beside the item they describe (docket/core/urls.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from docket.accounts import audit
from docket.accounts.guards import of_object
from docket.enrich import sealed, subtitles
from docket.enrich.models import Capture, Derivative, Run, Segment, TextPage, Transcript
from docket.enrich.progress import item_progress
from docket.vault import keys
from docket.vault.models import Item
from docket.vault.sections import item_section


@item_section("enrich/_item.html", order=10)
def item_context(item: Item) -> dict[str, Any]:
    """The enrichment section of an item's page (shown only to those who may view the item:
    the sealed serial number, owner, artist and position are opened here for them)."""
    capture = Capture.objects.filter(item=item).first()
    return {
        "runs": Run.objects.filter(item=item).order_by("id"),
        "progress": item_progress(item.pk),
        "capture": capture,
        **_identifying(capture),
        "derivatives": Derivative.objects.filter(original=item).select_related("derived"),
        "derived_from": Derivative.objects.filter(derived=item).select_related("original"),
    }


@item_section("enrich/_item_text.html", order=30)
def item_text(item: Item) -> dict[str, Any]:
    """The text read in an item (pages, transcript), below where it came from."""
    transcript = Transcript.objects.filter(item=item).first()
    return {
        "pages": TextPage.objects.filter(item=item),
        "transcript": transcript,
        "segments": Segment.objects.filter(transcript=transcript) if transcript else [],
    }


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
