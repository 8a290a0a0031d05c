"""Search over the register, transliteration-aware, with one interface over two engines.
The engine is the register's; what it finds comes from sources that apps register
(`add_source`, `add_texts`): the register's events, persons, units and places
(docket/register/sources.py), the words enrichment read in an item (docket/enrich/text.py) and
the Telegram message an item came with (docket/ingest/texts.py).

Policy: a hit is shown only from the compartments the caller may see (places, the shared
gazetteer, always); every search is audited by its caller (the page, the API, the CLI).

How: each event, person, unit and place has a SearchEntry holding its folded words and their
consonant skeletons (docket/analysis/spelling.py). A query word matches an entry when it is a
prefix of one of its words, or when one of its skeletons is a skeleton of the entry (a prefix
of one, for query words of four letters or more). SQLite answers with FTS5, PostgreSQL with
GIN-indexed tsvectors; both get the same query, and the ranking is ours: words matched as
typed count twice, skeleton-only matches once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from docket.analysis.spelling import fold, skeletons, words

PREFIX_FROM = 4  # letters a query word needs before its skeleton is matched as a prefix
NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    label: str
    #: For an item: where in it the words are (pages, transcript segments), as JSON.
    spans: tuple[dict[str, Any], ...] = ()

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"type": self.type, "id": self.id, "label": self.label}
        source = SOURCES.get(self.type)
        if source is not None and source.spans is not None:
            found["spans"] = list(self.spans)
        return found


@dataclass
class Source:
    """One kind of thing search finds."""

    kind: str
    model: type[Model]
    #: Ranks hits that match equally well (events first).
    order: int
    label: Callable[[Any], str]
    #: Every object of the kind, for `docket search --reindex`.
    everything: Callable[[], Iterable[Any]]
    #: Functions giving an object's texts; several apps may add theirs to one kind.
    texts: list[Callable[[Any], list[str]]] = field(default_factory=list)
    #: Where in an object the query's words are (pages, transcript segments), as JSON.
    spans: Callable[[int, str], list[dict[str, Any]]] | None = None
    #: Whether an object with no words keeps an entry (a person does; an unread item not).
    keep_empty: bool = True


SOURCES: dict[str, Source] = {}


def add_source(source: Source) -> None:
    SOURCES[source.kind] = source


def add_texts(kind: str, texts: Callable[[Any], list[str]]) -> None:
    """Add texts to a kind another app registered (an item's Telegram message); that app must
    come before in INSTALLED_APPS, as it does in the stack."""
    _source(kind).texts.append(texts)


def add_spans(kind: str, spans: Callable[[int, str], list[dict[str, Any]]]) -> None:
    """Say where in an object of a kind another app registered a query's words are (the pages
    and transcript segments of an item, which enrichment reads)."""
    _source(kind).spans = spans


def _source(kind: str) -> Source:
    if kind not in SOURCES:
        raise LookupError(f"no search source {kind!r} yet: the app that owns it registers it")
    return SOURCES[kind]


def source_of(obj: Model) -> Source:
    for source in SOURCES.values():
        if isinstance(obj, source.model):
            return source
    raise TypeError(f"{type(obj).__name__} is not searchable")


def texts_of(obj: Model) -> tuple[str, str, list[str]]:
    """(kind, label, texts) of a searchable object."""
    source = source_of(obj)
    texts = [text for function in source.texts for text in function(obj)]
    return source.kind, source.label(obj), texts


def _tokens(text: str) -> list[str]:
    """Folded words, and numbers (badge numbers identify officers)."""
    return words(text) + NUMBER.findall(text)


def entry_values(texts: Iterable[str]) -> tuple[str, str]:
    folded: list[str] = []
    for text in texts:
        folded.extend(_tokens(text or ""))
    unique = list(dict.fromkeys(folded))
    skeleton_set = dict.fromkeys(s for w in unique for s in sorted(skeletons(w)))
    return " ".join(unique), " ".join(skeleton_set)


def index(obj: Model) -> None:
    """(Re)write an object's search entry from its texts."""
    from docket.register.models import SearchEntry

    kind, label, texts = texts_of(obj)
    if not SOURCES[kind].keep_empty and not any(t.strip() for t in texts if t):
        SearchEntry.objects.filter(kind=kind, object_id=obj.pk).delete()
        return
    folded, skeleton_text = entry_values(texts)
    SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=obj.pk,
        defaults={
            "label": label[:300],
            "words": folded,
            "skeletons": skeleton_text,
            "compartment_id": getattr(obj, "compartment_id", None),
        },
    )


