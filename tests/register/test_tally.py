"""The counts kept ahead for the sorts by number of events and the event list's counts per type
of act (docket/register/tally.py): the same as counting over the acts, current after any change
made through the history, counted again by the worker, and per compartment. Run under
scripts/with-postgres.sh for the PostgreSQL path."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.test import Client

from docket.jobs.models import Job
from docket.jobs.worker import Worker
from docket.register import history, tally
from docket.register.models import Act, Event, EvidenceLink, Person, Place, Tally, Term, Unit
from tests.register.test_register_counts import _random_register
from tests.support.personas import Team, log_in


def _events_of(person: Person) -> int:
    acts = Act.objects.filter(Q(victim=person) | Q(involvements__person=person))
    return acts.values("event").distinct().count()


def _act_types(compartment: Any) -> dict[int, int]:
    acts = Act.objects.filter(compartment=compartment)
    return {
        t: acts.filter(act_type_id=t).values("event").distinct().count()
        for t in set(acts.values_list("act_type_id", flat=True))
    }


def _until_idle() -> None:
    worker = Worker()
    while worker.step():
        pass
    assert not Job.objects.exclude(state=Job.State.DONE).exists()


def _facet(client: Client) -> dict[int, int]:
    page = client.get("/register/events/")
    return {f["id"]: f["count"] for f in page.context["facets"]["act"]}


def test_sorted_by_events_as_counted_over_the_acts(team: Team, vault: object) -> None:
    _random_register(team, random.Random(5))
    # A victim who also took part in an act of the same event is in that event once.
    event = Event.objects.filter(compartment=team.a).first()
    assert event is not None
    both = Person.objects.create(compartment=team.a, display_name="Both Sides")
    kind = Term.objects.filter(vocabulary="act_type").first()
    first = Act.objects.create(compartment=team.a, event=event, victim=both, act_type=kind)
    degree = Term.objects.filter(vocabulary="involvement_degree").first()
    first.involvements.create(compartment=team.a, person=both, degree=degree)
    client = Client()
    log_in(client, team.owner)

    rows = client.get("/register/persons/", {"sort": "events"}).context["rows"]
    assert len(rows) == Person.objects.filter(compartment=team.a).count()
    assert [r["events"] for r in rows] == [_events_of(r["person"]) for r in rows]
    assert [(-r["events"], r["person"].display_name) for r in rows] == sorted(
        (-r["events"], r["person"].display_name) for r in rows
    )
    assert next(r for r in rows if r["person"] == both)["events"] == 1
    units = client.get("/register/units/", {"sort": "events"}).context["rows"]
    counts = [r["events"] for r in units]
    assert counts == sorted(counts, reverse=True) and len(units) == 3
    assert tally.fresh()  # so each row's events came from the tallies
    assert counts == [
        Act.objects.filter(involvements__unit=r["unit"]).values("event").distinct().count()
        for r in units
    ]
    assert _facet(client) == _act_types(team.a)

    # Each place's evidence from the tallies, as counted over the links.
    tally.refresh()
    seen = Event.objects.filter(compartment=team.a)
    for row in client.get("/register/places/", {"sort": "events"}).context["rows"]:
        here = seen.filter(place=row["place"])
        links = EvidenceLink.objects.filter(Q(event__in=here) | Q(act__event__in=here))
        assert row["evidence"] == links.distinct().count(), row["place"]
    assert tally.evidence_at([p.pk for p in Place.objects.all()], {team.a.pk})

    # A search narrows the sorted register to what it found, still most events first.
    found = client.get("/register/persons/", {"sort": "events", "q": "Person 0"})
    names = [r["person"].display_name for r in found.context["rows"]]
    assert names and all(n.startswith("Person 0") for n in names)


def test_a_change_is_never_shown_out_of_date(
    team: Team, vault: object, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    _random_register(team, random.Random(9))
    client = Client()
    log_in(client, team.owner)
    before = _facet(client)
    busiest = client.get("/register/persons/", {"sort": "events"}).context["rows"][0]["person"]
    assert tally.fresh()

    # The busiest person's acts are deleted one by one as a user would, through the history.
    with django_capture_on_commit_callbacks(execute=True):
        for act in Act.objects.filter(victim=busiest):
            history.delete(act, actor=team.owner)
    assert not tally.fresh()
    assert Job.objects.filter(kind=tally.JOB, state=Job.State.QUEUED).count() == 1

    # Before a worker counts again: the list counts over the acts; the sorted register keeps
    # the order it had, says so, and shows each row's numbers as they are now.
    after = _facet(client)
    assert after == _act_types(team.a) and after != before
    page = client.get("/register/persons/", {"sort": "events"})
    assert "the latest changes are being counted" in page.content.decode()
    rows = page.context["rows"]
    assert rows[0]["person"] == busiest and rows[0]["events"] == _events_of(busiest)
    assert [r["events"] for r in rows] == [_events_of(r["person"]) for r in rows]

    # The worker counts again; the order is today's, without the note.
    _until_idle()
    assert tally.fresh()
    page = client.get("/register/persons/", {"sort": "events"})
    assert "the latest changes are being counted" not in page.content.decode()
    counts = [r["events"] for r in page.context["rows"]]
    assert counts == sorted(counts, reverse=True) and page.context["rows"][0]["person"] != busiest
    assert _facet(client) == after

    # With no worker to count, a page counts itself once the change is older than the lag.
    person = page.context["rows"][0]["person"]
    with django_capture_on_commit_callbacks(execute=True):
        for act in Act.objects.filter(victim=person):
            history.delete(act, actor=team.owner)
    monkeypatch.setattr(tally, "LAG", timedelta(0))
    page = client.get("/register/persons/", {"sort": "events"})
    assert tally.fresh() and page.context["rows"][0]["person"] != person


def test_the_worker_counts_again_after_a_change(
    team: Team, vault: object, django_capture_on_commit_callbacks: Any
) -> None:
    _random_register(team, random.Random(11))
    tally.refresh()
    rows = dict(Tally.objects.values_list("pk", "events"))
    unit = Unit.objects.filter(compartment=team.a).first()
    assert unit is not None
    with django_capture_on_commit_callbacks(execute=True):
        unit.name = "Renamed Unit"
        history.save(unit, actor=team.owner)
    assert not tally.fresh()
    _until_idle()
    assert tally.fresh()
    assert Tally.objects.get(kind="unit", object_id=unit.pk).sort_name == "Renamed Unit"
    # Only what differs was written: every row is the one it was, with its numbers.
    assert dict(Tally.objects.values_list("pk", "events")) == rows


def test_each_compartment_sees_its_own(team: Team, vault: object) -> None:
    _random_register(team, random.Random(13))
    theirs = Person.objects.create(compartment=team.b, display_name="Person of Hrodna")
    outsider = Client()
    log_in(outsider, team.outsider)
    rows = outsider.get("/register/persons/", {"sort": "events"}).context["rows"]
    assert [r["person"] for r in rows] == [theirs]
    assert _facet(outsider) == {}
    units = outsider.get("/register/units/", {"sort": "events"}).context["rows"]
    assert units == []
    # The places are everyone's, their events and evidence only the compartment's own.
    assert tally.fresh() and Tally.objects.filter(kind=Tally.Kind.PLACE_EVIDENCE).exists()
    places = outsider.get("/register/places/", {"sort": "events"}).context["rows"]
    assert places and all(r["events"] == 0 and r["evidence"] == 0 for r in places)
