"""Putting originals into the vault, moving them between compartments, reading them back.

Policy (docs/design.md §2.1): an original is written once and never changed, and is reported stored
only when it is durable:
  1. stream the bytes once: SHA-256 of the plaintext, age encryption to the vault's public key,
     SHA-256 of the ciphertext, into a staging file; fsync it;
  2. if the compartment already holds the content, drop the staging file and record "received
     again" on that compartment's item;
  3. otherwise commit the blob under a random name (rename + directory fsync, or an S3 PUT);
  4. in one transaction create the item row and its "received" custody entry;
  5. only then return, so a caller that reports the item never reports an item that a crash
     could take back.
Blob names are random, not content hashes: storage access alone must not confirm that the
vault holds a given known file.

Items are per (compartment, content). The same bytes stored in two compartments are two items,
each with its own blob (encrypted anew, so the two blobs differ) and its own custody log;
nothing is looked up, linked, logged or reported across compartments, so storing a file tells
the one storing it nothing about what another compartment holds ("received again" means: this
compartment already holds it).

Moving (`move`): an item goes to another compartment with every item derived from it
(thumbnails, keyframes, contact sheets, clean copies; the `DERIVED` registry names them,
recursively), one "moved" custody entry each, in one transaction. Only items of the
original's own compartment go along: a move never takes an item out of a third compartment.
A compartment never holds the same content twice, so moving never overwrites or merges: a
derived item whose content the target already holds stays where it is, and the target's own
item takes its place beside the moved original (`ON_HELD`); a derived item that something
staying behind also needs (`SHARED`) stays too, and a copy of it, encrypted anew, takes its
place in the target. An original whose content the target already holds is not moved
at all: the caller links what pointed at it to the target's item (`held`) and records custody
on both, or, when the item must also stay where it is for others, stores a `copy` in the target
(a new blob). Triage (docket/intake/inbox/triage.py) does both when it accepts a submission.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction

from docket.accounts.models import Compartment
from docket.lib.storage import BlobStore
from docket.vault import age, custody, keys
from docket.vault.models import Item

#: Called with each new item and the details of its "received" entry, once the item is
#: committed (enrichment queues its jobs here). A derived file's details name its original.
ON_NEW_ITEM: list[Callable[[Item, dict[str, Any]], None]] = []

#: Called with each item moved to another compartment and the compartment it left, inside the
#: move's transaction (enrichment queues the steps that wait for triage here).
ON_MOVED: list[Callable[[Item, Compartment], None]] = []

#: Asked for the items derived from an item (enrichment answers from its Derivative rows);
#: `move` takes them along, and what is derived from them, with their original.
DERIVED: list[Callable[[Item], Iterable[Item]]] = []

#: Called with a derived item left behind by a move because the target compartment already
#: holds its content, or because something that stays needs it (see SHARED) and a copy was
#: stored in the target, and that compartment's item, inside the move's transaction
#: (enrichment points the moved original's derivative at the target's item).
ON_HELD: list[Callable[[Item, Item], None]] = []

#: Asked whether a derived item about to be moved into a compartment also belongs to an item
#: that is not there (two photos that differ only in their metadata share one metadata-free
#: copy): such an item stays, and the move stores a copy of it in the target instead.
SHARED: list[Callable[[Item, Compartment], bool]] = []


@dataclass(frozen=True)
class Stored:
    item: Item
    created: bool  # False: the content was already held ("received again")


class HashingWriter:
    """Writes through to a file while hashing and counting what is written (ciphertext: a
    vault blob, an export package)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.handle.write(data)


def store(
    src: IO[bytes],
    *,
    actor: str,
    compartment: Compartment | None = None,
    details: dict[str, Any] | None = None,
    blobs: BlobStore | None = None,
    on_bytes: Callable[[int], object] | None = None,
) -> Stored:
    """Store one original read from `src` (see the module docstring for the stages).

    The item is `compartment`'s (the instance's default compartment if None): its existing item
    of this content ("received again"), or a new one even when another compartment holds the
    same bytes. `on_bytes` is told how many bytes were
    read after each buffer, for progress bars.
    """
    compartment = compartment or default_compartment()
    blobs = blobs or BlobStore.default()
    # 1. One pass: hash, encrypt, hash the ciphertext, write; then fsync.
    with blobs.staged_file() as (staged, handle):
        sealed = seal(src, handle, on_bytes=on_bytes)
        # 2. to 5.
        return commit_sealed(
            staged, sealed, actor=actor, compartment=compartment, details=details, blobs=blobs
        )


