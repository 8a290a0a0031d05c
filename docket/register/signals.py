"""Keep the search index in step with the register, whatever saves a row (a page, the API,
an import): an index that lags would hide a perpetrator from the person looking for him."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from docket.register import search
from docket.register.models import Event, Person, PersonIdentifier, PersonName, Place, Unit

INDEXED = {Event: "event", Person: "person", Unit: "unit", Place: "place"}


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        search.index(instance)


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    search.unindex(INDEXED[sender], instance.pk)


def _person_part_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and Person.objects.filter(pk=instance.person_id).exists():
        search.index(instance.person)


def connect() -> None:
    for model in INDEXED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"unsearch-{model.__name__}")
    for part in (PersonName, PersonIdentifier):
        for signal in (post_save, post_delete):
            signal.connect(
                _person_part_changed, sender=part, dispatch_uid=f"search-{part.__name__}-{signal}"
            )
