"""The custody log: every state change of evidence, append-only, in a signed Merkle tree.

Policy:
- An entry is written in the same transaction as the change it records; no change without
  its entry, no entry without its change.
- An entry's leaf is canonical bytes (sorted-key compact UTF-8 JSON) that include its own
  index, so entries cannot be reordered, and the content hash of the item, so a blob cannot be
  swapped. The leaf is what checkpoints sign; the table's other columns are only for queries.
- Nothing updates or deletes an entry. Appends are serialised by locking the single LogState
  row (PostgreSQL) or by SQLite's IMMEDIATE write transactions.
- An entry written by an actor in HOURLY_ACTORS (the public intake), or about an item of a
  compartment in HOURLY_COMPARTMENTS (the intake's), is dated to the UTC hour, in its leaf and
  its row alike (docket/lib/hours.py): the index, not the time, orders the log, so such an
  entry may carry an earlier time than the one before it.
- Checkpoints (C2SP signed notes) are sealed after each batch of work; each stores its compact
  range so the next seal hashes only the new entries.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from docket.lib import hours
from docket.vault import keys, merkle, notes
from docket.vault.models import Checkpoint, CustodyEntry, Item, LogState, Timestamp

if TYPE_CHECKING:
    from docket.accounts.models import Compartment

log = logging.getLogger(__name__)

LEAF_VERSION = 1

#: Actors whose entries say only the hour (a higher app adds its own: the intake does).
HOURLY_ACTORS: set[str] = set()

#: Compartments (by name) where whatever happens to an item says only the hour: the intake's,
#: whose files the worker reads and derives from seconds after a sender sent them.
HOURLY_COMPARTMENTS: set[str] = set()


def hourly(actor: str, compartment: Compartment | None = None) -> bool:
    """Whether what `actor` records now (about an item of `compartment`) says only the hour."""
    return actor in HOURLY_ACTORS or (
        compartment is not None and compartment.name in HOURLY_COMPARTMENTS
    )


def dated(actor: str, compartment: Compartment | None = None) -> datetime:
    """The time an entry or row made by `actor` (about an item of `compartment`) records."""
    return hours.now() if hourly(actor, compartment) else timezone.now()


def canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def append(
    action: str, *, actor: str, item: Item | None = None, details: dict[str, Any] | None = None
) -> CustodyEntry:
    """Append one entry. Must run inside the transaction that makes the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("custody entries are written inside the change's transaction")
    state = LogState.objects.select_for_update().get(pk=1)
    now = dated(actor, item.compartment if item else None)
    leaf = canonical(
        {
            "v": LEAF_VERSION,
            "index": state.size,
            "time": now.isoformat().replace("+00:00", "Z"),
            "actor": actor,
            "action": action,
            "item": item.pk if item else None,
            "sha256": item.sha256 if item else None,
            "details": details or {},
        }
    )
    entry = CustodyEntry.objects.create(
        index=state.size,
        leaf=leaf,
        leaf_hash=merkle.leaf_hash(leaf),
        action=action,
        item=item,
        created_at=now,
    )
    LogState.objects.filter(pk=1).update(size=state.size + 1)
    return entry


def origin() -> str:
    return LogState.objects.values_list("origin", flat=True).get(pk=1)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


@dataclass
class Head:
    tree_size: int
    root_hash: bytes
    checkpoint: str
    public_key: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "checkpoint": self.checkpoint,
            "public_key": base64.b64encode(self.public_key).decode(),
        }


def head() -> Head:
    latest = latest_checkpoint()
    if latest is None:
        raise keys.KeyUnavailable("the custody log has no checkpoint yet: run `docket init`")
    return Head(latest.size, bytes(latest.root_hash), latest.note, keys.signing_public_key())


def _builder_from(checkpoint: Checkpoint | None) -> merkle.TreeBuilder:
    if checkpoint is None:
        return merkle.TreeBuilder()
    saved = [(height, bytes.fromhex(value)) for height, value in checkpoint.compact_range]
    return merkle.TreeBuilder.resume(checkpoint.size, saved)