def unindex(kind: str, object_id: int) -> None:
    from docket.register.models import SearchEntry

    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def reindex_all() -> int:
    count = 0
    for source in sorted(SOURCES.values(), key=lambda s: -s.order):
        for obj in source.everything():
            index(obj)
            count += 1
    return count


def _query_terms(text: str) -> list[tuple[str, list[str], bool]]:
    """(folded word, its skeletons, skeletons as prefixes?) for each word of the query."""
    terms = []
    for word in _tokens(text):
        prefix = len(word) >= PREFIX_FROM
        terms.append((word, sorted(skeletons(word)) if not word.isdigit() else [], prefix))
    return terms


def _fts5_query(terms: list[tuple[str, list[str], bool]]) -> str:
    parts = []
    for word, shapes, prefix in terms:
        star = "*" if prefix else ""
        options = [f'words:"{word}"*'] + [f'skeletons:"{s}"{star}' for s in shapes]
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def _tsquery(items: list[str], prefix: bool) -> str:
    suffix = ":*" if prefix else ""
    return " | ".join("'" + item.replace("'", "''") + "'" + suffix for item in items)


def matching(text: str, *, compartments: set[int] | None) -> QuerySet[Any]:
    """Every search entry that matches `text` among the objects of `compartments` (None: every
    compartment, for the instance's own command line) and the shared places, unranked and
    unlimited: a filter for other queries (the event list's words)."""
    from docket.register.models import SearchEntry

    terms = _query_terms(text)
    if not terms:
        return SearchEntry.objects.none()
    entries = SearchEntry.objects.all()
    if compartments is not None:
        entries = entries.filter(Q(compartment_id__in=compartments) | Q(compartment__isnull=True))
    # Raw SQL for the two engines' match operators; every value is a bound parameter.
    if connection.vendor == "postgresql":
        for n, (word, shapes, prefix) in enumerate(terms):
            conditions = ["to_tsvector('simple', words) @@ to_tsquery('simple', %s)"]
            params = [_tsquery([word], True)]
            if shapes:
                conditions.append("to_tsvector('simple', skeletons) @@ to_tsquery('simple', %s)")
                params.append(_tsquery(shapes, prefix))
            matched = RawSQL("(" + " OR ".join(conditions) + ")", params, BooleanField())  # noqa: S611
            entries = entries.alias(**{f"term_{n}": matched}).filter(**{f"term_{n}": True})
    else:
        entries = entries.filter(
            id__in=RawSQL(
                "SELECT rowid FROM register_searchentry_fts WHERE register_searchentry_fts "
                "MATCH %s",
                [_fts5_query(terms)],
            )
        )
    return entries


def search(
    text: str, *, compartments: set[int] | None, limit: int = 50, kinds: set[str] | None = None
) -> list[Hit]:
    """The best `limit` hits for `text` (of `kinds` only, if given): words matched as typed
    before skeleton-only matches, then events, persons, units, places, items."""
    entries = matching(text, compartments=compartments)
    if kinds is not None:
        entries = entries.filter(kind__in=kinds)
    candidates = list(entries.values_list("kind", "object_id", "label", "words")[: limit * 4])
    typed = [fold(word) for word, _, _ in _query_terms(text)]

    def score(row: tuple[str, int, str, str]) -> tuple[int, int, str]:
        entry_words = row[3].split()
        exact = sum(any(w.startswith(t) for w in entry_words) for t in typed)
        source = SOURCES.get(row[0])
        return (-(2 * exact + (len(typed) - exact)), source.order if source else 9, row[2])

    candidates.sort(key=score)
    return [_hit(kind, object_id, label, text) for kind, object_id, label, _ in candidates[:limit]]


def _hit(kind: str, object_id: int, label: str, text: str) -> Hit:
    source = SOURCES.get(kind)
    if source is None or source.spans is None:
        return Hit(kind, object_id, label)
    return Hit(kind, object_id, label, tuple(source.spans(object_id, text)))
