"""Media and incidents: the indexed matcher finds exactly the pairs that comparing every item
with every event finds, on random data and at the bounds (inclusive), with day and month
precision read in the local zone across a DST change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from docket.analysis.match import (
    Incident,
    Media,
    brute_force,
    haversine,
    matches,
    window,
)

MINSK = ZoneInfo("Europe/Minsk")
BERLIN = ZoneInfo("Europe/Berlin")
CENTRE = (53.9023, 27.5619)


def _incident(key: int = 1, start: datetime | None = None, precision: str = "exact",
              end: datetime | None = None, end_precision: str = "exact",
              at: tuple[float, float] | None = CENTRE) -> Incident:  # fmt: skip
    return Incident(
        key, start or datetime(2020, 8, 10, 20, 0, tzinfo=UTC), precision, end, end_precision,
        at[0] if at else None, at[1] if at else None,
    )  # fmt: skip


def _media(
    key: int, when: datetime, at: tuple[float, float] = CENTRE, assumed: bool = False
) -> Media:
    return Media(key, when.timestamp(), at[0], at[1], assumed)


def _random(seed: int, items: int, events: int) -> tuple[list[Media], list[Incident]]:
    rng = random.Random(seed)
    base = datetime(2020, 8, 1, tzinfo=UTC)

    def spot() -> tuple[float, float]:
        return CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.08, 0.08)

    media = [
        _media(n, base + timedelta(seconds=rng.randrange(31 * 86400)), spot(), rng.random() < 0.3)
        for n in range(items)
    ]
    incidents = []
    for n in range(events):
        start = base + timedelta(minutes=rng.randrange(31 * 1440))
        precision = rng.choice(["exact", "exact", "exact", "day", "month", "year", "unknown"])
        end = start + timedelta(hours=rng.randrange(6)) if rng.random() < 0.4 else None
        end_precision = rng.choice(["exact", "day"])
        at = spot() if rng.random() < 0.9 else None
        incidents.append(_incident(n, start, precision, end, end_precision, at))
    # Some exactly on a bound: an item right at the edge of an event's widened window.
    for n, incident in enumerate(incidents[:20]):
        span = window(incident, MINSK)
        if span and incident.latitude is not None:
            assert incident.longitude is not None
            edge = (incident.latitude, incident.longitude)
            media.append(Media(items + n, span[1] + 2 * 3600, *edge))
    return media, incidents


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("hours", "km"), [(2, 1), (0, 0.3), (6, 3)])
def test_the_index_finds_what_brute_force_finds(seed: int, hours: float, km: float) -> None:
    media, incidents = _random(seed, 1500, 300)
    fast = matches(media, incidents, seconds=hours * 3600, metres=km * 1000, zone=MINSK)
    slow = brute_force(media, incidents, seconds=hours * 3600, metres=km * 1000, zone=MINSK)
    assert fast == slow
    assert fast  # the random data holds matches, so the comparison means something
    assert fast == sorted(fast, key=lambda m: (m.event, m.item))


def test_both_bounds_are_inclusive() -> None:
    event = _incident(start=datetime(2020, 8, 10, 20, 0, tzinfo=UTC))
    north = (CENTRE[0] + 0.009, CENTRE[1])
    distance = haversine(*CENTRE, *north)
    edge = datetime(2020, 8, 10, 22, 0, tzinfo=UTC)  # the start + 2 h
    media = [
        _media(1, edge, north),
        _media(2, edge + timedelta(seconds=1), north),
        _media(3, datetime(2020, 8, 10, 18, 0, tzinfo=UTC), north),
        _media(4, datetime(2020, 8, 10, 17, 59, 59, tzinfo=UTC), north),
    ]
    for find in (matches, brute_force):
        found = find(media, [event], seconds=7200, metres=distance, zone=MINSK)
        assert [(m.item, m.seconds, m.metres) for m in found] == [
            (1, 7200, round(distance)), (3, 7200, round(distance))
        ]  # fmt: skip
        assert find(media, [event], seconds=7200, metres=distance - 0.01, zone=MINSK) == []


def test_inside_the_window_the_gap_is_nought() -> None:
    event = _incident(
        start=datetime(2020, 8, 10, 20, 0, tzinfo=UTC), end=datetime(2020, 8, 10, 23, 0, tzinfo=UTC)
    )
    media = [_media(1, datetime(2020, 8, 10, 22, 0, tzinfo=UTC), assumed=True)]
    (found,) = matches(media, [event], seconds=0, metres=10, zone=MINSK)
    assert (found.seconds, found.metres, found.zone_assumed) == (0, 0, True)


def test_a_day_is_the_whole_local_day_across_a_dst_change() -> None:
    # 29 March 2020 in Berlin is 23 hours long: 00:00 +01:00 to 23:59:59 +02:00.
    start = datetime(2020, 3, 29, 12, 0, tzinfo=BERLIN)
    event = _incident(start=start, precision="day")
    assert window(event, BERLIN) == (
        datetime(2020, 3, 28, 23, 0, tzinfo=UTC).timestamp(),
        datetime(2020, 3, 29, 21, 59, 59, tzinfo=UTC).timestamp(),
    )
    first = datetime(2020, 3, 28, 23, 0, tzinfo=UTC)
    last = datetime(2020, 3, 29, 21, 59, 59, tzinfo=UTC)
    media = [
        _media(1, first), _media(2, last), _media(3, first - timedelta(seconds=1)),
        _media(4, last + timedelta(seconds=1)),
    ]  # fmt: skip
    for find in (matches, brute_force):
        assert [m.item for m in find(media, [event], seconds=0, metres=5, zone=BERLIN)] == [1, 2]
    # The same day in Minsk (no DST since 2011) is another stretch of UTC.
    assert window(event, MINSK) == (
        datetime(2020, 3, 28, 21, 0, tzinfo=UTC).timestamp(),
        datetime(2020, 3, 29, 20, 59, 59, tzinfo=UTC).timestamp(),
    )


def test_a_month_is_the_whole_local_month_and_a_day_end_widens_the_end() -> None:
    event = _incident(start=datetime(2020, 10, 15, tzinfo=UTC), precision="month")
    low, high = window(event, BERLIN) or (0, 0)
    assert low == datetime(2020, 10, 1, tzinfo=BERLIN).timestamp()
    # October 2020 in Berlin ends in winter time (+01:00).
    assert high == datetime(2020, 10, 31, 22, 59, 59, tzinfo=UTC).timestamp()
    ended = _incident(
        start=datetime(2020, 8, 10, 20, 0, tzinfo=UTC), end=datetime(2020, 8, 11, 6, 0, tzinfo=UTC),
        end_precision="day",
    )  # fmt: skip
    assert window(ended, MINSK) == (
        datetime(2020, 8, 10, 20, 0, tzinfo=UTC).timestamp(),
        datetime(2020, 8, 11, 20, 59, 59, tzinfo=UTC).timestamp(),
    )


@pytest.mark.parametrize("precision", ["year", "estimate", "unknown"])
def test_a_vague_start_never_matches(precision: str) -> None:
    event = _incident(precision=precision)
    media = [_media(1, datetime(2020, 8, 10, 20, 0, tzinfo=UTC))]
    assert matches(media, [event], seconds=10**9, metres=10**7, zone=MINSK) == []
    assert brute_force(media, [event], seconds=10**9, metres=10**7, zone=MINSK) == []


def test_no_point_or_no_start_never_matches() -> None:
    media = [_media(1, datetime(2020, 8, 10, 20, 0, tzinfo=UTC))]
    nowhere = _incident(at=None)
    never = Incident(2, None, "exact", None, "unknown", *CENTRE)
    assert matches(media, [nowhere, never], seconds=10**9, metres=10**7, zone=MINSK) == []


def test_across_the_antimeridian_and_near_a_pole() -> None:
    east = _incident(1, at=(65.0, 179.999))
    polar = _incident(2, at=(89.9999, 10.0))
    when = datetime(2020, 8, 10, 20, 0, tzinfo=UTC)
    media = [_media(1, when, (65.0, -179.999)), _media(2, when, (89.9999, -170.0))]
    for find in (matches, brute_force):
        found = find(media, [east, polar], seconds=0, metres=1000, zone=MINSK)
        assert [(m.item, m.event) for m in found] == [(1, 1), (2, 2)]


def test_haversine_on_the_mean_radius() -> None:
    # One degree of a meridian on a sphere of 6371.0088 km.
    assert haversine(0, 0, 1, 0) == pytest.approx(111_195.08, abs=0.01)
    assert haversine(53.9, 27.56, 53.9, 27.56) == 0


@pytest.mark.parametrize("metres", [float("inf"), 1e300, 1e15])
def test_a_distance_beyond_the_globe_means_anywhere(metres: float) -> None:
    # Antipodes included; neither a division by zero nor billions of grid rows.
    when = datetime(2020, 8, 10, 20, 0, tzinfo=UTC)
    media = [
        _media(1, when),
        _media(2, when, (-CENTRE[0], CENTRE[1] - 180)),
        _media(3, when, (0, 0)),
    ]
    found = matches(media, [_incident()], seconds=0, metres=metres, zone=MINSK)
    assert [m.item for m in found] == [1, 2, 3]
    assert found == brute_force(media, [_incident()], seconds=0, metres=metres, zone=MINSK)