def seal(
    src: IO[bytes], handle: IO[bytes], *, on_bytes: Callable[[int], object] | None = None
) -> Sealed:
    """Stage 1: `src` hashed, encrypted to the vault's key and written to a staging file's
    `handle`, which is then fsynced."""
    plain_hash = hashlib.sha256()

    def consume(buffer: memoryview) -> None:
        plain_hash.update(buffer)
        if on_bytes is not None:
            on_bytes(len(buffer))

    writer = HashingWriter(handle)
    size = age.encrypt(src, writer, [keys.recipient()], on_plaintext=consume)
    handle.flush()
    os.fsync(handle.fileno())
    return Sealed(plain_hash.hexdigest(), size, writer.hash.hexdigest())


@dataclass(frozen=True)
class Staged:
    """A blob sealed and fsynced at `path`, waiting for its batch's commit."""

    path: Path
    sealed: Sealed
    details: dict[str, Any]


def commit_batch(
    staged: list[Staged],
    *,
    actor: str,
    compartment: Compartment | None = None,
    blobs: BlobStore | None = None,
    also: Callable[[list[Stored]], None] | None = None,
) -> list[Stored]:
    """Stages 2 to 5 for many small blobs at once (an import of many files): each blob is
    renamed into place, each directory they went to is fsynced once, then every item row and
    custody entry is written in one transaction (with what `also` writes of the results).
    Only when this returns is any of them durable, and so to be reported. Content given twice,
    or already held, is "received again", as with `store`."""
    compartment = compartment or default_compartment()
    blobs = blobs or BlobStore.default()
    hourly = custody.hourly(actor, compartment)
    names: dict[int, str] = {}  # position in `staged`: its new blob's name
    first: dict[str, int] = {}  # content: its first position in the batch
    already = set(
        Item.objects.filter(
            compartment=compartment, sha256__in={entry.sealed.sha256 for entry in staged}
        ).values_list("sha256", flat=True)
    )  # one query for the batch, not one per file
    for n, entry in enumerate(staged):
        sha256 = entry.sealed.sha256
        if sha256 in first or sha256 in already:
            continue
        first[sha256] = n
        names[n] = _blob_name()
        blobs.commit(
            entry.path, names[n], sync=False,
            times=custody.dated(actor, compartment) if hourly else None,
        )  # fmt: skip
    blobs.sync_dirs(list(names.values()))
    try:
        with transaction.atomic():
            results = _record_batch(staged, names, actor, compartment)
            if also is not None:
                also(results)
        return results
    except IntegrityError:
        pass
    # Another process stored some of this content meanwhile: one at a time, as `store` does.
    results = []
    for n, entry in enumerate(staged):
        if n in names:
            results.append(_record(names[n], entry.sealed, actor, compartment, entry.details,
                                   blobs))  # fmt: skip
        else:
            known = held(entry.sealed.sha256, compartment)
            assert known is not None  # its first copy is recorded above, or was held
            results.append(_received_again(known, actor, entry.details))
    if also is not None:
        with transaction.atomic():
            also(results)
    return results


def _record_batch(
    staged: list[Staged], names: dict[int, str], actor: str, compartment: Compartment
) -> list[Stored]:
    results: list[Stored] = []
    for n, entry in enumerate(staged):
        if n in names:
            item = _new_item(names[n], entry.sealed, actor, compartment, entry.details)
            results.append(Stored(item, True))
            continue
        known = held(entry.sealed.sha256, compartment)
        assert known is not None
        custody.append("received again", actor=actor, item=known, details=entry.details)
        results.append(Stored(known, False))
    return results


@dataclass(frozen=True)
class Sealed:
    """What stage 1 learnt of a staged blob."""

    sha256: str  # of the plaintext
    size: int
    blob_sha256: str  # of the ciphertext


class Sealer:
    """Stage 1 for bytes that arrive in pieces (an upload): write plaintext as it comes, then
    `finish()`. The plaintext never touches the disk."""

    def __init__(self, handle: IO[bytes], recipient: age.Recipient | None = None) -> None:
        self.handle = handle
        self.plain_hash = hashlib.sha256()
        self.writer = HashingWriter(handle)
        self.stream = age.EncryptingWriter(self.writer, [recipient or keys.recipient()])

    def write(self, data: bytes | memoryview) -> int:
        self.plain_hash.update(data)
        return self.stream.write(data)

    @property
    def size(self) -> int:
        return self.stream.size

    def finish(self) -> Sealed:
        self.stream.close()
        self.handle.flush()
        os.fsync(self.handle.fileno())
        return Sealed(self.plain_hash.hexdigest(), self.stream.size, self.writer.hash.hexdigest())


