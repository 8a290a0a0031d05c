"""Media and incidents: which pictures and recordings may show which events, by when and where
they were made (docs/analysis.md, "Media and incidents"). Pure: no Django, no database.

An item matches an event when its capture time lies in the event's window widened by H hours
and its capture place lies within K kilometres of the event's point, both bounds inclusive:

- the window is [start − H, end + H], end = start when there is none; a start or an end known
  to the day covers that whole local day (its first to its last second), one known to the month
  the whole local month; a start known to the year only, an estimate, an unknown start or none
  never matches;
- the distance is the haversine distance on a sphere of radius 6371.0088 km (the mean Earth
  radius), between the capture position and the event's point.

Indexed: items are filed in a grid of cells about K km on a side, each cell's items sorted by
time; an event looks only in the cells within reach of its point, and in each only at the
times within its window (two binary searches), then checks the exact distance. `brute_force`
compares every pair and is what the tests and the benchmark check the index against.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

#: The mean Earth radius (IUGG), in metres.
RADIUS = 6_371_008.8
#: Start precisions that give a window; the others ("year", "estimate", "unknown") never match.
WINDOWED = ("exact", "day", "month")
#: The smallest grid cell, in degrees (K = 0 still needs cells).
MIN_CELL = 1e-4
#: Half the circumference, as `haversine` computes it: no two points are farther apart, so a
#: larger K (up to infinity) means this one.
FARTHEST = 2 * RADIUS * math.asin(1.0)


@dataclass(frozen=True, slots=True)
class Media:
    """An item's capture: `at` in seconds since the epoch (UTC), the position in degrees."""

    key: int
    at: float
    latitude: float
    longitude: float
    zone_assumed: bool = False


@dataclass(frozen=True, slots=True)
class Incident:
    """An event's window and point (None where it has none)."""

    key: int
    start: datetime | None
    start_precision: str
    end: datetime | None
    end_precision: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Match:
    item: int
    event: int
    #: How far the capture time is outside the event's window (0 inside it), rounded.
    seconds: int
    #: The distance between the capture place and the event's point, rounded.
    metres: int
    zone_assumed: bool


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * RADIUS * math.asin(min(1.0, math.sqrt(h)))


def _midnight(day: date, zone: tzinfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC).timestamp()


def _bounds(moment: datetime, precision: str, zone: tzinfo) -> tuple[float, float]:
    """The first and the last second a time of this precision may mean, in the local zone."""
    if precision == "day":
        day = moment.astimezone(zone).date()
        return _midnight(day, zone), _midnight(day + timedelta(days=1), zone) - 1
    if precision == "month":
        first = moment.astimezone(zone).date().replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return _midnight(first, zone), _midnight(following, zone) - 1
    at = moment.timestamp()
    return at, at


def window(incident: Incident, zone: tzinfo) -> tuple[float, float] | None:
    """The event's window in seconds since the epoch, before widening; None: it never matches."""
    if incident.start is None or incident.start_precision not in WINDOWED:
        return None
    low, high = _bounds(incident.start, incident.start_precision, zone)
    if incident.end is not None:
        precision = incident.end_precision if incident.end_precision in WINDOWED else "exact"
        high = max(high, _bounds(incident.end, precision, zone)[1])
    return low, high


def gap(at: float, span: tuple[float, float]) -> float:
    """Seconds between a moment and a window: 0 inside it."""
    low, high = span
    return low - at if at < low else at - high if at > high else 0.0


def _check(
    media: Media, incident: Incident, span: tuple[float, float], seconds: float, metres: float
) -> Match | None:
    apart = gap(media.at, span)
    if apart > seconds:
        return None
    assert incident.latitude is not None and incident.longitude is not None
    distance = haversine(incident.latitude, incident.longitude, media.latitude, media.longitude)
    if distance > metres:
        return None
    return Match(media.key, incident.key, round(apart), round(distance), media.zone_assumed)


def _placed(
    incidents: Iterable[Incident], zone: tzinfo
) -> list[tuple[Incident, tuple[float, float]]]:
    return [
        (incident, span)
        for incident in incidents
        if incident.latitude is not None and incident.longitude is not None
        and (span := window(incident, zone)) is not None
    ]  # fmt: skip


