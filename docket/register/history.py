"""Change history of the register, append-only (docs/design.md §3): every create, update and
delete of a register row writes a Change with the row before and after, who did it, and the request.

Policy: register rows are saved only through `save()` and removed only through `delete()`
here, in the same transaction as their Change; the Change table is append-only (database
triggers), so the history cannot be rewritten by the application either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from docket.accounts.models import User
from docket.register.models import Change, ChangeKey

SKIPPED = {"created_at", "updated_at"}
M = TypeVar("M", bound=Model)
#: Called with (row, before, after) for every change saved, inside its transaction: what
#: follows from a change (finding a renamed person's mentions) without this module knowing it.
ON_SAVED: list[Callable[[Model, dict[str, Any] | None, dict[str, Any]], None]] = []
#: Called with every Change written (create, update, delete, restore), inside its transaction.
ON_WRITTEN: list[Callable[[Change], None]] = []


def snapshot(obj: Model) -> dict[str, Any]:
    """The row's own fields and its many-to-many codes, as JSON-ready values."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED:
            continue
        value = field.value_from_object(obj)
        data[field.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        extra = getattr(obj, "history_extra", None)
        if extra is not None:  # rows that belong to this one (a person's names)
            data.update(extra())
    return data


def _write(action: str, obj: Model, actor: User | None, before: Any, after: Any) -> Change:
    from docket.accounts.middleware import current_request_id

    change = Change.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=action,
        model=obj._meta.model_name or "",
        object_id=obj.pk,
        object_label=str(obj)[:300],
        compartment_id=getattr(obj, "compartment_id", None),
        before=before,
        after=after,
        request_id=current_request_id.get(),
    )
    ChangeKey.objects.bulk_create(ChangeKey.of(change))
    for hook in ON_WRITTEN:
        hook(change)
    return change


def save(
    obj: M,
    *,
    actor: User | None,
    m2m: dict[str, Any] | None = None,
    related: Callable[[M], None] | None = None,
) -> M:
    """Create or update `obj`, set its many-to-many fields from `m2m`, let `related` change
    the rows that belong to it, and record the whole change once."""
    with transaction.atomic():
        before = None
        if obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else None
        if hasattr(obj, "created_by_id") and obj.pk is None and actor is not None:
            obj.created_by = actor  # type: ignore[attr-defined]
        obj.save()
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        if related is not None:
            related(obj)
        after = snapshot(obj)
        if before != after:
            _write("create" if before is None else "update", obj, actor, before, after)
            for hook in ON_SAVED:
                hook(obj, before, after)
    return obj


def delete(obj: Model, *, actor: User | None) -> None:
    with transaction.atomic():
        _write("delete", obj, actor, snapshot(obj), None)
        obj.delete()


def restore(change: Change, *, actor: User | None) -> list[Model]:
    """Undo a deletion whole: the row of `change` and every other register row deleted in the
    same request (an act goes with its perpetrators and evidence links) come back as they were,
    with their own primary keys and many-to-many links, each with a "restore" Change. Rows that
    exist again, or whose deletion was not a request of the web, are left as they are."""
    from django.apps import apps

    if change.action != "delete":
        raise ValueError("only a deletion can be undone")
    if not restorable(change):
        raise ValueError("only a register row can be restored here")
    together = [change]
    if change.request_id:
        together = [
            deleted
            for deleted in Change.objects.filter(
                action="delete", request_id=change.request_id
            ).order_by("-id")
            if restorable(deleted)
        ]
    restored: list[Model] = []
    with transaction.atomic():
        for deleted in together:  # the last deleted first: an act before its links
            model = apps.get_model("register", deleted.model)
            if model._default_manager.filter(pk=deleted.object_id).exists():
                continue
            values, m2m = {}, {}
            for name, value in (deleted.before or {}).items():
                field = next((f for f in model._meta.concrete_fields if f.attname == name), None)
                if field is not None:
                    values[name] = None if value is None else field.to_python(value)
                elif any(f.name == name for f in model._meta.many_to_many):
                    m2m[name] = value
            obj = model(**values)
            obj.save(force_insert=True)
            for name, pks in m2m.items():
                getattr(obj, name).set(pks)
            _write("restore", obj, actor, None, snapshot(obj))
            restored.append(obj)
    return restored


def restorable(change: Change) -> bool:
    """Whether `restore` can bring the row of `change` back: a register row's. Higher apps
    (cases) keep their history in the same table but undo nothing through it."""
    from django.apps import apps

    try:
        apps.get_model("register", change.model)
    except LookupError:
        return False
    return True


def of(obj: Model) -> list[Change]:
    return list(
        Change.objects.filter(model=obj._meta.model_name, object_id=obj.pk).order_by("at", "id")
    )
