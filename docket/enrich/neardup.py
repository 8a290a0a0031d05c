"""The same picture across sources: each item's near-duplicates in its compartment, by the PDQ
hashes of its picture or keyframes (docs/analysis.md; the rules and the index are
docket/analysis/neardup.py).

Policy:
- Never across compartments: an item is compared with the items of its own compartment only.
  Nothing in the intake compartment is compared: its PDQ hashes wait for triage anyway.
- The worker finds them: once the PDQ enricher has hashed an item (`enrich.near-duplicates`),
  and for a whole compartment with `docket match duplicates`. Pages read NearDuplicate rows
  only.
- What is found is what a linear scan of the current hashes finds: every search reads the
  compartment's hashes afresh (no index kept between jobs can go stale). One item's few
  frames are compared by a linear scan; a whole compartment through the index.
- Deciding is a person's: accepted, a pair is confirmed; rejected, it is never suggested again
  and leaves the groups. Both go to the history with who and when; a decided pair stays
  decided, whatever is found later.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from docket.accounts.models import Compartment, User
from docket.enrich.models import NearDuplicate, PerceptualHash
from docket.jobs import queue
from docket.register import history
from docket.vault import store
from docket.vault.models import Item

if TYPE_CHECKING:  # numpy waits for the worker: the web process does not load it to start
    from docket.analysis import neardup as rules

#: Pairs looked up at once (SQLite binds a few hundred parameters comfortably).
CHUNK = 200
#: PDQ's own quality floor (docket/analysis/neardup.py MIN_QUALITY).
MIN_QUALITY = 50


def _in_intake(compartment: Compartment) -> bool:
    return compartment.name == settings.INTAKE_COMPARTMENT


def queue_item(item: Item) -> None:
    """Look for an item's near-duplicates once its PDQ hashes are made."""
    if not _in_intake(item.compartment):
        queue.enqueue("enrich.near-duplicates", {"item": item.pk})


def _moved(item: Item, source: Compartment) -> None:
    """A moved item meets its new compartment's items: what was suggested or rejected in the
    old one goes (a confirmed pair stays, in the old compartment)."""
    NearDuplicate.objects.filter(Q(a=item) | Q(b=item)).exclude(
        status=NearDuplicate.Status.ACCEPTED
    ).delete()
    queue_item(item)


store.ON_MOVED.append(_moved)


@queue.register("enrich.near-duplicates")
def _item_job(payload: dict[str, Any]) -> None:
    item = Item.objects.select_related("compartment").filter(pk=payload["item"]).first()
    if item is not None and not _in_intake(item.compartment):
        scan(item)


def collection(compartment_id: int) -> rules.Collection:
    """The compartment's hashes of quality 50 or more, as they are now."""
    from docket.analysis import neardup as rules

    rows = PerceptualHash.objects.filter(
        item__compartment_id=compartment_id, quality__gte=MIN_QUALITY
    ).order_by("item_id", "at_seconds", "id")
    values = rows.values_list("item_id", "pdq", "at_seconds")
    return rules.Collection(rules.Frame(item, pdq, at) for item, pdq, at in values)


def scan(item: Item) -> int:
    """Find an item's near-duplicates in its compartment and record them; returns how many
    items it matches now (decided pairs included)."""
    found = collection(item.compartment_id).matches_of(item.pk, scan=True)
    return _record(item.compartment_id, found, item=item.pk)


def rescan(compartment: Compartment) -> dict[str, int]:
    """Compare every item of a compartment with every other (after a bulk load that bypassed
    the jobs, or a change to the method)."""
    found = collection(compartment.pk)
    matches = found.all_matches()
    _record(compartment.pk, matches, item=None)
    return {"hashes": len(found.hashes), "items": len(found.rows_of), "pairs": len(matches)}


