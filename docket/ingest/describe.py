"""An imported item's name on the pages: the file's name in the import, or the Telegram
message it came in (docket/vault/describe.py)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext

from docket.ingest.models import BatchItem, Message
from docket.lib import filenames
from docket.vault.describe import describer


def file_name(path: str) -> str:
    """The last part of a path inside an import ("photos/IMG_0001.jpg", an archive member's
    "evidence.zip!video/clip.mp4")."""
    return filenames.shown(re.split(r"[/\\!]", path.rstrip("/\\"))[-1] or path)


@describer
def imported(pks: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    messages = Message.objects.filter(item_id__in=pks).select_related("collection")
    for message in messages.order_by("id"):
        assert message.item_id is not None
        found.setdefault(message.item_id, {
            "name": gettext("Telegram: %(chat)s, message %(id)s")
            % {"chat": message.collection.name, "id": message.message_id},
            "origin": gettext("sent %(when)s") % {"when": f"{message.sent_at:%Y-%m-%d %H:%M} UTC"},
        })  # fmt: skip
    entries = BatchItem.objects.filter(item_id__in=pks).order_by("id")
    for item_id, path in entries.values_list("item_id", "path"):
        found.setdefault(item_id, {"name": file_name(path), "origin": filenames.shown(path)})
    return found