def leaf_hashes(start: int = 0, stop: int | None = None, batch: int = 5000) -> Iterator[bytes]:
    """Leaf hashes in index order, read in batches (constant memory)."""
    position = start
    while stop is None or position < stop:
        query = CustodyEntry.objects.filter(index__gte=position).order_by("index")
        if stop is not None:
            query = query.filter(index__lt=stop)
        rows = list(query.values_list("index", "leaf_hash")[:batch])
        if not rows:
            return
        for index, value in rows:
            if index != position:
                raise merkle.ProofError(f"custody entry {position} is missing")
            yield bytes(value)
            position += 1


def _hourly_tail(first: int, size: int) -> bool:
    """Whether entries [first, size) hold one dated to the hour: of an hourly compartment's
    item, or made on the hour by an hourly actor (a rare ordinary entry made in an hour's first
    second also counts, which only dates its checkpoint to the hour)."""
    tail = CustodyEntry.objects.filter(index__gte=first, index__lt=size)
    return (
        tail.filter(item__compartment__name__in=HOURLY_COMPARTMENTS).exists()
        or tail.filter(created_at__minute=0, created_at__second=0).exists()
    )


def seal() -> Checkpoint | None:
    """Sign a checkpoint over every entry appended so far; None if nothing is new.

    Runs in its own transaction; two sealers racing for the same size leave one checkpoint.
    """
    with transaction.atomic():
        state = LogState.objects.select_for_update().filter(pk=1).first()
        if state is None:
            return None  # not initialised yet: nothing can have been appended
        previous = latest_checkpoint()
        if previous is not None and previous.size >= state.size:
            return None
        builder = _builder_from(previous)
        builder.extend(leaf_hashes(builder.size, state.size))
        statement = notes.Checkpoint(state.origin, builder.size, builder.root())
        note = notes.sign_checkpoint(statement, keys.signing_key())
        first = previous.size if previous is not None else 0
        checkpoint = Checkpoint.objects.create(
            size=builder.size,
            root_hash=statement.root_hash,
            note=note,
            compact_range=[[h, v.hex()] for h, v in builder.compact_range()],
            # A checkpoint sealed seconds after an entry dated to the hour (what the public
            # intake stores) would give that entry's time away: it is dated to the hour too.
            signed_at=hours.now() if _hourly_tail(first, builder.size) else timezone.now(),
        )
    if settings.TSA_URL:
        _timestamp(checkpoint, settings.TSA_URL)
    return checkpoint


def _timestamp(checkpoint: Checkpoint, authority: str) -> None:
    """Ask the RFC 3161 authority to timestamp the signed note. A failure is logged, never
    fatal: the checkpoint stands on its signature, and the next checkpoint, which covers this one,
    is timestamped in turn."""
    from docket.lib import tsa

    try:
        token = tsa.request_timestamp(
            authority, checkpoint.note.encode(), timeout=settings.TSA_TIMEOUT
        )
    except tsa.TimestampError as exc:
        log.warning("timestamp authority failed for checkpoint %s: %s", checkpoint.size, exc)
        return
    Timestamp.objects.create(
        checkpoint=checkpoint, authority=authority, token=token, created_at=timezone.now()
    )


@dataclass
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf: bytes
    path: list[bytes]
    root_hash: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf": base64.b64encode(self.leaf).decode(),
            "path": [p.hex() for p in self.path],
            "root_hash": self.root_hash.hex(),
        }


def inclusion_proof(index: int) -> InclusionProof:
    latest = latest_checkpoint()
    if latest is None or not 0 <= index < latest.size:
        size = latest.size if latest else 0
        raise merkle.ProofError(
            f"entry {index} is not covered by the latest checkpoint (tree size {size})"
        )
    hashes = list(leaf_hashes(0, latest.size))
    entry = CustodyEntry.objects.get(index=index)
    return InclusionProof(
        index,
        latest.size,
        bytes(entry.leaf),
        merkle.inclusion_proof(index, hashes),
        bytes(latest.root_hash),
    )


def consistency_proof(first: int, second: int | None = None) -> tuple[int, int, list[bytes]]:
    latest = latest_checkpoint()
    size = latest.size if latest else 0
    second = size if second is None else second
    if not 0 <= first <= second <= size:
        raise merkle.ProofError(
            f"need 0 <= from ({first}) <= to ({second}) <= latest checkpoint ({size})"
        )
    hashes = list(leaf_hashes(0, second))
    return first, second, merkle.consistency_proof(first, hashes)
