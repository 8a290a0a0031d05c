"""Every enricher, in the order the pipeline runs them. Adding one: write its package in
docket/enrich/enrichers/ (docket/enrich/base.py says what it holds) and add its name here.
Building this list reads only the declarations; no implementation is imported."""

from __future__ import annotations

from docket.enrich.base import Enricher

#: `filetype` comes first and alone: its answer decides which of the others apply.
FIRST = Enricher("filetype")
ENRICHERS = [
    Enricher(name) for name in ("metadata", "thumbnails", "pdq", "ocr", "text", "speech", "clean")
]


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
