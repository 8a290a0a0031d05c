"""Abuse limits that identify no one.

Policy (DESIGN.md §2.2): intake never keys a limit on an address, a cookie or a fingerprint,
because keeping those would expose the people it serves. Instead:
- budgets shared by every sender (token buckets in the database, so several intake processes
  share them): new submissions per hour, receipt checks per hour;
- budgets per receipt: messages per day, files and bytes per submission;
- size limits per file and per request, with messages that say what to do;
- a disk reserve: intake stops taking bytes while free space is below it, so a flood cannot
  fill the disk that the vault and the custody log need.
Every refusal says so plainly and loses nothing already acknowledged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docket.intake.models import Budget

BUSY = _(
    "Too many reports are arriving right now. Nothing was saved; please try again in an hour. "
    "If you are in danger, do not wait for this form."
)
MESSAGES_PER_DAY = _(
    "This receipt has sent as many messages as it can today. Please write again tomorrow."
)
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


def take(name: str, *, per_hour: int) -> None:
    """Spend one token of the shared bucket `name` (capacity and refill: `per_hour`)."""
    now = timezone.now()
    # Created full on first use (get_or_create survives two processes racing to create it),
    # then spent under a row lock so concurrent senders never spend the same token.
    Budget.objects.get_or_create(name=name, defaults={"tokens": per_hour, "updated_at": now})
    with transaction.atomic():
        bucket = Budget.objects.select_for_update().get(name=name)
        elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
        tokens = min(float(per_hour), bucket.tokens + elapsed * per_hour / 3600)
        if tokens < 1:
            raise Refused(BUSY, status=503)
        bucket.tokens = tokens - 1
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])


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
