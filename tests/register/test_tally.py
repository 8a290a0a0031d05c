"""The counts kept ahead for the sorts by number of events and the event list's counts per type
of act (docket/register/tally.py): the same as counting over the acts, current after any change
made through the history, counted again by the worker, and per compartment. Run under
scripts/with-postgres.sh for the PostgreSQL path."""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Q
from django.test import Client

from docket.jobs.models import Job
from docket.jobs.worker import Worker
from docket.register import history, tally
from docket.register.models import Act, Event, Person, Tally, TallyStamp, Term, Unit
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
    assert _facet(client) == _act_types(team.a)

    # A search narrows the sorted register to what it found, still most events first.
    found = client.get("/register/persons/", {"sort": "events", "q": "Person 0"})
    names = [r["person"].display_name for r in found.context["rows"]]
    assert names and all(n.startswith("Person 0") for n in names)


def test_a_change_through_the_history_is_counted_before_the_next_page(
    team: Team, vault: object, django_capture_on_commit_callbacks: Any
) -> None:
    _random_register(team, random.Random(9))
    client = Client()
    log_in(client, team.owner)
    before = _facet(client)
    assert tally.fresh()
    busiest = client.get("/register/persons/", {"sort": "events"}).context["rows"][0]["person"]

    # The busiest person's acts are deleted one by one as a user would, through the history.
    with django_capture_on_commit_callbacks(execute=True):
        for act in Act.objects.filter(victim=busiest):
            history.delete(act, actor=team.owner)
    assert not tally.fresh()
    assert Job.objects.filter(kind=tally.JOB, state=Job.State.QUEUED).count() == 1

    after = _facet(client)  # the page counts again: nothing shown is out of date
    assert after == _act_types(team.a) and after != before
    rows = client.get("/register/persons/", {"sort": "events"}).context["rows"]
    assert [r["events"] for r in rows] == [_events_of(r["person"]) for r in rows]

    # A worker that finds the tallies current has nothing to count.
    counted = TallyStamp.objects.get().counted_at
    _until_idle()
    assert TallyStamp.objects.get().counted_at == counted


def test_the_worker_counts_again_after_a_change(
    team: Team, vault: object, django_capture_on_commit_callbacks: Any
) -> None:
    _random_register(team, random.Random(11))
    tally.refresh()
    unit = Unit.objects.filter(compartment=team.a).first()
    assert unit is not None
    with django_capture_on_commit_callbacks(execute=True):
        unit.name = "Renamed Unit"
        history.save(unit, actor=team.owner)
    assert not tally.fresh()
    _until_idle()
    assert tally.fresh()
    assert Tally.objects.get(kind="unit", object_id=unit.pk).sort_name == "Renamed Unit"


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