def commit_sealed(
    staged: Path,
    sealed: Sealed,
    *,
    actor: str,
    compartment: Compartment | None = None,
    details: dict[str, Any] | None = None,
    blobs: BlobStore | None = None,
) -> Stored:
    """Stages 2 to 5 for a blob already sealed and fsynced at `staged` (which is moved away or
    left for the caller to remove)."""
    compartment = compartment or default_compartment()
    blobs = blobs or BlobStore.default()
    # 2. Already held in this compartment: the caller discards the staging file.
    known = held(sealed.sha256, compartment)
    if known is not None:
        return _received_again(known, actor, details)

    # 3. Commit the blob under a random name (an hourly actor's, or one in an hourly
    # compartment, with its times set to the hour: the file system keeps no more than the rows).
    name = _blob_name()
    hourly = custody.hourly(actor, compartment)
    blobs.commit(staged, name, times=custody.dated(actor, compartment) if hourly else None)

    # 4. and 5.
    return _record(name, sealed, actor, compartment, details, blobs)


def _record(
    name: str,
    sealed: Sealed,
    actor: str,
    compartment: Compartment,
    details: dict[str, Any] | None,
    blobs: BlobStore,
) -> Stored:
    """4. The item and its custody entry, in one transaction, for a blob committed as `name`."""
    try:
        with transaction.atomic():
            item = _new_item(name, sealed, actor, compartment, details)
    except IntegrityError:
        # Another process stored the same content here between our check and our insert.
        blobs.delete(name)
        return _received_again(
            Item.objects.get(compartment=compartment, sha256=sealed.sha256), actor, details
        )
    # 5. Durable and committed: now the caller may report it.
    return Stored(item, True)


def _new_item(
    name: str, sealed: Sealed, actor: str, compartment: Compartment, details: dict[str, Any] | None
) -> Item:
    """The item row, its "received" entry and the hooks (inside the caller's transaction)."""
    item = Item.objects.create(
        sha256=sealed.sha256,
        size=sealed.size,
        blob=name,
        blob_sha256=sealed.blob_sha256,
        received_at=custody.dated(actor, compartment),
        compartment=compartment,
    )
    custody.append(
        "received",
        actor=actor,
        item=item,
        details={
            **(details or {}),
            "size": sealed.size,
            "blob": name,
            "blob_sha256": item.blob_sha256,
            "compartment": compartment.name,
        },
    )
    for hook in ON_NEW_ITEM:
        hook(item, details or {})
    return item


def held(sha256: str, compartment: Compartment) -> Item | None:
    """`compartment`'s item of this content, if it holds one (never another compartment's)."""
    return Item.objects.filter(compartment=compartment, sha256=sha256).first()


class AlreadyHeld(Exception):
    """The target compartment already holds this content as another item."""

    def __init__(self, item: Item, there: Item) -> None:
        super().__init__(f"compartment {there.compartment_id} already holds {item}")
        self.item, self.there = item, there


def move(
    item: Item, compartment: Compartment, *, actor: str, details: dict[str, Any] | None = None
) -> list[Item]:
    """Move `item` and, recursively, every item derived from it into `compartment`, each with a
    "moved" custody entry, in one transaction; returns the items moved (the original first).

    Raises AlreadyHeld, moving nothing, when `compartment` already holds the original's content.
    A derived item of another compartment is never moved; one whose content `compartment` holds,
    or that something staying behind needs, stays where it is (see ON_HELD and SHARED).
    """
    moved: list[Item] = []
    with transaction.atomic():
        # Lock the rows first: two moves of one item (a double-clicked accept) serialise here.
        item = Item.objects.select_for_update().select_related("compartment").get(pk=item.pk)
        if item.compartment_id == compartment.pk:
            return []
        there = held(item.sha256, compartment)
        if there is not None:
            raise AlreadyHeld(item, there)
        origin = item.compartment
        seen = {item.pk}
        parents: dict[int, str] = {}  # a derived item's pk: its original's sha256
        pending = [item]
        while pending:
            current = pending.pop(0)
            source = current.compartment
            if current.compartment_id != origin.pk:
                continue
            if current is not item:
                there = _in_place_of(
                    current, parents[current.pk], compartment, actor=actor, details=details
                )
                if there is not None:
                    for held_hook in ON_HELD:
                        held_hook(current, there)
                    continue
            Item.objects.filter(pk=current.pk).update(compartment=compartment)
            current.compartment = compartment
            custody.append(
                "moved", actor=actor, item=current,
                details={**(details or {}), "from": source.name, "to": compartment.name},
            )  # fmt: skip
            for hook in ON_MOVED:
                hook(current, source)
            moved.append(current)
            for ask in DERIVED:
                for derived in ask(current):
                    if derived.pk not in seen:
                        seen.add(derived.pk)
                        parents[derived.pk] = current.sha256
                        pending.append(
                            Item.objects.select_for_update()
                            .select_related("compartment")
                            .get(pk=derived.pk)
                        )
    return moved


