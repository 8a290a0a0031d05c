"""Abuse limits that identify no one.

Policy (docs/design.md §2.2): intake never keys a limit on an address, a cookie or a fingerprint,
because keeping those would expose the people it serves. Instead:
- budgets shared by every sender (token buckets in the database, so several intake processes
  share them): new submissions per hour, receipt checks per hour, new resumable uploads per
  hour;
- budgets per receipt: messages per day, files and bytes per submission;
- size limits per file, per request and per upload part, a cap on the parts of one upload,
  and empty parts refused, with messages that say what to do;
- a cap on the bytes that resumable uploads not yet stored may still bring: each upload
  reserves its declared length when it is created, under a lock, so concurrent creations
  cannot together pass the cap, and the reservation ends when the upload is stored, abandoned
  or swept;
- a disk reserve: intake stops taking bytes while free space is below it, so a flood cannot
  fill the disk that the vault and the custody log need.
Every refusal says so plainly and loses nothing already acknowledged.

The proof of work (DOCKET_INTAKE_POW_BITS, on by default) never stands between a sender and
an open budget, so nobody without JavaScript (Tor Browser "Safest") is worse off for it: the
page's script works on a signed challenge in the background, and only when a shared budget is
spent does a valid, unused proof let the request through anyway. In a flood, whoever wants
more than the budget pays for it in work, and senders with JavaScript still get through.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docket.intake.models import Budget, SpentProof

BUSY = _(
    "Too many reports are arriving right now. Nothing was saved; please try again in an hour. "
    "If you are in danger, do not wait for this form."
)
MESSAGES_PER_DAY = _(
    "This receipt has sent as many messages as it can today. Please write again tomorrow."
)
UPLOADS_BUSY = _(
    "Too many files are arriving right now. This file was not taken; please try again later."
)
OUTSTANDING = _(
    "The server is holding as many unfinished uploads as it can (%(limit)s). This file was "
    "not taken; please try again later."
)
TOO_MANY_PARTS = _(
    "This upload has as many parts as it can take (%(limit)s). Send the file again in larger parts."
)
EMPTY_PART = _("An empty part was sent. Each part of an upload must carry at least one byte.")
TOO_MANY_FILES = _("This report has as many files as it can take (%(limit)s).")
TOO_LARGE = _("A file is larger than this server takes (%(limit)s). Split it, or send it in parts.")
TOO_MUCH = _("This report has as many bytes as it can take (%(limit)s).")
DISK = _(
    "The server is short of space and cannot take files just now. Nothing was saved; "
    "please try again later."
)


class Refused(Exception):
    """A limit was reached; `message` is for the sender, `status` for the HTTP answer."""

    def __init__(self, message: object, status: int = 429, **values: object) -> None:
        self.message = str(message) % values if values else str(message)
        self.status = status
        super().__init__(self.message)


@dataclass(frozen=True)
class Proof:
    """A signed challenge and the nonce a sender's browser found for it."""

    challenge: str
    nonce: str

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> Proof | None:
        challenge, nonce = data.get("pow_challenge") or "", data.get("pow") or ""
        return cls(str(challenge), str(nonce)) if challenge and nonce else None


POW_SALT = "docket.intake.pow"
POW_SECONDS = 3600


def challenge() -> str:
    """A fresh challenge for a page: random, signed with its time, valid for an hour."""
    return signing.TimestampSigner(salt=POW_SALT).sign(secrets.token_urlsafe(12))


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def _passes(proof: Proof | None) -> bool:
    """Whether `proof` is valid, unexpired and unused; spends it if so."""
    bits = settings.INTAKE_POW_BITS
    if not bits or proof is None or len(proof.nonce) > 32:
        return False
    try:
        signing.TimestampSigner(salt=POW_SALT).unsign(proof.challenge, max_age=POW_SECONDS)
    except signing.BadSignature:
        return False
    digest = hashlib.sha256(f"{proof.challenge}:{proof.nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        return False
    try:
        with transaction.atomic():
            SpentProof.objects.create(digest=hashlib.sha256(proof.challenge.encode()).hexdigest())
    except IntegrityError:
        return False
    return True


def sweep_proofs() -> int:
    cutoff = timezone.now() - timedelta(seconds=POW_SECONDS)
    deleted, _ = SpentProof.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def take(
    name: str,
    *,
    per_hour: int,
    proof: Proof | None = None,
    message: object = BUSY,
    status: int = 503,
) -> None:
    """Spend one token of the shared bucket `name` (capacity and refill: `per_hour`); when it
    is empty, a valid proof of work passes instead, or the request is refused with `message`."""
    now = timezone.now()
    # Created full on first use (get_or_create survives two processes racing to create it),
    # then spent under a row lock so concurrent senders never spend the same token.
    Budget.objects.get_or_create(name=name, defaults={"tokens": per_hour, "updated_at": now})
    with transaction.atomic():
        bucket = Budget.objects.select_for_update().get(name=name)
        elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
        tokens = min(float(per_hour), bucket.tokens + elapsed * per_hour / 3600)
        if tokens < 1:
            if _passes(proof):
                return
            raise Refused(message, status=status)
        bucket.tokens = tokens - 1
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])


def hold(name: str) -> None:
    """Lock the shared row `name` until the caller's transaction ends: whoever checks and then
    spends a limit under it is alone doing so (on PostgreSQL a row lock; SQLite's immediate
    transactions are serial already)."""
    Budget.objects.get_or_create(name=name, defaults={"tokens": 0, "updated_at": timezone.now()})
    Budget.objects.select_for_update().get(name=name)


def ensure_outstanding(held: int, incoming: int) -> None:
    """Refuse a new upload of `incoming` bytes if uploads not yet stored already hold `held`
    and both together pass DOCKET_INTAKE_OUTSTANDING_MB."""
    cap = settings.INTAKE_OUTSTANDING_MB * 1024 * 1024
    if held + incoming > cap:
        raise Refused(OUTSTANDING, status=507, limit=filesizeformat(cap))


def ensure_part(parts: int, size: int, *, upload_length: int) -> None:
    """Refuse an empty part of a non-empty upload, and a part past DOCKET_INTAKE_MAX_PARTS."""
    if size == 0 and upload_length > 0:
        raise Refused(EMPTY_PART, status=400)
    if parts >= settings.INTAKE_MAX_PARTS:
        raise Refused(TOO_MANY_PARTS, status=413, limit=settings.INTAKE_MAX_PARTS)


def ensure_file_size(size: int) -> None:
    if size > settings.INTAKE_MAX_FILE_BYTES:
        raise Refused(TOO_LARGE, status=413, limit=filesizeformat(settings.INTAKE_MAX_FILE_BYTES))


def ensure_room(path: Path, incoming: int) -> None:
    """Refuse `incoming` bytes if they would leave less than the reserve free at `path`."""
    free = shutil.disk_usage(path).free
    if free - incoming < settings.INTAKE_DISK_RESERVE_MB * 1024 * 1024:
        raise Refused(DISK, status=507)


def ensure_files(count: int, size: int, *, adding: int, adding_size: int) -> None:
    if count + adding > settings.INTAKE_MAX_FILES:
        raise Refused(TOO_MANY_FILES, status=413, limit=settings.INTAKE_MAX_FILES)
    if size + adding_size > settings.INTAKE_MAX_SUBMISSION_BYTES:
        raise Refused(
            TOO_MUCH, status=413, limit=filesizeformat(settings.INTAKE_MAX_SUBMISSION_BYTES)
        )