def brute_force(
    media: Sequence[Media], incidents: Iterable[Incident], *, seconds: float, metres: float,
    zone: tzinfo,
) -> list[Match]:  # fmt: skip
    """Every pair, checked one by one: what `matches` must equal."""
    found = [
        hit
        for incident, span in _placed(incidents, zone)
        for one in media
        if (hit := _check(one, incident, span, seconds, metres)) is not None
    ]
    return sorted(found, key=lambda m: (m.event, m.item))


class Grid:
    """Items filed by cell (about `metres` on a side), each cell sorted by capture time."""

    def __init__(self, media: Iterable[Media], metres: float) -> None:
        # A whole number of columns around the globe, so that columns wrap at ±180°.
        self.columns = math.ceil(360 / max(math.degrees(metres / RADIUS), MIN_CELL))
        self.cell = 360 / self.columns
        cells: dict[tuple[int, int], list[Media]] = {}
        for one in media:
            cells.setdefault(self._at(one.latitude, one.longitude), []).append(one)
        self.cells: dict[tuple[int, int], tuple[list[float], list[Media]]] = {}
        for key, found in cells.items():
            found.sort(key=lambda m: (m.at, m.key))
            self.cells[key] = ([m.at for m in found], found)

    def _at(self, latitude: float, longitude: float) -> tuple[int, int]:
        return (
            math.floor(latitude / self.cell),
            math.floor((longitude + 180) / self.cell) % self.columns,
        )

    def near(self, latitude: float, longitude: float, metres: float) -> Iterable[tuple[int, int]]:
        """The cells that may hold a point within `metres` of this one (never too few)."""
        reach = math.degrees(metres / RADIUS) * (1 + 1e-9) + 1e-9
        rows = range(
            math.floor((latitude - reach) / self.cell),
            math.floor((latitude + reach) / self.cell) + 1,
        )
        # hav(d) = hav(Δφ) + cos φ1 cos φ2 hav(Δλ): within `metres`, hav(Δλ) is at most
        # hav(metres / R) / (cos φ1 · the smallest cos φ2 within reach).
        lowest = math.cos(math.radians(min(90.0, abs(latitude) + reach)))
        product = math.cos(math.radians(latitude)) * lowest
        bound = math.sin(metres / RADIUS / 2) ** 2 / product if product > 1e-12 else 2.0
        if bound >= 1:
            columns: Iterable[int] = range(self.columns)
        else:
            spread = math.degrees(2 * math.asin(math.sqrt(bound))) * (1 + 1e-9) + 1e-9
            first = math.floor((longitude + 180 - spread) / self.cell)
            last = math.floor((longitude + 180 + spread) / self.cell)
            if last - first + 1 >= self.columns:
                columns = range(self.columns)
            else:
                columns = sorted({c % self.columns for c in range(first, last + 1)})
        return ((row, column) for row in rows for column in columns)


def matches(
    media: Sequence[Media], incidents: Iterable[Incident], *, seconds: float, metres: float,
    zone: tzinfo,
) -> list[Match]:  # fmt: skip
    """Every item–event pair within `seconds` of the window and `metres` of the point, sorted
    by event, then item: through the grid, the same pairs as `brute_force`."""
    metres = min(metres, FARTHEST)
    grid = Grid(media, metres)
    found: list[Match] = []
    for incident, span in _placed(incidents, zone):
        assert incident.latitude is not None and incident.longitude is not None
        low, high = span[0] - seconds, span[1] + seconds
        hits = []
        for key in grid.near(incident.latitude, incident.longitude, metres):
            cell = grid.cells.get(key)
            if cell is None:
                continue
            times, filed = cell
            # A second more each side: `_check` decides at the bounds, as brute force does.
            for one in filed[bisect_left(times, low - 1) : bisect_right(times, high + 1)]:
                hit = _check(one, incident, span, seconds, metres)
                if hit is not None:
                    hits.append(hit)
        found.extend(sorted(hits, key=lambda m: m.item))
    return sorted(found, key=lambda m: (m.event, m.item))
