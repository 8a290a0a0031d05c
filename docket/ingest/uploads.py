"""Staff upload files from the web into a compartment: resumable, with progress, kept like an
import (a custody entry per file, the file's name in the Imports page and on the item).

Policy:
- Only a user who may upload into the compartment (`item.upload`) starts an upload there, and
  only they see and add to it; everyone else gets 404.
- Each part is sealed to the vault's key as it arrives (docket/vault/segments.py): no
  plaintext byte of it touches the disk. A part counts once it is fsynced, renamed into place
  and its offset committed; a part cut off midway leaves nothing, and the browser resumes
  from the last whole part, also after the page is reloaded (the same name, size and
  compartment find the same upload).
- A worker, which holds the vault key, stores the whole file in the vault (`ingest.upload`),
  with the uploader as the custody actor, and indexes its name for search.
- An upload left unfinished for DOCKET_STAFF_UPLOAD_DAYS is removed by a worker's chore.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts.models import Compartment, User
from docket.ingest.files import index_names
from docket.ingest.models import Batch, BatchItem, WebUpload
from docket.jobs import queue
from docket.lib import filenames
from docket.lib.chores import chore
from docket.lib.storage import BlobStore, fsync_dir
from docket.vault import custody, keys, segments, store

#: The most one request may carry; the pages send parts of 8 MiB.
MAX_PART = 64 * 1024 * 1024
#: Disk space left free for everything else.
RESERVE = 256 * 1024 * 1024


class Refused(Exception):
    """The upload cannot go on; the message says why, for the uploader."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Conflict(Exception):
    """The browser's offset is not the server's: it asks where to resume."""


def spool_dir() -> Path:
    path = BlobStore.default().staging_dir() / "staff-uploads"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def part_path(upload: WebUpload, index: int) -> Path:
    return spool_dir() / str(upload.pk) / f"{index:06d}.age"


def start(
    user: User,
    compartment: Compartment,
    name: str,
    length: int,
    batch: Batch | None = None,
    *,
    fingerprint: str = "",
) -> WebUpload:
    """A new upload, or the unfinished one of the same file to resume. The same file is the
    same name, size and compartment *and* the same `fingerprint` the page sends (the SHA-256
    of its first part and its modification time): two cameras' FILE0001.MOV of one size are
    two files. Without a fingerprint nothing is resumed. `batch` groups the files sent from one
    page into one import."""
    name = filenames.shown(os.path.basename(name.replace("\\", "/")))[:300]
    if not name:
        raise Refused(gettext("The file has no name."))
    if length <= 0:
        raise Refused(gettext("The file is empty: there is nothing to keep."))
    if length > settings.STAFF_UPLOAD_MAX_BYTES:
        raise Refused(
            gettext("The file is larger than %(limit)s, the most one upload may hold.")
            % {"limit": filesizeformat(settings.STAFF_UPLOAD_MAX_BYTES)},
            status=413,
        )
    fingerprint = fingerprint.strip()[:100]
    receiving = WebUpload.objects.filter(user=user, state=WebUpload.State.RECEIVING)
    if fingerprint:
        unfinished = receiving.filter(
            compartment=compartment, name=name, length=length, fingerprint=fingerprint
        ).first()
        if unfinished is not None:
            return unfinished
    # What one person may have on its way at once, and room for the parts and the copy the
    # vault makes of them.
    waiting = sum(u.length - u.offset for u in receiving)
    if waiting + length > settings.STAFF_UPLOAD_MAX_BYTES:
        raise Refused(
            gettext(
                "Your unfinished uploads and this file together pass %(limit)s: finish or let "
                "go of the others first."
            )
            % {"limit": filesizeformat(settings.STAFF_UPLOAD_MAX_BYTES)},
            status=413,
        )
    if shutil.disk_usage(spool_dir()).free < 2 * length + RESERVE:
        raise Refused(gettext("The server's disk is full; try again later."), status=507)
    if batch is None or batch.compartment_id != compartment.pk or batch.source != "web":
        batch = Batch.objects.create(
            source=Batch.Source.WEB, label=user.get_username(), compartment=compartment,
            actor=user.get_username(), started_at=timezone.now(),
        )  # fmt: skip
    return WebUpload.objects.create(
        user=user, compartment=compartment, batch=batch, name=name, length=length,
        fingerprint=fingerprint,
    )  # fmt: skip


