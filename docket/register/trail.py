"""An event's history as a person reads it: every change to the event, its acts and their
perpetrators, its evidence links and sources' accounts, with what each field was before and
after, in words (a term's name, a person's name, not their numbers); and what was deleted from
it, to restore."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _

from docket.register.models import Change, ChangeKey, Event, Unit
from docket.vault.describe import describe_one
from docket.vault.models import Item

#: The rows that belong to an event, by the key that names it in their history.
OF_EVENT = ("act", "evidencelink", "information")
SKIPPED = {"id", "compartment_id", "created_by_id", "confidentiality", "generated"}


ACTIONS = {
    "create": _("created"), "update": _("changed"), "delete": _("deleted"),
    "restore": _("restored"),
}  # fmt: skip


@dataclass
class Row:
    change: Change
    #: (field, before, after) in words; for a creation or deletion, the values it had.
    fields: list[tuple[str, str, str]]

    @property
    def action(self) -> str:
        return str(ACTIONS.get(self.change.action, self.change.action))


def _model(name: str) -> type[Model]:
    return apps.get_model("register", name)


def _shown(model: type[Model], name: str, value: Any) -> str:
    """A value of a row's history in words: the related row's name for a key, the names of
    terms for a list of them."""
    if value in (None, "", []):
        return ""
    field = next((f for f in model._meta.concrete_fields if f.attname == name), None)
    related = field.related_model if field is not None and field.is_relation else None
    if related is None:
        many = next((f for f in model._meta.many_to_many if f.name == name), None)
        related = many.related_model if many is not None else None
    if related is Item:  # what the pages call it, not its hash
        return describe_one(int(value)).label
    if related is not None and not isinstance(related, str):
        keys = value if isinstance(value, list) else [value]
        found = {o.pk: o for o in related._default_manager.filter(pk__in=keys)}
        return "; ".join(str(getattr(found.get(k), "shown", found.get(k)) or f"#{k}") for k in keys)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _label(model: type[Model], name: str) -> str:
    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if name in (f.attname, f.name):
            return str(f.verbose_name)
    return name


def fields_of(change: Change, model: type[Model] | None = None) -> list[tuple[str, str, str]]:
    """The fields a change touched, in words; `model` for a row of another app (a case's)."""
    model = model or _model(change.model)
    before, after = change.before or {}, change.after or {}
    names = [n for n in dict.fromkeys([*before, *after]) if n not in SKIPPED]
    rows = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if change.action == "update" and old == new:
            continue
        if change.action != "update" and old in (None, "", []) and new in (None, "", []):
            continue
        rows.append((_label(model, name), _shown(model, name, old), _shown(model, name, new)))
    return rows


def _naming(key: str, values: list[int]) -> list[int]:
    """The changes whose row named one of these values under `key`, before or after: a few
    for one event, listed first, so that the history's query is a few index lookups (as a
    subquery inside an OR, PostgreSQL reads every change instead)."""
    found = ChangeKey.objects.filter(key=key, value__in=values).values_list("change_id", flat=True)
    return sorted(set(found))


def _of_event(event: Event) -> Q:
    named = _naming("event_id", [event.pk])
    of = Q(model="event", object_id=event.pk) | Q(model__in=OF_EVENT, pk__in=named)
    acts = set(event.acts.values_list("pk", flat=True)) | set(
        Change.objects.filter(model="act", pk__in=named).values_list("object_id", flat=True)
    )
    of |= Q(model="involvement", pk__in=_naming("act_id", sorted(acts)))
    return of


def history_of(event: Event) -> list[Row]:
    changes = Change.objects.filter(compartment_id=event.compartment_id).filter(_of_event(event))
    return [Row(c, fields_of(c)) for c in changes.order_by("-at", "-id")]  # newest first


def deleted_from(event: Event) -> list[Change]:
    """The deletions of the event's rows that are still deleted (one per request: an act's
    links come back with it)."""
    return _still_deleted(
        Change.objects.filter(compartment_id=event.compartment_id, action="delete")
        .filter(_of_event(event))
        .exclude(model="event")
    )


def deleted_members(unit: Unit) -> list[Change]:
    """A unit's memberships and parent links that were deleted and are still deleted."""
    return _still_deleted(
        Change.objects.filter(
            compartment_id=unit.compartment_id,
            action="delete",
            model__in=("membership", "parentlink"),
            pk__in=_naming("unit_id", [unit.pk]),
        ).filter(before__unit_id=unit.pk)
    )


def _still_deleted(deletions: Any) -> list[Change]:
    changes = deletions.order_by("-at", "-id")
    shown: list[Change] = []
    requests: set[str] = set()
    for change in changes:
        if _model(change.model)._default_manager.filter(pk=change.object_id).exists():
            continue
        if change.request_id and change.request_id in requests:
            continue
        requests.add(change.request_id)
        shown.append(change)
    return shown
