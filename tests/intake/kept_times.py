"""Every time the intake keeps about what senders did, to check that none is finer than the
hour. Runs in the test process or, for an instance, in `docket shell` (`main`)."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime
from typing import Any


def _hourly(at: datetime) -> bool:
    return at.minute == 0 and at.second == 0 and at.microsecond == 0


def intake_times() -> dict[str, Any]:
    """{"checked": {kind: count}, "finer": [kind and value of each time finer than the hour]}."""
    from datetime import UTC

    from docket.intake import models
    from docket.lib.storage import BlobStore
    from docket.vault.models import CustodyEntry, Item

    times: list[tuple[str, datetime]] = []
    fields = {
        models.Submission: ("created_at", "last_from_sender_at"),
        models.Message: ("created_at",),
        models.Upload: ("created_at", "updated_at"),
        models.Attachment: ("created_at",),
        models.ChatMessage: ("created_at",),
        models.FetchedMail: ("created_at",),
    }
    for model, names in fields.items():
        for row in model.objects.all():  # type: ignore[attr-defined]
            for name in names:
                value = getattr(row, name)
                if value is not None:
                    times.append((f"{model.__name__}.{name}", value))
    items: set[int] = set()
    for entry in CustodyEntry.objects.order_by("index"):
        leaf = json.loads(bytes(entry.leaf))
        if leaf["actor"] != "intake":
            continue
        times.append(("custody.created_at", entry.created_at))
        times.append(("custody.leaf.time", datetime.fromisoformat(leaf["time"])))
        if leaf["item"] is not None:
            items.add(leaf["item"])
    storage = BlobStore.default().storage
    for item in Item.objects.filter(pk__in=items):
        times.append(("Item.received_at", item.received_at))
        stat = os.stat(storage.path(item.blob))
        times.append(("blob.mtime", datetime.fromtimestamp(stat.st_mtime, UTC)))
    return {
        "checked": dict(Counter(kind for kind, _ in times)),
        "finer": [f"{kind} {value.isoformat()}" for kind, value in times if not _hourly(value)],
    }


def main() -> None:
    print(json.dumps(intake_times()))