def append(upload: WebUpload, offset: int, body: IO[bytes], length: int) -> WebUpload:
    """Seal `length` bytes of `body` as the next part; when the file is whole, queue it for a
    worker to store."""
    if upload.state != WebUpload.State.RECEIVING or offset != upload.offset:
        raise Conflict()
    if length <= 0 or length > MAX_PART or offset + length > upload.length:
        raise Refused(gettext("A part must fit the file and hold at most 64 MiB."), status=413)
    directory = spool_dir() / str(upload.pk)
    if shutil.disk_usage(spool_dir()).free < length + RESERVE:
        raise Refused(gettext("The server's disk is full; try again later."), status=507)
    staged, sealed = segments.seal_part(directory, body, length)
    try:
        with transaction.atomic():
            current = WebUpload.objects.select_for_update().get(pk=upload.pk)
            if current.offset != offset or current.state != WebUpload.State.RECEIVING:
                raise Conflict()
            head = current.fingerprint.split(":", 1)[0]
            if not current.parts and head and sealed.sha256 != head:
                raise Refused(gettext("This is not the file the upload began with."), status=409)
            os.replace(staged, part_path(current, len(current.parts)))
            fsync_dir(directory)
            current.parts = [*current.parts, segments.record(sealed)]
            current.offset = offset + sealed.size
            if current.offset == current.length:
                current.state = WebUpload.State.COMPLETE
                queue.enqueue("ingest.upload", {"upload": current.pk})
            current.save(update_fields=["parts", "offset", "state", "updated_at"])
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
    upload.refresh_from_db()
    return upload


@queue.register("ingest.upload")
def store_job(payload: dict[str, Any]) -> None:
    upload = WebUpload.objects.select_related("batch", "user").get(pk=payload["upload"])
    if upload.state != WebUpload.State.COMPLETE:
        return
    try:
        stored = _store(upload)
    except Exception as exc:
        # Retried with backoff like any job (the key may come back, the disk may have room):
        # the upload stays complete, with the error shown, until the last attempt fails.
        job = queue.current_job()
        last = job is None or job.attempts >= job.max_attempts
        WebUpload.objects.filter(pk=upload.pk).update(
            state=WebUpload.State.FAILED if last else WebUpload.State.COMPLETE, error=str(exc)
        )
        raise
    with transaction.atomic():
        WebUpload.objects.filter(pk=upload.pk).update(
            state=WebUpload.State.STORED,
            item=stored.item,
            already_held=not stored.created,
            error="",
        )
        BatchItem.objects.get_or_create(
            batch=upload.batch, item=stored.item, defaults={"path": upload.name}
        )
        counter = "stored" if stored.created else "received_again"
        Batch.objects.filter(pk=upload.batch_id).update(
            **{counter: F(counter) + 1}, finished_at=timezone.now()
        )
    custody.seal()
    index_names(upload.batch)
    shutil.rmtree(spool_dir() / str(upload.pk), ignore_errors=True)


def _store(upload: WebUpload) -> store.Stored:
    actor = upload.user.get_username()
    details = {"via": "web upload", "path": upload.name, "parts": len(upload.parts)}
    if len(upload.parts) == 1:
        return store.commit_sealed(
            part_path(upload, 0), segments.as_sealed(upload.parts[0]),
            actor=actor, compartment=upload.compartment, details=details,
        )  # fmt: skip
    paths = [part_path(upload, i) for i in range(len(upload.parts))]
    return store.store(
        segments.Reader(paths, upload.parts, keys.identity()),  # type: ignore[arg-type]
        actor=actor, compartment=upload.compartment, details=details,
    )  # fmt: skip


@chore("ingest.sweep-uploads", every_seconds=3600)
def sweep(*, older_than: timedelta | None = None) -> int:
    """Remove uploads nobody finished, with their sealed parts; the parts of failed ones
    (their rows stay, with the error); and the web imports left with no file."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.STAFF_UPLOAD_DAYS))
    stale = list(WebUpload.objects.filter(state=WebUpload.State.RECEIVING, updated_at__lt=cutoff))
    for upload in stale:
        shutil.rmtree(spool_dir() / str(upload.pk), ignore_errors=True)
        upload.delete()
    for failed in WebUpload.objects.filter(state=WebUpload.State.FAILED, updated_at__lt=cutoff):
        shutil.rmtree(spool_dir() / str(failed.pk), ignore_errors=True)
    Batch.objects.filter(
        source=Batch.Source.WEB, uploads__isnull=True, entries__isnull=True
    ).delete()
    return len(stale)
