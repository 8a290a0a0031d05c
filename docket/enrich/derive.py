"""Derived files into the vault: a thumbnail or a clean copy is an item of its own, sealed and
logged like any original, with a custody entry that names the original it came from. It is
stored in its original's compartment and moves with it (`store.move` asks `derived_items`),
unless another original that stays also has it (`shared`): then the move takes a copy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from docket.accounts.models import Compartment
from docket.enrich.models import Derivative
from docket.vault import custody
from docket.vault import store as vault_store
from docket.vault.models import Item
from docket.vault.store import store

ACTOR = "enrich"


def store_derivative(
    original: Item, path: Path, kind: str, *, position: float = 0, tool: str
) -> Derivative:
    with open(path, "rb") as handle:
        stored = store(
            handle,
            actor=ACTOR,
            compartment=original.compartment,
            details={"derived_from": original.sha256, "kind": kind, "tool": tool},
        )
    with transaction.atomic():
        derivative, created = Derivative.objects.update_or_create(
            original=original,
            kind=kind,
            position=position,
            defaults={"derived": stored.item, "tool": tool},
        )
        if created:
            custody.append(
                "derived",
                actor=ACTOR,
                item=original,
                details={"kind": kind, "position": position, "derived": stored.item.sha256,
                         "tool": tool},
            )  # fmt: skip
    return derivative


def derived_items(original: Item) -> Iterable[Item]:
    """The items made from `original`, for `store.move` to take along."""
    return [
        d.derived for d in Derivative.objects.filter(original=original).select_related("derived")
    ]


def shared(derived: Item, target: Compartment) -> bool:
    """Whether `derived` was also made from an original that is not in `target` (after a move
    has put the moving originals there): that original keeps it, the move takes a copy."""
    return Derivative.objects.filter(derived=derived).exclude(original__compartment=target).exists()


def relink(left: Item, there: Item) -> None:
    """A move left `left` behind because the target compartment already holds its content, or
    a copy of it, as `there`: the moved originals' derivatives now name the target's item."""
    Derivative.objects.filter(derived=left, original__compartment=there.compartment).update(
        derived=there
    )


vault_store.DERIVED.append(derived_items)
vault_store.ON_HELD.append(relink)
vault_store.SHARED.append(shared)
