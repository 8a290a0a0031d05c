"""Files from senders: sealed as they arrive, stored in the vault once whole.

Policy (docs/design.md §2.1, §2.2):
- No plaintext byte of a sender's file touches the disk. A plain form upload is streamed
  through `SealingUploadHandler` (Django would otherwise spool large files to /tmp in clear);
  a resumable upload (tus 1.0: creation, core, termination) seals each PATCH body as one
  segment of its own.
- A segment counts only once it is fsynced, renamed into place and its offset committed; a
  PATCH cut off midway leaves nothing, and the client resumes from the last whole segment.
- A one-segment file becomes a vault item at once, by the intake process (it needs only the
  public key). A file of several segments becomes one item in a worker that holds the vault
  key (`intake.assemble`): it opens the segments in order and stores their plaintext as the
  original, hashed as a whole.
- The file's name on the sender's device is never stored; the upload URL's token is a bearer
  secret kept only as a hash; uploads never attached to a submission are swept after
  DOCKET_INTAKE_UPLOAD_HOURS.
- Once an upload is attached to a submission (the sender was given a receipt for it), it is
  the organisation's: a tus DELETE is refused (403) and the worker stores it whole.
- Creating an upload spends the shared budget DOCKET_INTAKE_UPLOADS_PER_HOUR and reserves its
  declared length against DOCKET_INTAKE_OUTSTANDING_MB until it is stored, abandoned or swept;
  an upload takes at most DOCKET_INTAKE_MAX_PARTS parts, none of them empty (limits.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from docket.accounts.models import Compartment
from docket.intake import limits, placement
from docket.intake.models import Attachment, Submission, Upload, intake_compartment
from docket.jobs import queue
from docket.lib.storage import BlobStore, fsync_dir
from docket.vault import keys, segments, store
from docket.vault.models import Item

ACTOR = "intake"


def spool_dir() -> Path:
    """Sealed segments wait here: beside the vault's staging files, so that committing a
    one-segment upload is a rename on one file system."""
    path = BlobStore.default().staging_dir() / "intake"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Plain form uploads ----------------------------------------------------------------------


class SealedFile(UploadedFile):
    """A form file after sealing: the staged ciphertext and what sealing learnt. It has no name."""

    def __init__(self, path: Path, sealed: store.Sealed) -> None:
        super().__init__(file=None, name="sealed", size=sealed.size)
        self.path = path
        self.sealed = sealed


class SealingUploadHandler(FileUploadHandler):
    """Seals each file of a multipart form to the vault's public key while it streams in."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.refusal: limits.Refused | None = None
        self.staged: list[Path] = []
        self._handle: IO[bytes] | None = None
        self._sealer: store.Sealer | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file_name = ""  # the sender's file name is not kept, even in memory
        try:
            limits.ensure_room(spool_dir(), self.content_length or 0)
        except limits.Refused as refused:
            self.refusal = refused
            raise StopUpload(connection_reset=True) from None
        fd, name = tempfile.mkstemp(prefix="form-", suffix=".part", dir=spool_dir())
        self.staged.append(Path(name))
        self._handle = os.fdopen(fd, "wb")
        self._sealer = store.Sealer(self._handle)
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self._sealer is not None
        try:
            limits.ensure_file_size(self._sealer.size + len(raw_data))
        except limits.Refused as refused:
            self.refusal = refused
            raise StopUpload(connection_reset=True) from None
        self._sealer.write(raw_data)

    def file_complete(self, file_size: int) -> SealedFile | None:
        assert self._sealer is not None and self._handle is not None
        sealed = self._sealer.finish()
        self._handle.close()
        self._handle = self._sealer = None
        return SealedFile(self.staged[-1], sealed)

    def upload_interrupted(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self.discard()

    def discard(self) -> None:
        """Remove whatever staged file was not committed (called when the request ends)."""
        for path in self.staged:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def store_sealed(
    files: list[SealedFile], *, channel: str, compartment: Compartment | None = None
) -> list[Item]:
    """Commit sealed form files as vault items of `compartment`: the intake compartment for a
    new report, the submission's current compartment for a file added to one."""
    compartment = compartment or intake_compartment()
    return [
        store.commit_sealed(
            f.path, f.sealed, actor=ACTOR, compartment=compartment, details={"channel": channel}
        ).item
        for f in files
    ]


def store_chunks(
    chunks: Iterable[bytes], *, channel: str, compartment: Compartment | None = None
) -> Item:
    """Seal a file that came by another channel (a Telegram file, an e-mail attachment) as it
    is read, and store it as a vault item of `compartment` (as for `store_sealed`)."""
    fd, name = tempfile.mkstemp(prefix=f"{channel}-", suffix=".part", dir=spool_dir())
    staged = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            sealer = store.Sealer(handle)
            for chunk in chunks:
                limits.ensure_file_size(sealer.size + len(chunk))
                sealer.write(chunk)
            sealed = sealer.finish()
        return store.commit_sealed(
            staged, sealed, actor=ACTOR, compartment=compartment or intake_compartment(),
            details={"channel": channel},
        ).item  # fmt: skip
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


# --- Resumable uploads (tus 1.0) -------------------------------------------------------------


OUTSTANDING = "outstanding-uploads"


def create(length: int) -> tuple[Upload, str]:
    limits.ensure_file_size(length)
    limits.ensure_room(spool_dir(), length)
    limits.take(
        "uploads",
        per_hour=settings.INTAKE_UPLOADS_PER_HOUR,
        message=limits.UPLOADS_BUSY,
        status=429,
    )
    token = secrets.token_urlsafe(32)
    # The check and the reservation (the new row) happen under one lock: two creations at
    # once cannot both see the room that only one of them fits.
    with transaction.atomic():
        limits.hold(OUTSTANDING)
        limits.ensure_outstanding(outstanding_bytes(), length)
        upload = Upload.objects.create(token_hash=token_hash(token), length=length)
    return upload, token


def outstanding_bytes() -> int:
    """The declared lengths of the uploads not yet stored, failed or past the sweep."""
    cutoff = timezone.now() - timedelta(hours=settings.INTAKE_UPLOAD_HOURS)
    held = (
        Upload.objects.filter(state__in=[Upload.State.RECEIVING, Upload.State.COMPLETE])
        .exclude(submission__isnull=True, updated_at__lt=cutoff)
        .aggregate(total=Sum("length"))["total"]
    )
    return int(held or 0)


def find(token: str) -> Upload | None:
    return Upload.objects.filter(token_hash=token_hash(token)).first()


def segment_path(upload: Upload, index: int) -> Path:
    return spool_dir() / str(upload.pk) / f"{index:06d}.age"


class Conflict(Exception):
    """The client's offset is not the server's: it must ask (HEAD) and resume from there."""


Incomplete = segments.Incomplete


class Attached(Exception):
    """The upload belongs to a report whose receipt was given: it can no longer be abandoned."""


def append(upload: Upload, offset: int, body: IO[bytes], length: int) -> int:
    """Seal `length` bytes read from `body` as the next segment of `upload`; the new offset."""
    if upload.state != Upload.State.RECEIVING or offset != upload.offset:
        raise Conflict()
    if offset + length > upload.length:
        raise limits.Refused(limits.TOO_LARGE, status=413, limit=filesizeformat(upload.length))
    limits.ensure_part(len(upload.segments), length, upload_length=upload.length)
    limits.ensure_room(spool_dir(), length)
    directory = spool_dir() / str(upload.pk)
    staged, sealed = segments.seal_part(directory, body, length)
    try:
        with transaction.atomic():
            current = Upload.objects.select_for_update().get(pk=upload.pk)
            if current.offset != offset or current.state != Upload.State.RECEIVING:
                raise Conflict()
            limits.ensure_part(len(current.segments), length, upload_length=current.length)
            index = len(current.segments)
            os.replace(staged, segment_path(current, index))
            fsync_dir(directory)
            current.segments = [*current.segments, segments.record(sealed)]
            current.offset = offset + sealed.size
            if current.offset == current.length:
                current.state = Upload.State.COMPLETE
            current.save(update_fields=["segments", "offset", "state", "updated_at"])
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()
    upload.refresh_from_db()
    return upload.offset


def terminate(upload: Upload) -> None:
    """Abandon an upload no report names yet. Under the row's lock, so that a report claiming
    it at the same moment either gets it whole or never sees it."""
    with transaction.atomic():
        current = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if current is None:
            return
        if current.submission_id is not None:
            raise Attached()
        current.delete()
    shutil.rmtree(spool_dir() / str(upload.pk), ignore_errors=True)


def claim(tokens: list[str], submission: Submission) -> None:
    """Attach finished uploads to `submission` (inside its transaction); each becomes an
    item now (one segment) or in a worker (several)."""
    for upload in _finished(tokens).select_for_update():
        upload.submission = submission
        upload.save(update_fields=["submission", "updated_at"])
        Attachment.objects.create(submission=submission, upload=upload, size=upload.length)
        Submission.objects.filter(pk=submission.pk).update(
            file_count=F("file_count") + 1, byte_count=F("byte_count") + upload.length
        )
        transaction.on_commit(lambda pk=upload.pk: _store_after_commit(pk))  # type: ignore[misc]


def pending(tokens: list[str]) -> list[Upload]:
    """The finished, unclaimed uploads that `tokens` name (to check limits before claiming)."""
    return list(_finished(tokens))


def _finished(tokens: list[str]) -> QuerySet[Upload]:
    return Upload.objects.filter(
        token_hash__in=[token_hash(t) for t in tokens],
        submission__isnull=True,
        state=Upload.State.COMPLETE,
    )


def _store_after_commit(pk: int) -> None:
    upload = Upload.objects.get(pk=pk)
    if len(upload.segments) == 1:
        store_upload(upload)
    else:
        queue.enqueue("intake.assemble", {"upload": upload.pk}, hourly=True)


def store_upload(upload: Upload) -> Item:
    """Make the vault item of a complete upload, in its submission's current compartment, and
    link it to its attachment."""
    details = {"channel": "web", "resumable": True, "segments": len(upload.segments)}
    submission = upload.submission
    compartment = submission.compartment if submission is not None else intake_compartment()
    if len(upload.segments) == 1:
        stored = store.commit_sealed(
            segment_path(upload, 0),
            segments.as_sealed(upload.segments[0]),
            actor=ACTOR,
            compartment=compartment,
            details=details,
        )
    else:
        stored = store.store(
            segments.Reader(  # type: ignore[arg-type]
                [segment_path(upload, i) for i in range(len(upload.segments))],
                upload.segments,
                keys.identity(),
            ),
            actor=ACTOR,
            compartment=compartment,
            details=details,
        )
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(state=Upload.State.STORED)
        Attachment.objects.filter(upload=upload).update(item=stored.item)
        if submission is not None:
            # Triage may have moved the submission while this file was being stored.
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            placement.follow(locked, [stored.item])
    shutil.rmtree(spool_dir() / str(upload.pk), ignore_errors=True)
    return stored.item


@queue.register("intake.assemble")
def assemble(payload: dict[str, Any]) -> None:
    upload = Upload.objects.get(pk=payload["upload"])
    if upload.state == Upload.State.COMPLETE:
        store_upload(upload)


def sweep(*, older_than: timedelta | None = None) -> int:
    """Discard uploads that never became part of a submission; returns how many."""
    # updated_at is kept to the hour (models.py): an hour more, so never less than promised.
    cutoff = timezone.now() - (older_than or timedelta(hours=settings.INTAKE_UPLOAD_HOURS + 1))
    stale = list(
        Upload.objects.filter(submission__isnull=True, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for pk in stale:
        Upload.objects.filter(pk=pk, submission__isnull=True).delete()
        shutil.rmtree(spool_dir() / str(pk), ignore_errors=True)
    return len(stale)


def recover(*, older_than: timedelta = timedelta(minutes=70)) -> int:
    """Finish uploads that were attached to a report but not stored (a crash in between);
    ten minutes after, plus the hour that updated_at does not say."""
    cutoff = timezone.now() - older_than
    stuck = Upload.objects.filter(
        state=Upload.State.COMPLETE, submission__isnull=False, updated_at__lt=cutoff
    )
    count = 0
    for upload in stuck:
        _store_after_commit(upload.pk)
        count += 1
    return count
