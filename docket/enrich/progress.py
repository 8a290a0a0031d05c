"""How far one item's enrichment has got."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from docket.enrich.models import Run


@dataclass
class ItemProgress:
    """One item's enrichers by state."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    queued: int = 0
    waiting: int = 0  # for triage: an item from the public intake, not yet accepted

    @property
    def finished(self) -> bool:
        return self.queued == 0 and (self.done + self.failed + self.skipped) > 0


def item_progress(item_id: int) -> ItemProgress:
    counts = dict(Run.objects.filter(item_id=item_id).values_list("state").annotate(n=Count("id")))
    return ItemProgress(
        **{
            state: counts.get(state, 0)
            for state in ("done", "failed", "skipped", "queued", "waiting")
        }
    )
