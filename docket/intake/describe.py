"""A name for an item that came through the public intake. The intake keeps no file name a
sender's device gave (it can identify them); the pages call the file after its report, its
place among the report's files and its type: "report-12-1.jpg" (docket/vault/describe.py)."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.utils.translation import gettext

from docket.enrich.models import FileType
from docket.intake.models import Attachment
from docket.vault.describe import describer

#: Extensions Python's table gets wrong or lacks for what libmagic says.
EXTENSIONS = {"image/jpeg": ".jpg", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "text/plain": ".txt"}


def extension(mime: str) -> str:
    return EXTENSIONS.get(mime) or mimetypes.guess_extension(mime, strict=False) or ""


@describer
def reported(pks: list[int]) -> dict[int, dict[str, Any]]:
    attachments = Attachment.objects.filter(item_id__in=pks).order_by("id")
    rows = list(attachments.values_list("item_id", "submission_id"))
    if not rows:
        return {}
    mimes = dict(FileType.objects.filter(item_id__in=pks).values_list("item_id", "mime"))
    # Its place among the report's files, counting only files that became items.
    numbers: dict[int, int] = {}
    counted: dict[int, int] = {}
    siblings = Attachment.objects.filter(
        submission_id__in={s for _, s in rows}, item__isnull=False
    ).order_by("id")
    for submission_id, item_id in siblings.values_list("submission_id", "item_id"):
        if item_id not in numbers:
            counted[submission_id] = counted.get(submission_id, 0) + 1
            numbers[item_id] = counted[submission_id]
    found: dict[int, dict[str, Any]] = {}
    for item_id, submission_id in rows:
        assert item_id is not None
        found.setdefault(item_id, {
            "name": f"report-{submission_id}-{numbers.get(item_id, 1)}"
            + extension(mimes.get(item_id, "")),
            "origin": gettext("file %(n)s of report %(report)s from the public intake")
            % {"n": numbers.get(item_id, 1), "report": submission_id},
        })  # fmt: skip
    return found
