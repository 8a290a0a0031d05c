"""Map, timeline and charts: the list's filters apply, compartments hold, nothing is fetched
from elsewhere unless the instance names its own tile server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from docket.register.models import Event, Place
from tests.support.personas import Team, log_in


@pytest.fixture
def events(team: Team) -> None:
    okrestina = Place.objects.get(code="facility.okrestina")
    grodno = Place.objects.get(code="city.grodno")
    for day, place in [(10, okrestina), (11, okrestina), (25, grodno)]:
        Event.objects.create(
            compartment=team.a, title=f"event on the {day}th", place=place,
            start=datetime(2020, 8, day, 20, tzinfo=UTC),
        )  # fmt: skip
    Event.objects.create(compartment=team.b, title="other compartment", place=grodno,
                         start=datetime(2020, 9, 6, tzinfo=UTC))  # fmt: skip


def test_the_map_data_counts_events_per_place_within_the_compartment(
    team: Team, events: None
) -> None:
    client = Client()
    log_in(client, team.owner)
    places = {p["name"]: p for p in client.get("/register/events/map.json").json()["places"]}
    assert {n: p["count"] for n, p in places.items()} == {
        "Okrestina Centre for Isolation of Offenders (TsIP), Minsk": 2, "Grodno": 1,
    }  # fmt: skip
    assert places["Grodno"]["lat"] == pytest.approx(53.67, abs=0.01)
    region = Place.objects.get(code="BY-HR").pk
    narrowed = client.get("/register/events/map.json", {"region": region}).json()["places"]
    assert [p["name"] for p in narrowed] == ["Grodno"]


def test_the_overview_draws_a_timeline_and_charts(team: Team, events: None) -> None:
    client = Client()
    log_in(client, team.owner)
    page = client.get("/register/events/overview")
    assert page.context["total"] == 3
    weeks = [(row["label"], row["count"]) for row in page.context["timeline"]["rows"]]
    assert weeks == [("10 Aug 2020", 2), ("24 Aug 2020", 1)]
    assert "since=2020-08-10&amp;until=2020-08-16" in page.content.decode()
    months = [(row["label"], row["count"]) for row in page.context["months"]["rows"]]
    assert months == [("August 2020", 3)]
    regions = {row["label"]: row["count"] for row in page.context["regions"]["rows"]}
    assert regions == {"Minsk (city)": 2, "Grodno Region": 1}
    assert "img-src 'self' data:;" in page["Content-Security-Policy"]


def test_a_tile_server_is_allowed_only_when_configured(settings: object) -> None:
    from docket.accounts.middleware import content_security_policy

    settings.MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"  # type: ignore[attr-defined]
    assert "img-src 'self' data: https://tiles.example.org;" in content_security_policy()
    import os
    import subprocess
    import sys

    env = {**os.environ, "DOCKET_MAP_TILES": "ftp://tiles/{z}"}
    result = subprocess.run(
        [sys.executable, "-m", "docket", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2 and "DOCKET_MAP_TILES must be" in result.stderr


@pytest.mark.parametrize("zone", ["Europe/Minsk", "Asia/Kolkata", "UTC"])
def test_events_per_day_are_those_of_the_instance_zone(team: Team, zone: str) -> None:
    """Counted per hour of UTC on SQLite and put in days here: the same days as the database's
    own conversion, near midnight too, and in a zone half an hour off."""
    import random

    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from docket.register.views_data import _per_day

    rng = random.Random(3)
    for n in range(120):
        at = datetime(2020, 8, 9, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 6))
        Event.objects.create(compartment=team.a, title=f"e{n}", start=at)
    events = Event.objects.filter(compartment=team.a)
    with timezone.override(zone):
        expected = sorted(
            (row["day"], row["n"])
            for row in events.annotate(day=TruncDate("start")).values("day").annotate(n=Count("pk"))
        )
        assert _per_day(events) == expected
        assert sum(n for _, n in expected) == 120 and len(expected) >= 6
