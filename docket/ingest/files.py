"""`docket import files`: every regular file under the given paths goes into the vault, and
every member of an archive among them (unpacked in the sandbox: docket/ingest/archives.py).

Idempotent by content within the compartment: a file it already holds is recorded as
"received again", never stored twice (a file held only by another compartment is stored
anew), so an interrupted import is resumed by running it again. Symbolic links and special
files (FIFOs, devices) are skipped and reported, never followed: a link can point anywhere, and
reading a FIFO blocks for ever.
"""

from __future__ import annotations

import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from docket.accounts.models import Compartment
from docket.ingest import archives, sealers
from docket.ingest.models import Batch, BatchItem
from docket.lib.storage import BlobStore
from docket.vault import custody, keys
from docket.vault import store as store_module
from docket.vault.models import Item
from docket.vault.store import Stored, store

SEAL_EVERY_SECONDS = 2.0
#: Files up to this size are stored in batches: their blobs' directories are fsynced once and
#: their rows and custody entries written in one transaction per batch. None of a batch is
#: reported before the whole batch is durable. Larger files (and archives) go one by one.
SMALL_BYTES = 1024 * 1024
BATCH_FILES = 64
BATCH_BYTES = 16 * 1024 * 1024


@dataclass
class Found:
    path: Path
    label: str  # the path relative to the argument it was found under
    size: int


@dataclass
class Summary:
    stored: int = 0
    received_again: int = 0
    bytes: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def save_to(self, batch: Batch, *, finished: bool = False) -> None:
        batch.stored, batch.received_again = self.stored, self.received_again
        batch.failures, batch.skipped = self.failed[:1000], self.skipped[:1000]
        if finished:
            batch.finished_at = timezone.now()
        batch.save()

    def as_json(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "received_again": self.received_again,
            "bytes": self.bytes,
            "failed": self.failed,
            "skipped": self.skipped,
        }


def walk(paths: list[Path], summary: Summary) -> Iterator[Found]:
    """Regular files under `paths`, in a stable order; problems go to the summary."""
    for root in paths:
        try:
            info = root.lstat()
        except OSError as exc:
            summary.failed.append({"path": str(root), "error": exc.strerror or str(exc)})
            continue
        if stat.S_ISREG(info.st_mode):
            yield Found(root, root.name, info.st_size)
        elif stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(root, summary)
        else:
            summary.skipped.append({"path": str(root), "reason": _kind(info.st_mode)})


def _walk_dir(root: Path, summary: Summary) -> Iterator[Found]:
    def on_error(exc: OSError) -> None:
        summary.failed.append({"path": str(exc.filename), "error": exc.strerror or str(exc)})

    for directory, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory, name)
            try:
                info = path.lstat()
            except OSError as exc:
                summary.failed.append({"path": str(path), "error": exc.strerror or str(exc)})
                continue
            if stat.S_ISREG(info.st_mode):
                yield Found(path, str(path.relative_to(root.parent)), info.st_size)
            else:
                summary.skipped.append({"path": str(path), "reason": _kind(info.st_mode)})


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link (not followed)"
    return "not a regular file"


