"""The zone an import's cameras' clocks were set to (Batch.time_zone): a clock without an
offset of one of its items is read in it (docket/enrich/clocks.py), unless an analyst set one
for the item itself."""

from __future__ import annotations

from django.db import transaction

from docket.enrich import clocks, media_leads
from docket.enrich.models import Capture
from docket.ingest.models import Batch, BatchItem
from docket.vault.models import Item


def of_item(item: Item) -> str | None:
    """The zone of the latest import of the item that names one."""
    found = (
        BatchItem.objects.filter(item=item).exclude(batch__time_zone="")
        .order_by("-batch_id").values_list("batch__time_zone", flat=True).first()
    )  # fmt: skip
    return found or None


def set_zone(batch: Batch, zone: str) -> int:
    """Set (or, with "", clear) an import's zone and read its items' assumed clocks again;
    returns how many capture times changed."""
    with transaction.atomic():
        batch.time_zone = zone.strip()
        batch.save(update_fields=["time_zone"])
    items = BatchItem.objects.filter(batch=batch).values_list("item_id", flat=True)
    changed = 0
    for capture in Capture.objects.filter(item_id__in=list(items)).select_related("item"):
        if clocks.reread(capture):
            changed += 1
    if changed:
        media_leads.queue_compartment(batch.compartment_id)
    return changed


clocks.add_import_zone(of_item)
