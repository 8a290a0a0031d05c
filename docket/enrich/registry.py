"""Every enricher, in the order the pipeline runs them. Adding one: write its module in
docket/enrich/enrichers/ and add it here."""

from __future__ import annotations

from docket.enrich.base import Enricher
from docket.enrich.enrichers import clean, filetype, metadata, ocr, pdq, speech, thumbnails

#: `filetype` comes first and alone: its answer decides which of the others apply.
FIRST: Enricher = filetype
ENRICHERS: list[Enricher] = [metadata, thumbnails, pdq, ocr, speech, clean]


def by_name(name: str) -> Enricher:
    for enricher in [FIRST, *ENRICHERS]:
        if enricher.DECLARATION.name == name:
            return enricher
    raise LookupError(f"no enricher {name!r}")


def applicable(kind: str) -> list[Enricher]:
    """The enrichers for a kind of file, among those DOCKET_ENRICHERS switches on."""
    from django.conf import settings

    chosen = settings.ENRICHERS
    return [
        e
        for e in ENRICHERS
        if kind in e.DECLARATION.kinds and (not chosen or e.DECLARATION.name in chosen)
    ]
