"""Putting originals into the vault and reading them back.

Policy (DESIGN.md §2.1): an original is written once and never changed, and is reported stored
only when it is durable:
  1. stream the bytes once: SHA-256 of the plaintext, age encryption to the vault's public key,
     SHA-256 of the ciphertext, into a staging file; fsync it;
  2. if the content is already held, drop the staging file and record "received again";
  3. otherwise commit the blob under a random name (rename + directory fsync, or an S3 PUT);
  4. in one transaction create the item row and its "received" custody entry;
  5. only then return, so a caller that reports the item never reports an item that a crash
     could take back.
Blob names are random, not content hashes: storage access alone must not confirm that the
vault holds a given known file.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Generator
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

    A new item goes into `compartment` (the instance's default compartment if None); content
    already held stays in the compartment it is in. `on_bytes` is told how many bytes were
    read after each buffer, for progress bars.
    """
    compartment = compartment or default_compartment()
    blobs = blobs or BlobStore.default()
    recipient = keys.recipient()
    plain_hash = hashlib.sha256()

    def consume(buffer: memoryview) -> None:
        plain_hash.update(buffer)
        if on_bytes is not None:
            on_bytes(len(buffer))

    # 1. One pass: hash, encrypt, hash the ciphertext, write; then fsync.
    with blobs.staged_file() as (staged, handle):
        writer = HashingWriter(handle)
        size = age.encrypt(src, writer, [recipient], on_plaintext=consume)
        handle.flush()
        os.fsync(handle.fileno())
        sha256 = plain_hash.hexdigest()

        # 2. to 5.
        return commit_sealed(
            staged,
            Sealed(sha256, size, writer.hash.hexdigest()),
            actor=actor, compartment=compartment, details=details, blobs=blobs,
        )  # fmt: skip


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
    # 2. Already held: the caller discards the staging file.
    known = Item.objects.filter(sha256=sealed.sha256).first()
    if known is not None:
        return _received_again(known, actor, details)

    # 3. Commit the blob under a random name (an hourly actor's with its times set to the hour,
    # so that the file system does not keep what the rows do not).
    name = _blob_name()
    hourly = actor in custody.HOURLY_ACTORS
    blobs.commit(staged, name, times=custody.dated(actor) if hourly else None)

    # 4. The item and its custody entry, in one transaction.
    try:
        with transaction.atomic():
            item = Item.objects.create(
                sha256=sealed.sha256,
                size=sealed.size,
                blob=name,
                blob_sha256=sealed.blob_sha256,
                received_at=custody.dated(actor),
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
    except IntegrityError:
        # Another process stored the same content between our check and our insert.
        blobs.delete(name)
        return _received_again(Item.objects.get(sha256=sealed.sha256), actor, details)
    # 5. Durable and committed: now the caller may report it.
    return Stored(item, True)


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


def _decrypted(blobs: BlobStore, name: str, identity: age.Identity) -> Generator[bytes, None, None]:
    with blobs.open(name) as handle:
        yield from age.decrypt_chunks(handle, [identity])
