"""How far an import has got: its own counts, and the enrichment of the items it brought."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from docket.enrich.models import Run
from docket.ingest.models import Batch


@dataclass
class BatchProgress:
    batch: Batch
    items: int = 0
    enriched: int = 0  # items with every enricher finished (done, failed or not applicable)
    runs_done: int = 0
    runs_failed: int = 0
    runs_queued: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.enriched / self.items) if self.items else 100

    def line(self) -> str:
        b = self.batch
        state = "importing" if b.finished_at is None else "imported"
        return (
            f"import {b.pk} ({b.source}) {b.label}: {state}; {b.stored} stored, "
            f"{b.received_again} already held, {len(b.failures)} failed; enrichment "
            f"{self.enriched}/{self.items} items ({self.percent}%), {self.runs_failed} "
            f"enricher failure(s)"
        )

    def as_json(self) -> dict[str, Any]:
        b = self.batch
        return {
            "batch": b.pk,
            "source": b.source,
            "label": b.label,
            "started_at": b.started_at.isoformat(),
            "finished_at": b.finished_at.isoformat() if b.finished_at else None,
            "stored": b.stored,
            "received_again": b.received_again,
            "failed": b.failures,
            "skipped": len(b.skipped),
            "items": self.items,
            "enriched": self.enriched,
            "percent": self.percent,
            "runs": {
                "done": self.runs_done,
                "failed": self.runs_failed,
                "queued": self.runs_queued,
            },
            "failures": self.failures,
        }


def progress_of(batch: Batch, *, failures: int = 50) -> BatchProgress:
    item_ids = batch.entries.values("item_id")
    runs = Run.objects.filter(item_id__in=item_ids)
    progress = BatchProgress(batch, items=batch.entries.count())
    totals = runs.aggregate(
        done=Count("id", filter=Q(state__in=[Run.State.DONE, Run.State.SKIPPED])),
        failed=Count("id", filter=Q(state=Run.State.FAILED)),
        queued=Count("id", filter=Q(state=Run.State.QUEUED)),
    )
    progress.runs_done, progress.runs_failed = totals["done"], totals["failed"]
    progress.runs_queued = totals["queued"]
    # An item is enriched once it has runs and none is still queued.
    per_item = runs.values("item_id").annotate(
        waiting=Count("id", filter=Q(state=Run.State.QUEUED))
    )
    progress.enriched = sum(1 for row in per_item if row["waiting"] == 0)
    for run in runs.filter(state=Run.State.FAILED).order_by("item_id")[:failures]:
        progress.failures.append(f"item {run.item_id}: {run.enricher}: {run.error}")
    return progress
