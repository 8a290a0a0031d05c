"""Counts kept for the pages that would otherwise count over every act on each request: the
registers of persons and units sorted by number of events, the event list's and overview's
"what was done" per type of act when no filter narrows them, and each place's evidence. At
100,000 events and 300,000 acts those take from a few hundred milliseconds to seconds on
PostgreSQL (`COUNT(DISTINCT)` sorts), a few on SQLite.

The tallies are counted whole and stamped with the change history's last entry. Every write to
the register adds a Change (docket/register/history.py), so they are current exactly while no
later Change exists; each change queues `register.tally`, and a worker counts them again. No
page waits for that: until it is done, a page counts what it shows over the acts as before,
or (the sorts by number of events) keeps the last order and says when it was counted; only
when a change has waited longer than LAG (no worker running) does a page count them itself.

Counting anew rather than adjusting counts row by row keeps one definition of each number, the
one a test compares with a count over the acts, with no drift to repair.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from docket.jobs import queue
from docket.register import history
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Involvement,
    Person,
    Tally,
    TallyStamp,
    Unit,
)

JOB = "register.tally"
_LOCK = 0x646F636B  # PostgreSQL advisory lock: one counting at a time


def _tables() -> dict[str, str]:
    return {
        "tally": Tally._meta.db_table,
        "act": Act._meta.db_table,
        "involvement": Involvement._meta.db_table,
        "person": Person._meta.db_table,
        "unit": Unit._meta.db_table,
        "event": Event._meta.db_table,
        "evidencelink": EvidenceLink._meta.db_table,
    }


# A person's events: those of the acts they suffered and of those they took part in, each
# event once (a victim who was also a perpetrator in one event is in one event).
_PERSONS = """
SELECT 'person', p.compartment_id, p.id, COALESCE(n.events, 0), p.display_name
FROM {person} p LEFT JOIN (
    SELECT person_id, COUNT(*) AS events FROM (
        SELECT victim_id AS person_id, event_id FROM {act} WHERE victim_id IS NOT NULL
        UNION
        SELECT i.person_id, a.event_id FROM {involvement} i JOIN {act} a ON a.id = i.act_id
        WHERE i.person_id IS NOT NULL
    ) pairs GROUP BY person_id
) n ON n.person_id = p.id
"""
_UNITS = """
SELECT 'unit', u.compartment_id, u.id, COALESCE(n.events, 0), u.name
FROM {unit} u LEFT JOIN (
    SELECT i.unit_id, COUNT(DISTINCT a.event_id) AS events
    FROM {involvement} i JOIN {act} a ON a.id = i.act_id
    WHERE i.unit_id IS NOT NULL GROUP BY i.unit_id
) n ON n.unit_id = u.id
"""
# Per compartment and place: the links on its events and on their acts, each link once.
_PLACE_EVIDENCE = """
SELECT 'place_evid', compartment_id, place_id, COUNT(DISTINCT link), '' FROM (
    SELECT e.compartment_id, e.place_id, l.id AS link
    FROM {evidencelink} l JOIN {event} e ON e.id = l.event_id WHERE e.place_id IS NOT NULL
    UNION
    SELECT e.compartment_id, e.place_id, l.id FROM {evidencelink} l
    JOIN {act} a ON a.id = l.act_id JOIN {event} e ON e.id = a.event_id
    WHERE e.place_id IS NOT NULL
) links GROUP BY compartment_id, place_id
"""
# Per compartment: an act carries its event's compartment.
_ACT_TYPES = """
SELECT 'act_type', compartment_id, act_type_id, COUNT(DISTINCT event_id), ''
FROM {act} WHERE act_type_id IS NOT NULL GROUP BY compartment_id, act_type_id
"""


def _last_change() -> int:
    return Change.objects.order_by("-id").values_list("id", flat=True).first() or 0


def stamp() -> TallyStamp | None:
    return TallyStamp.objects.order_by("-id").first()


def fresh() -> bool:
    counted = stamp()
    return counted is not None and counted.change_id == _last_change()


Key = tuple[str, int, int]  # kind, compartment, object


def _counted() -> dict[Key, tuple[int, str]]:
    tables = _tables()
    found: dict[Key, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for sql in (_PERSONS, _UNITS, _ACT_TYPES, _PLACE_EVIDENCE):
            cursor.execute(sql.format(**tables))
            for kind, compartment, pk, events, name in cursor.fetchall():
                found[(kind, compartment, pk)] = (events, name[:300])
    return found


def refresh() -> float:
    """Count every tally again; the seconds it took. Counted by reading only; then only the
    rows that differ are written, in a short transaction, so that SQLite's one writer at a
    time (a documenter saving an act) never waits for the counting."""
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with transaction.atomic():  # one counting at a time; readers and writers go on
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            if fresh():  # counted while this one waited
                return 0.0
            return _count(started)
    return _count(started)


def _count(started: float) -> float:
    last = _last_change()  # before the counts: a later change leaves them stale, not wrong
    found = _counted()
    rows = Tally.objects.values_list(
        "pk", "kind", "compartment_id", "object_id", "events", "sort_name"
    )
    kept: dict[Key, tuple[int, int, str]] = {(k, c, o): (pk, e, n) for pk, k, c, o, e, n in rows}
    gone = [pk for key, (pk, _, _) in kept.items() if key not in found]
    changed = [
        Tally(pk=kept[key][0], events=events, sort_name=name)
        for key, (events, name) in found.items()
        if key in kept and kept[key][1:] != (events, name)
    ]
    new = [
        Tally(kind=k, compartment_id=c, object_id=o, events=events, sort_name=name)
        for (k, c, o), (events, name) in found.items()
        if (k, c, o) not in kept
    ]
    with transaction.atomic():
        Tally.objects.filter(pk__in=gone).delete()
        Tally.objects.bulk_update(changed, ["events", "sort_name"], batch_size=500)
        Tally.objects.bulk_create(new, batch_size=1000)
        seconds = round(time.monotonic() - started, 3)
        TallyStamp.objects.all().delete()
        TallyStamp.objects.create(change_id=last, counted_at=timezone.now(), seconds=seconds)
    return seconds


def current() -> None:
    """Make sure the tallies are current (counting them here if not)."""
    if not fresh():
        refresh()


def _summed(kind: str, compartments: set[int], **narrowed: Any) -> dict[int, int] | None:
    """object -> its tallies of this kind summed over the compartments; None while a change has
    not been counted yet (the caller counts over the acts then)."""
    if not fresh():
        return None
    totals: dict[int, int] = {}
    rows = Tally.objects.filter(kind=kind, compartment_id__in=compartments, **narrowed)
    for pk, number in rows.values_list("object_id", "events"):
        totals[pk] = totals.get(pk, 0) + number
    return totals


def evidence_at(places: list[int], compartments: set[int]) -> dict[int, int] | None:
    """The evidence links on each place's events (and their acts) in these compartments."""
    return _summed(Tally.Kind.PLACE_EVIDENCE, compartments, object_id__in=places)


