"""Media and incidents from the data: the captures of a compartment's items and its events given
to the matcher (docket/analysis/match.py), and the matches kept as MediaLead rows
(docket/register/media_leads.py says how they are shown and decided).

A compartment's leads are computed again, by the worker, when one of its items' captures is
read or read again, when one of its events' time or place changes (or a place's coordinates),
and when an item moves in or out (`enrich.media-leads`); `docket register leads` does it on
demand. With the defaults DOCKET_MATCH_HOURS and DOCKET_MATCH_KM. Decided leads stay as
decided; undecided ones that no longer match go.

An intake original's position is sealed (docket/enrich/sealed.py): its capture has no clear
position, so it matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model

from docket.accounts.models import Compartment
from docket.analysis import match
from docket.enrich import clocks
from docket.enrich.models import Capture
from docket.jobs import queue
from docket.jobs.models import Job
from docket.lib import zones
from docket.register import history, media_leads
from docket.register.models import Event, MediaLead, Place
from docket.vault import store
from docket.vault.models import Item

JOB = "enrich.media-leads"
#: The event fields a match depends on (history snapshots name them by column).
MATCHED_FIELDS = (
    "start", "start_precision", "end", "end_precision", "place_id", "latitude", "longitude",
)  # fmt: skip


@dataclass(frozen=True)
class Found:
    """The matches of one compartment, with what the output names them by."""

    compartment: Compartment
    matches: list[match.Match]
    sha256: dict[int, str]
    event_ref: dict[int, str | None]


def media(compartment_id: int) -> list[match.Media]:
    """The compartment's items with a capture time and a clear position."""
    rows = Capture.objects.filter(
        item__compartment_id=compartment_id, taken_at__isnull=False,
        latitude__isnull=False, longitude__isnull=False,
    ).values_list("item_id", "taken_at", "latitude", "longitude", "zone_assumed")  # fmt: skip
    found = []
    for pk, at, lat, lon, zone in rows:
        if at is not None and lat is not None and lon is not None:  # as filtered
            found.append(match.Media(pk, at.timestamp(), lat, lon, zone))
    return found


def incidents(compartment_id: int) -> list[match.Incident]:
    found = []
    for event in Event.objects.filter(compartment_id=compartment_id).select_related("place"):
        point = event.point
        found.append(
            match.Incident(
                event.pk, event.start, event.start_precision, event.end, event.end_precision,
                point[0] if point else None, point[1] if point else None,
            )
        )  # fmt: skip
    return found


def compute(compartment: Compartment, *, hours: float, km: float) -> Found:
    """Every item-event pair of one compartment that matches, from the data as it is now."""
    clocks.reread_stale()
    found = match.matches(
        media(compartment.pk), incidents(compartment.pk),
        seconds=hours * 3600, metres=km * 1000, zone=zones.instance_zone(),
    )  # fmt: skip
    items = {m.item for m in found}
    events = {m.event for m in found}
    sha = dict(Item.objects.filter(pk__in=items).values_list("pk", "sha256"))
    refs = dict(Event.objects.filter(pk__in=events).values_list("pk", "import_ref"))
    return Found(compartment, found, sha, {pk: ref or None for pk, ref in refs.items()})


def compartments_with_data() -> list[Compartment]:
    """Compartments holding an item with a capture or an event."""
    with_items = Capture.objects.values_list("item__compartment_id", flat=True).distinct()
    with_events = Event.objects.values_list("compartment_id", flat=True).distinct()
    wanted = set(with_items) | set(with_events)
    return list(Compartment.objects.filter(pk__in=wanted).order_by("name"))


def store_leads(compartment: Compartment) -> dict[str, int]:
    """Compute a compartment's leads with the instance's thresholds and keep them: new ones
    suggested, found ones updated, undecided ones no longer found removed, decided ones kept."""
    found = compute(compartment, hours=settings.MATCH_HOURS, km=settings.MATCH_KM)
    with transaction.atomic():
        existing = {
            (lead.item_id, lead.event_id): lead
            for lead in MediaLead.objects.filter(compartment=compartment)
        }
        new = []
        for hit in found.matches:
            lead = existing.pop((hit.item, hit.event), None)
            if lead is None:
                new.append(
                    MediaLead(
                        compartment=compartment, item_id=hit.item, event_id=hit.event,
                        seconds=hit.seconds, metres=hit.metres, zone_assumed=hit.zone_assumed,
                    )
                )  # fmt: skip
            elif lead.status == MediaLead.Status.SUGGESTED and (
                (lead.seconds, lead.metres, lead.zone_assumed)
                != (hit.seconds, hit.metres, hit.zone_assumed)
            ):
                lead.seconds, lead.metres = hit.seconds, hit.metres
                lead.zone_assumed = hit.zone_assumed
                lead.save(update_fields=["seconds", "metres", "zone_assumed"])
        MediaLead.objects.bulk_create(new, batch_size=1000)
        stale = [lead.pk for lead in existing.values()]
        gone = MediaLead.objects.filter(pk__in=stale, status=MediaLead.Status.SUGGESTED).delete()
        suggested = MediaLead.objects.filter(
            compartment=compartment, status=MediaLead.Status.SUGGESTED
        ).count()
    return {
        "matches": len(found.matches), "new": len(new), "removed": gone[0],
        "suggested": suggested,
    }  # fmt: skip


# The job, and what queues it.


def queue_compartment(compartment_id: int) -> None:
    """Compute a compartment's leads again soon, once for a burst of changes."""

    def maybe() -> None:
        waiting = Job.objects.filter(
            kind=JOB, state=Job.State.QUEUED, payload__compartment=compartment_id
        )
        if not waiting.exists():
            queue.enqueue(JOB, {"compartment": compartment_id})

    transaction.on_commit(maybe)


@queue.register(JOB)
def _job(payload: dict[str, Any]) -> None:
    compartment = Compartment.objects.filter(pk=payload["compartment"]).first()
    if compartment is not None:
        store_leads(compartment)


def captured(item: Item) -> None:
    """An item's capture was read or read again."""
    queue_compartment(item.compartment_id)


def _saved(obj: Model, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """An event's time or point changed, or a place's coordinates: match again."""
    if isinstance(obj, Event) and any(
        (before or {}).get(f) != after.get(f) for f in MATCHED_FIELDS
    ):
        queue_compartment(obj.compartment_id)
    elif (
        before is not None
        and isinstance(obj, Place)
        and any(before.get(f) != after.get(f) for f in ("latitude", "longitude", "precision"))
    ):
        at_place = Event.objects.filter(place=obj).values_list("compartment_id", flat=True)
        for compartment_id in set(at_place):
            queue_compartment(compartment_id)


def _moved(item: Item, source: Compartment) -> None:
    """A moved item meets its new compartment's events: its undecided leads in the old one go
    (an accepted one stays, with its evidence link)."""
    MediaLead.objects.filter(item=item, status=MediaLead.Status.SUGGESTED).delete()
    if Capture.objects.filter(item=item).exists():
        queue_compartment(item.compartment_id)


history.ON_SAVED.append(_saved)
store.ON_MOVED.append(_moved)
media_leads.RECOMPUTE.append(store_leads)
