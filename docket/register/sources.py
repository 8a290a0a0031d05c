"""The register's kinds in search: events, persons, units, places and items (registered in the
register's AppConfig.ready()). An item is found by its name, title, description and tags;
enrichment adds the words read in it, the ingest the Telegram message it came with."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model

from docket.register.models import Event, Person, Place, Unit
from docket.register.search import Source, add_source
from docket.vault.describe import Facts, describe, describe_one
from docket.vault.models import Item


def _event(obj: Event) -> list[str]:
    place = [obj.place.name_en, obj.place.name_be, obj.place.name_ru] if obj.place else []
    return [obj.title, obj.description, obj.place_detail, *place]


def _person(obj: Person) -> list[str]:
    names = list(obj.names.values_list("name", flat=True))
    badges = list(obj.identifiers.values_list("value", flat=True))
    return [obj.display_name, *names, *badges]


def _facts(item: Item) -> Facts:
    """What the pages know of the item, asked once for its label and its texts together."""
    known: Facts | None = getattr(item, "_search_facts", None)
    if known is None:
        known = describe_one(item.pk)
        item._search_facts = known  # type: ignore[attr-defined]
    return known


def prime(items: list[Item]) -> None:
    """Ask what the pages know of many items at once, for `search.index` to use: an import
    indexes hundreds of new items, and one round of queries per item was most of its time."""
    found = describe([item.pk for item in items])
    for item in items:
        item._search_facts = found[item.pk]  # type: ignore[attr-defined]


def _item_label(item: Item) -> str:
    facts = _facts(item)
    return f"{facts.label} ({facts.mime})" if facts.mime else facts.label


def _item(item: Item) -> list[str]:
    facts = _facts(item)
    if facts.derived_from is not None:  # a thumbnail or a copy: its original is what is found
        return []
    return [facts.name, facts.title, facts.description, *facts.tags]


def _everything(model: type[Model]) -> Callable[[], Iterable[Any]]:
    return lambda: model._default_manager.all().iterator(chunk_size=1000)


def register() -> None:
    add_source(Source("event", Event, 0, lambda e: e.title, _everything(Event), [_event]))
    add_source(
        Source("person", Person, 1, lambda p: p.display_name, _everything(Person), [_person])
    )
    add_source(
        Source(
            "unit",
            Unit,
            2,
            lambda u: u.name,
            _everything(Unit),
            [lambda u: [u.name, u.other_names]],
        )
    )
    add_source(
        Source(
            "place",
            Place,
            3,
            lambda p: p.name_en,
            _everything(Place),
            [lambda p: [p.name_en, p.name_be, p.name_ru]],
        )
    )
    add_source(Source("item", Item, 4, _item_label, _everything(Item), [_item], keep_empty=False))
