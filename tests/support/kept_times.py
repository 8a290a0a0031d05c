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

    from django.conf import settings

    from docket.enrich.models import Run
    from docket.intake import models
    from docket.jobs.models import Job
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
    # What sits in the intake compartment (originals and what the worker made of them) and
    # what the intake itself wrote anywhere.
    held = set(
        Item.objects.filter(compartment__name=settings.INTAKE_COMPARTMENT).values_list(
            "pk", flat=True
        )
    )
    items: set[int] = set(held)
    hourly_entries: list[int] = []
    for entry in CustodyEntry.objects.order_by("index"):
        leaf = json.loads(bytes(entry.leaf))
        if leaf["actor"] != "intake" and leaf["item"] not in held:
            continue
        hourly_entries.append(entry.index)
        times.append(("custody.created_at", entry.created_at))
        times.append(("custody.leaf.time", datetime.fromisoformat(leaf["time"])))
        if leaf["item"] is not None:
            items.add(leaf["item"])
    # The checkpoint that first covers such an entry: sealed seconds after it, its signing time
    # would date the entry (its size says which entries it covers).
    from docket.vault.models import Checkpoint

    previous = 0
    for checkpoint in Checkpoint.objects.order_by("size"):
        if any(previous <= index < checkpoint.size for index in hourly_entries):
            times.append(("Checkpoint.signed_at", checkpoint.signed_at))
        previous = checkpoint.size
    storage = BlobStore.default().storage
    for item in Item.objects.filter(pk__in=items):
        times.append(("Item.received_at", item.received_at))
        stat = os.stat(storage.path(item.blob))
        times.append(("blob.mtime", datetime.fromtimestamp(stat.st_mtime, UTC)))
    # The worker's rows about them: jobs and enrichment runs.
    for job in Job.objects.all():
        if job.kind.startswith("intake.") or job.payload.get("item") in held:
            for name in ("created_at", "run_after", "claimed_at", "finished_at"):
                value = getattr(job, name)
                if value is not None:
                    times.append((f"Job.{name}", value))
    for run in Run.objects.filter(item__in=held):
        times.append(("Run.updated_at", run.updated_at))
    return {
        "checked": dict(Counter(kind for kind, _ in times)),
        "finer": [f"{kind} {value.isoformat()}" for kind, value in times if not _hourly(value)],
    }


def main() -> None:
    print(json.dumps(intake_times()))