def events_of_units(units: list[int], compartments: set[int]) -> dict[int, int] | None:
    """The events each of these units (of these compartments) took part in."""
    return _summed(Tally.Kind.UNIT, compartments, object_id__in=units)


def events_per_act_type(compartments: set[int]) -> list[dict[str, int]] | None:
    """The 15 types of act done in the most events of these compartments, as the event list
    counts them without a filter (an event is in one compartment, so the sums are exact)."""
    totals = _summed(Tally.Kind.ACT_TYPE, compartments)
    if totals is None:
        return None
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    return [{"act_type_id": k, "count": v} for k, v in ranked]


#: How long a page sorts by counts that miss the latest changes, waiting for a worker to count
#: them again, before it counts them itself (no worker running, or one far behind).
LAG = timedelta(minutes=2)


def ranked(kind: str, compartments: set[int]) -> tuple[QuerySet[Any], datetime | None]:
    """The ids of the persons or units of these compartments, most events first, then by name,
    read in order from the tally's index; and, when the latest changes are not counted yet,
    when the order was counted (the page says so; each row's own numbers are counted live)."""
    counted, last = stamp(), _last_change()
    if counted is None or counted.change_id != last:
        latest = Change.objects.filter(pk=last).values_list("at", flat=True).first()
        if counted is None or (latest is not None and timezone.now() - latest > LAG):
            refresh()
            counted, last = stamp(), _last_change()
    assert counted is not None
    ids = (
        Tally.objects.filter(kind=kind, compartment_id__in=compartments)
        .order_by("-events", "sort_name", "object_id")
        .values_list("object_id", flat=True)
    )
    return ids, None if counted.change_id == last else counted.counted_at


def _changed(change: Change) -> None:
    # After the change commits; one queued counting serves every change made before it runs.
    queue.enqueue(JOB, once=True)


history.ON_WRITTEN.append(_changed)


@queue.register(JOB)
def count_again(payload: dict[str, Any]) -> None:
    current()