def _in_place_of(
    derived: Item,
    parent: str,
    compartment: Compartment,
    *,
    actor: str,
    details: dict[str, Any] | None,
) -> Item | None:
    """The item of `compartment` that takes a moving derived item's place: the one it already
    holds, or a copy when something that stays needs `derived`; None when `derived` moves."""
    there = held(derived.sha256, compartment)
    if there is not None or not any(ask(derived, compartment) for ask in SHARED):
        return there
    # Named as derived (from the original it was made from), so nothing enriches it again.
    copied = copy(derived, compartment, actor=actor,
                  details={**(details or {}), "derived_from": parent})  # fmt: skip
    custody.append("copied", actor=actor, item=derived,
                   details={**(details or {}), "to": compartment.name})  # fmt: skip
    return copied.item


def copy(
    item: Item,
    compartment: Compartment,
    *,
    actor: str,
    details: dict[str, Any] | None = None,
    blobs: BlobStore | None = None,
) -> Stored:
    """Store `item`'s content in `compartment` as an item of its own, encrypted anew (a logged
    read of `item`, then `store`). Needs the vault key. The new item's "received" entry names
    the item it copies (`copied_from`), so what was true of the original's origin stays true."""
    chunks = read(item, actor=actor, blobs=blobs)
    stream: Any = ChunkReader(chunks)
    details = {**(details or {}), "copied_from": item.pk}
    return store(stream, actor=actor, compartment=compartment, details=details, blobs=blobs)


class ChunkReader:
    """Chunks as a stream that `age.encrypt` and `store` can read (they only call readinto)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readinto(self, view: memoryview) -> int:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        n = min(len(view), len(self._buffer))
        view[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


DEFAULT_COMPARTMENT = "default"


def default_compartment() -> Compartment:
    found = Compartment.objects.filter(name=DEFAULT_COMPARTMENT).first()
    if found is None:
        raise LookupError(
            f"no compartment {DEFAULT_COMPARTMENT!r}: run `docket init`, or name a compartment"
        )
    return found


def _received_again(item: Item, actor: str, details: dict[str, Any] | None) -> Stored:
    with transaction.atomic():
        custody.append("received again", actor=actor, item=item, details=details or {})
    return Stored(item, False)


def _blob_name() -> str:
    # One level of 256 directories: about 4,000 blobs each at a million items, and a fresh
    # vault creates (and fsyncs) each directory once rather than once per blob.
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token}.age"


def read(item: Item, *, actor: str, blobs: BlobStore | None = None) -> Generator[bytes, None, None]:
    """Decrypted bytes of an original, chunk by chunk. The read is logged before any byte
    leaves; a process without the vault identity fails here with a clear KeyUnavailable."""
    blobs = blobs or BlobStore.default()
    identity = keys.identity()
    with transaction.atomic():
        custody.append("read", actor=actor, item=item)
    return _decrypted(blobs, item.blob, identity)


def read_drawn(item: Item, *, blobs: BlobStore | None = None) -> bytes:
    """The bytes of a small picture Docket drew itself (a thumbnail, a keyframe), for a page to
    show, without a custody entry: the caller has checked what the item is, and audits the page
    that shows it. Originals, and copies that carry a sender's bytes, are read with `read`."""
    blobs = blobs or BlobStore.default()
    return b"".join(_decrypted(blobs, item.blob, keys.identity()))


def _decrypted(blobs: BlobStore, name: str, identity: age.Identity) -> Generator[bytes, None, None]:
    with blobs.open(name) as handle:
        yield from age.decrypt_chunks(handle, [identity])