def _record(compartment_id: int, found: list[rules.Match], *, item: int | None) -> int:
    """Bring the compartment's rows (those of `item`, or all) in line with what was found:
    new pairs suggested, suggested ones that no longer match gone, decided ones kept."""
    with transaction.atomic():
        rows = NearDuplicate.objects.filter(compartment_id=compartment_id)
        if item is not None:
            rows = rows.filter(a_id=item) | rows.filter(b_id=item)
        known = {(r.a_id, r.b_id): r for r in rows.select_for_update()}
        wanted = {(m.a, m.b): m for m in found}
        for pair, stale in known.items():
            if pair not in wanted and stale.status == NearDuplicate.Status.SUGGESTED:
                stale.delete()
        known.update(_elsewhere([pair for pair in wanted if pair not in known]))
        new = []
        for pair, match in wanted.items():
            row = known.get(pair)
            now = (match.distance, match.share, compartment_id)
            if row is None:
                new.append(
                    NearDuplicate(
                        compartment_id=compartment_id, a_id=match.a, b_id=match.b,
                        distance=match.distance, share=match.share,
                    )
                )  # fmt: skip
            elif row.status == NearDuplicate.Status.SUGGESTED and now != (
                row.distance, row.share, row.compartment_id
            ):  # fmt: skip
                row.distance, row.share, row.compartment_id = now
                row.save(update_fields=["distance", "share", "compartment"])
        # Another worker may have recorded one meanwhile: the pair is there either way.
        NearDuplicate.objects.bulk_create(new, ignore_conflicts=True)
    return len(wanted)


def _elsewhere(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], NearDuplicate]:
    """Rows of these pairs recorded in another compartment (both items moved since)."""
    found = {}
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        rows = NearDuplicate.objects.filter(
            a_id__in={a for a, _ in chunk}, b_id__in={b for _, b in chunk}
        )
        wanted = set(chunk)
        found.update({(r.a_id, r.b_id): r for r in rows if (r.a_id, r.b_id) in wanted})
    return found


# Reading.


def shown(rows: QuerySet[NearDuplicate]) -> QuerySet[NearDuplicate]:
    """Pairs still of one compartment, both items in it, and not rejected."""
    return rows.exclude(status=NearDuplicate.Status.REJECTED).filter(
        a__compartment_id=F("compartment_id"), b__compartment_id=F("compartment_id")
    )


def of_item(item: Item) -> list[NearDuplicate]:
    """The item's near-duplicates, closest first."""
    mine = NearDuplicate.objects.filter(compartment_id=item.compartment_id)
    return list(
        shown(mine.filter(a=item) | mine.filter(b=item)).order_by("distance", "status", "id")
    )


@dataclass(frozen=True)
class Group:
    compartment: Compartment
    items: list[int]


def groups(compartments: list[Compartment]) -> list[Group]:
    """Connected components of the near-duplicate graph of each compartment (suggested and
    confirmed pairs), the largest first, never across compartments."""
    from docket.analysis import neardup as rules

    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = shown(NearDuplicate.objects.filter(compartment__in=compartments))
    for compartment_id, a, b in rows.values_list("compartment_id", "a_id", "b_id"):
        pairs[compartment_id].append((a, b))
    found = [
        Group(compartment, members)
        for compartment in compartments
        for members in rules.groups(pairs[compartment.pk])
    ]
    return sorted(found, key=lambda g: (-len(g.items), g.compartment.name, g.items[0]))


# Deciding.


def decide(pair: NearDuplicate, *, accept: bool, user: User) -> NearDuplicate:
    """Confirm or reject a suggested pair, kept in the history with who decided. A pair
    decided already stays as it was (two people pressing at once)."""
    with transaction.atomic():
        pair = NearDuplicate.objects.select_for_update().get(pk=pair.pk)
        if pair.status != NearDuplicate.Status.SUGGESTED:
            return pair
        pair.status = NearDuplicate.Status.ACCEPTED if accept else NearDuplicate.Status.REJECTED
        pair.decided_by, pair.decided_at = user, timezone.now()
        history.save(pair, actor=user)
    return pair
