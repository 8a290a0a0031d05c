"""Items in the register's search: the words enrichment read in them (OCR pages, transcript
segments; the ingest adds the Telegram message an item came with), and where in an item a
query's words are: the page or the transcript segment that can be linked as evidence. The same
pages and segments are what the register reads for mentions of its persons and units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docket.accounts.models import Compartment
from docket.analysis.spelling import words
from docket.enrich.models import Segment, TextPage
from docket.register import mentions, search
from docket.vault import store
from docket.vault.models import Item


@dataclass(frozen=True)
class Span:
    page: int | None = None
    start: float | None = None
    end: float | None = None
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        if self.page is not None:
            return {"page": self.page, "text": self.text}
        return {"start": self.start, "end": self.end, "text": self.text}


def _read(item: Item) -> list[str]:
    texts = list(TextPage.objects.filter(item=item).values_list("text", flat=True))
    return texts + list(
        Segment.objects.filter(transcript__item=item).values_list("text", flat=True)
    )


def _spans(item_id: int, query: str) -> list[dict[str, Any]]:
    return [span.as_json() for span in spans(item_id, query)]


def _passages(item: Item) -> list[mentions.Passage]:
    pages = TextPage.objects.filter(item=item).only("page", "text")
    segments = Segment.objects.filter(transcript__item=item)
    return [mentions.Passage(f"page {p.page}", p.text, page=p.page) for p in pages] + [
        mentions.Passage(f"at {s.start:g}", s.text, start=s.start, end=s.end) for s in segments
    ]


search.add_texts("item", _read)
search.add_spans("item", _spans)
mentions.add_item_texts(_passages)


def index_item(item: Item) -> None:
    """(Re)write the item's search entry from everything read in it, and look in it for the
    register's persons and units (after the entry, which a person added later searches)."""
    search.index(item)
    mentions.queue_item(item)


def follow_move(item: Item, left: Compartment) -> None:
    """A moved item's words are found from its new compartment only."""
    from docket.register.models import SearchEntry

    SearchEntry.objects.filter(kind="item", object_id=item.pk).update(
        compartment_id=item.compartment_id
    )


store.ON_MOVED.append(follow_move)


def spans(item_id: int, query: str, *, limit: int = 5) -> list[Span]:
    """The pages and segments of an item whose words start with every word of the query
    (as typed; the search itself also matches other spellings)."""
    wanted = words(query)
    if not wanted:
        return []

    def matches(text: str) -> bool:
        have = words(text)
        return all(any(w.startswith(q) for w in have) for q in wanted)

    found: list[Span] = []
    for page in TextPage.objects.filter(item_id=item_id).only("page", "text"):
        if matches(page.text):
            found.append(Span(page=page.page, text=_excerpt(page.text, wanted)))
    for segment in Segment.objects.filter(transcript__item_id=item_id):
        if matches(segment.text):
            found.append(Span(start=segment.start, end=segment.end, text=segment.text))
    return found[:limit]


def _excerpt(text: str, wanted: list[str], width: int = 160) -> str:
    lowered = text.lower()
    for word in wanted:
        at = lowered.find(word)
        if at >= 0:
            start = max(0, at - width // 2)
            return " ".join(text[start : start + width].split())
    return " ".join(text[:width].split())
