"""Search over the register, transliteration-aware, with one interface over two engines.
Vault items are found too, by the words enrichment read in them (docket/enrich/text.py).

Policy: a hit is shown only from the compartments the caller may see (places, the shared
gazetteer, always); every search is audited by its caller (the page, the API, the CLI).

How: each event, person, unit and place has a SearchEntry holding its folded words and their
consonant skeletons (docket/register/names.py). A query word matches an entry when it is a
prefix of one of its words, or when one of its skeletons is a skeleton of the entry (a prefix
of one, for query words of four letters or more). SQLite answers with FTS5, PostgreSQL with
GIN-indexed tsvectors; both get the same query, and the ranking is ours: words matched as
typed count twice, skeleton-only matches once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from docket.register.names import fold, skeletons, words

KIND_ORDER = {"event": 0, "person": 1, "unit": 2, "place": 3, "item": 4}
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
        if self.type == "item":
            found["spans"] = list(self.spans)
        return found


def texts_of(obj: Model) -> tuple[str, str, list[str]]:
    """(kind, label, texts) of a register object."""
    from docket.register.models import Event, Person, Place, Unit

    if isinstance(obj, Event):
        place = [obj.place.name_en, obj.place.name_be, obj.place.name_ru] if obj.place else []
        return "event", obj.title, [obj.title, obj.description, obj.place_detail, *place]
    if isinstance(obj, Person):
        names = list(obj.names.values_list("name", flat=True))
        badges = list(obj.identifiers.values_list("value", flat=True))
        return "person", obj.display_name, [obj.display_name, *names, *badges]
    if isinstance(obj, Unit):
        return "unit", obj.name, [obj.name, obj.other_names]
    if isinstance(obj, Place):
        return "place", obj.name_en, [obj.name_en, obj.name_be, obj.name_ru]
    raise TypeError(f"{type(obj).__name__} is not searchable")


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


def index(obj: Model, entry_model: Any = None) -> None:
    from docket.register.models import SearchEntry

    model = entry_model or SearchEntry
    kind, label, texts = texts_of(obj)
    folded, skeleton_text = entry_values(texts)
    model.objects.update_or_create(
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
    from docket.enrich.text import index_item
    from docket.register.models import Event, Person, Place, Unit
    from docket.vault.models import Item

    count = 0
    for model in (Place, Unit, Person, Event):
        for obj in model.objects.all().iterator(chunk_size=1000):
            index(obj)
            count += 1
    read = Item.objects.filter(Q(text_pages__isnull=False) | Q(transcript__isnull=False))
    for item in read.distinct().iterator(chunk_size=1000):
        index_item(item)
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


def search(text: str, *, compartments: set[int] | None, limit: int = 50) -> list[Hit]:
    """The best `limit` hits for `text`: words matched as typed before skeleton-only matches,
    then events, persons, units, places."""
    entries = matching(text, compartments=compartments)
    candidates = list(entries.values_list("kind", "object_id", "label", "words")[: limit * 4])
    typed = [fold(word) for word, _, _ in _query_terms(text)]

    def score(row: tuple[str, int, str, str]) -> tuple[int, int, str]:
        entry_words = row[3].split()
        exact = sum(any(w.startswith(t) for w in entry_words) for t in typed)
        return (-(2 * exact + (len(typed) - exact)), KIND_ORDER.get(row[0], 9), row[2])

    candidates.sort(key=score)
    return [_hit(kind, object_id, label, text) for kind, object_id, label, _ in candidates[:limit]]


def _hit(kind: str, object_id: int, label: str, text: str) -> Hit:
    if kind != "item":
        return Hit(kind, object_id, label)
    # Items are enrichment's: its text module says where in the item the words are.
    from docket.enrich.text import spans

    return Hit(kind, object_id, label, tuple(s.as_json() for s in spans(object_id, text)))
