"""The event list's filters and facet counts, shared by the list, the overview, the map and
the exports: one definition of "the events these filters leave", under the access rules."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from docket.accounts import access
from docket.lib import ids, zones
from docket.register import search, tally
from docket.register.models import Act, Event, Place, Term


def _subtree(term_id: str) -> Q:
    """Events with an act whose type is the term or one below it in the hierarchy (a
    semi-join: no duplicate rows, so counts need no DISTINCT)."""
    term = Term.objects.filter(pk=ids.pk(term_id) or 0).first()
    if term is None:
        return Q(pk__in=[])
    types = Term.objects.filter(vocabulary=term.vocabulary).filter(
        Q(code=term.code) | Q(code__startswith=term.code + ".")
    )
    return Q(pk__in=Act.objects.filter(act_type__in=types).values("event_id"))


def _region_ids(place_id: str) -> list[int]:
    """The place and every place under it (a region's cities and their facilities)."""
    found = [n] if (n := ids.pk(place_id)) is not None else []
    frontier = list(found)
    while frontier:
        frontier = list(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


def _day(text: str, *, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    # A day of the instance's zone: the day people in it mean.
    return datetime.combine(day, time.max if end else time.min, tzinfo=zones.instance_zone())


def filtered_events(request: HttpRequest) -> tuple[QuerySet[Event], dict[str, str]]:
    events = access.visible(Event.objects.all(), request.user, "register.view")
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "region", "act", "status", "since", "until")
    }
    if params["q"]:
        # Every matching event, as a subquery: no ranking, no cut-off at some number of hits.
        found = search.matching(
            params["q"], compartments=access.compartment_ids(request.user, "register.view")
        )
        events = events.filter(pk__in=found.filter(kind="event").values("object_id"))
    if params["region"]:
        events = events.filter(place_id__in=_region_ids(params["region"]))
    if params["act"]:
        events = events.filter(_subtree(params["act"]))
    if (status := ids.pk(params["status"])) is not None:
        events = events.filter(violation_status_id=status)
    if since := _day(params["since"]):
        events = events.filter(start__gte=since)
    if until := _day(params["until"], end=True):
        events = events.filter(start__lte=until)
    return events, params


def choices() -> dict[str, Any]:
    """What the filters' menus offer (register/_event_filters.html): the event list and the
    statistics page filter alike."""
    regions = sorted(Place.objects.filter(kind=Place.Kind.REGION), key=lambda p: p.shown)
    return {
        "act_types": Term.objects.filter(vocabulary="act_type", retired=False),
        "statuses": Term.objects.filter(vocabulary="violation_status", retired=False),
        "regions": regions,
    }


NAMES = ("name_en", "name_be", "name_ru")
LABELS = ("label_en", "label_be", "label_ru")


def region_of() -> dict[int, Place]:
    """place id -> its region, for every place (the gazetteer is small)."""
    places = {p.pk: p for p in Place.objects.only("pk", "parent_id", "kind", *NAMES)}
    regions: dict[int, Place] = {}
    for pk, place in places.items():
        current: Place | None = place
        while current is not None and current.kind != Place.Kind.REGION:
            current = places.get(current.parent_id) if current.parent_id else None
        if current is not None:
            regions[pk] = current
    return regions


def _events_per_act_type(acts: QuerySet[Act]) -> list[dict[str, int]]:
    """The 15 types of act done in the most events, with their numbers of events. SQLite
    counts the distinct events of each type from the covering index as it reads it;
    PostgreSQL 15 sorts every act for COUNT(DISTINCT), so there the distinct (type, event)
    pairs are taken first (read in order from the same index, or hashed) and counted."""
    if connection.vendor != "postgresql":
        return list(
            acts.order_by()
            .values("act_type_id")
            .annotate(count=Count("event_id", distinct=True))
            .order_by("-count")[:15]
        )
    try:
        pairs, params = (
            acts.order_by().values("act_type_id", "event_id").distinct().query.sql_with_params()
        )
    except EmptyResultSet:  # a filter that can match nothing (an odd id taken as none)
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT act_type_id, COUNT(*) AS n FROM ({pairs}) AS pairs"  # noqa: S608 (Django's own SQL)
            " GROUP BY act_type_id ORDER BY n DESC LIMIT 15",
            params,
        )
        return [{"act_type_id": row[0], "count": row[1]} for row in cursor.fetchall()]


def facets(events: QuerySet[Event], *, compartments: set[int], narrowed: bool) -> dict[str, Any]:
    """Counts per value of each facet under the filters in force, and `total`, the number of
    events they leave: the regions, the statuses and the total from one grouped query (by
    place and status, answered from the covering index (compartment, place, status)), the
    types of act from another or from the tallies; labels are looked up afterwards, not
    joined."""
    by_region: dict[int, dict[str, Any]] = {}
    by_status: dict[int, int] = {}
    total = 0
    regions = region_of()
    grouped = (
        events.order_by().values("place_id", "violation_status_id").annotate(count=Count("pk"))
    )
    for row in grouped:
        total += row["count"]
        if row["violation_status_id"] is not None:
            status = row["violation_status_id"]
            by_status[status] = by_status.get(status, 0) + row["count"]
        region = regions.get(row["place_id"])
        if region is not None:
            entry = by_region.setdefault(
                region.pk, {"id": region.pk, "label": region.shown, "count": 0}
            )
            entry["count"] += row["count"]
    # Every event of the compartments: counted ahead (docket/register/tally.py), unless a
    # change is not counted yet; else over the acts of the events the filters leave.
    act_counts = None if narrowed else tally.events_per_act_type(compartments)
    if act_counts is None:
        acts = (
            Act.objects.filter(event_id__in=events.order_by().values("pk"))
            if narrowed
            else Act.objects.filter(compartment_id__in=compartments)
        )
        act_counts = _events_per_act_type(acts)
    labels = {
        t.pk: t.shown
        for t in Term.objects.filter(vocabulary__in=["act_type", "violation_status"]).only(
            "pk", *LABELS
        )
    }
    codes = dict(Term.objects.filter(vocabulary="violation_status").values_list("pk", "code"))
    return {
        "region": sorted(by_region.values(), key=lambda r: r["label"]),
        "act": [
            {"id": a["act_type_id"], "label": labels.get(a["act_type_id"], ""), "count": a["count"]}
            for a in act_counts
        ],
        "status": sorted(
            (
                {"id": status, "label": labels.get(status, ""), "count": count}
                for status, count in by_status.items()
            ),
            key=lambda row: codes.get(row["id"], ""),
        ),
        "total": total,
    }