def import_files(
    files: list[Found],
    summary: Summary,
    *,
    actor: str,
    compartment: Compartment | None = None,
    batch: Batch | None = None,
    on_stored: Callable[[Found, Stored], None] | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> Summary:
    """Store each file (and each member of an archive); report each one only once it is
    durable; seal checkpoints as we go. Files are sealed (hashed, encrypted, written, fsynced)
    a few ahead in worker processes (docket/ingest/sealers.py) while this process commits
    them, one after another in their order: small files in batches (see SMALL_BYTES), the rest
    one by one, archives here with their members."""
    last_seal = time.monotonic()
    if files:
        keys.recipient()  # no vault key: say so here, before a worker reads any file

    def counted(found: Found, result: Stored) -> None:
        if batch is not None and result.item.pk not in indexed:
            indexed.add(result.item.pk)
            unindexed.append(result.item)
        if result.created:
            summary.stored += 1
            summary.bytes += result.item.size
        else:
            summary.received_again += 1
        if on_stored:
            on_stored(found, result)

    def record(found: Found, result: Stored) -> None:
        if batch is not None:
            BatchItem.objects.get_or_create(
                batch=batch, item=result.item, defaults={"path": found.label[:1000]}
            )

    def stored(found: Found, handle: BinaryIO, *, member: bool = False) -> Stored:
        result = store(
            handle,
            actor=actor,
            compartment=compartment,
            details=_details(found),
            # The progress bar counts the files named on the command line, not what archives
            # among them unpack to (unknown until they are unpacked).
            on_bytes=None if member else on_progress,
        )
        record(found, result)
        counted(found, result)
        return result

    def recorded(results: list[Stored]) -> None:
        """What `stored` records of each result, in the batch's own transaction."""
        if batch is not None:
            BatchItem.objects.bulk_create(
                [
                    BatchItem(batch=batch, item=result.item, path=entry.label[:1000])
                    for entry, result in zip(batched, results, strict=True)
                ],
                ignore_conflicts=True,  # content given twice: one row, as get_or_create
            )

    def flush() -> None:
        """Commit the small files staged so far, then (only then) report them."""
        if not staged:
            return
        results = store_module.commit_batch(
            staged, actor=actor, compartment=compartment, blobs=blobs, also=recorded
        )
        for cleanup in cleanups:
            cleanup.close()
        for entry, result in zip(batched, results, strict=True):
            counted(entry, result)
        staged.clear()
        batched.clear()
        cleanups.clear()

    def settle(found: Found, cleanup: ExitStack, path: Path, sealing: Future[Any]) -> None:
        """The next file in order, once sealed: into the batch, committed alone, or (an
        archive) stored and unpacked here."""
        sealed = pool.wait(sealing, on_progress)
        if sealed is None:
            cleanup.close()
            flush()
            fd = os.open(found.path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb", buffering=0) as handle:
                head = handle.read(512)
                handle.seek(0)
                stored(found, handle)
                if archives.looks_like_archive(head):
                    handle.seek(0)
                    _unpack(found, handle, summary, stored)
        elif sealed.size <= SMALL_BYTES:
            staged.append(store_module.Staged(path, sealed, _details(found)))
            batched.append(found)
            cleanups.append(cleanup)
        else:
            flush()
            with cleanup:
                result = store_module.commit_sealed(
                    path, sealed, actor=actor, compartment=compartment, details=_details(found),
                    blobs=blobs,
                )  # fmt: skip
            record(found, result)
            counted(found, result)

    blobs = BlobStore.default()
    staged: list[store_module.Staged] = []
    batched: list[Found] = []
    cleanups: list[ExitStack] = []  # each staged file's: removes it unless it was committed
    indexed: set[int] = set()
    unindexed: list[Item] = []  # reported, not yet findable by name
    ahead: deque[tuple[Found, ExitStack, Path, Future[Any]]] = deque()

    def settle_next() -> None:
        nonlocal last_seal
        waiting = ahead.popleft()
        try:
            settle(*waiting)
        except OSError as exc:
            waiting[1].close()
            summary.failed.append({"path": str(waiting[0].path), "error": exc.strerror or str(exc)})
        if len(staged) >= BATCH_FILES or sum(e.sealed.size for e in staged) > BATCH_BYTES:
            flush()
        if len(unindexed) >= BATCH_FILES:
            # While the workers seal the next files: findable by name, without waiting for a
            # worker (enrichment indexes them again with what it reads).
            index_items(unindexed)
            unindexed.clear()
        if time.monotonic() - last_seal > SEAL_EVERY_SECONDS:
            flush()
            custody.seal()
            if batch is not None:
                summary.save_to(batch)
            last_seal = time.monotonic()

    # The staging files outlive the workers: they are removed only once no worker writes.
    with ExitStack() as staging, sealers.Sealers() as pool:
        for found in files:
            cleanup = staging.enter_context(ExitStack())
            path, _ = cleanup.enter_context(blobs.staged_file())
            ahead.append((found, cleanup, path, pool.submit(found.path, path)))
            if len(ahead) > sealers.AHEAD:
                settle_next()
        while ahead:
            settle_next()
        flush()
    custody.seal()
    if batch is not None:
        index_items(unindexed)
        summary.save_to(batch, finished=True)
    return summary


def _details(found: Found) -> dict[str, Any]:
    return {"via": "import files", "path": found.label}


def index_names(batch: Batch, chunk: int = 500) -> None:
    """`index_items` for every item of an import, in the order they were stored, a chunk of
    items in memory at a time (an export may hold a hundred thousand)."""
    ids = list(
        BatchItem.objects.filter(batch=batch).order_by("id").values_list("item_id", flat=True)
    )
    for start in range(0, len(ids), chunk):
        some = ids[start : start + chunk]
        found = Item.objects.in_bulk(some)
        index_items([found[pk] for pk in some if pk in found], chunk)


def index_items(items: list[Item], chunk: int = 500) -> None:
    """Make an import's items findable by their file names at once, without waiting for a
    worker (enrichment indexes them again with what it reads). One transaction per chunk."""
    from docket.register import search, sources

    for start in range(0, len(items), chunk):
        some = items[start : start + chunk]
        sources.prime(some)
        with transaction.atomic():
            for item in some:
                search.index(item)


def _unpack(
    archive: Found,
    handle: BinaryIO,
    summary: Summary,
    stored: Callable[..., Stored],
) -> None:
    """The archive itself is already stored; now its members, each an item of its own."""

    def member(name: str, path: Path) -> None:
        with open(path, "rb") as opened:
            found = Found(path, f"{archive.label}!{name}", path.stat().st_size)
            stored(found, opened, member=True)

    result = archives.unpack(handle, member)
    for skip in result.skipped:
        summary.skipped.append(
            {"path": f"{archive.label}!{skip['path']}", "reason": skip["reason"]}
        )
    if result.error:
        summary.failed.append({"path": str(archive.path), "error": result.error})
