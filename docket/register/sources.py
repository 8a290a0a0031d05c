"""The register's kinds in search: events, persons, units and places (registered in the
register's AppConfig.ready())."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model

from docket.register.models import Event, Person, Place, Unit
from docket.register.search import Source, add_source


def _event(obj: Event) -> list[str]:
    place = [obj.place.name_en, obj.place.name_be, obj.place.name_ru] if obj.place else []
    return [obj.title, obj.description, obj.place_detail, *place]


def _person(obj: Person) -> list[str]:
    names = list(obj.names.values_list("name", flat=True))
    badges = list(obj.identifiers.values_list("value", flat=True))
    return [obj.display_name, *names, *badges]


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
