"""The counts the event list and the registers show, as computed for speed on PostgreSQL (the
act-type facet by distinct pairs, a page's rows by a few grouped queries), against the plain
per-row count on random data: an event with two acts of one type counts once, a link on a
person and on their act counts once. Run under scripts/with-postgres.sh for the PostgreSQL
path."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from django.db.models import Q
from django.test import Client

from docket.register.models import Act, Event, EvidenceLink, Involvement, Person, Place, Term, Unit
from docket.vault.store import store
from tests.support.personas import Team, log_in


def _random_register(team: Team, rng: random.Random) -> None:
    places = list(Place.objects.filter(kind=Place.Kind.FACILITY)[:4])
    types = list(Term.objects.filter(vocabulary="act_type")[:5])
    degree = Term.objects.filter(vocabulary="involvement_degree").first()
    people = [
        Person.objects.create(compartment=team.a, display_name=f"Person {n:02}") for n in range(12)
    ]
    units = [Unit.objects.create(compartment=team.a, name=f"Unit {n}") for n in range(3)]
    items = [
        store(io.BytesIO(f"file {n}".encode()), actor="test", compartment=team.a).item
        for n in range(3)
    ]
    for n in range(15):
        event = Event.objects.create(
            compartment=team.a, title=f"Event {n}", place=rng.choice(places),
            start=datetime(2020, 8, 1 + n, tzinfo=UTC),
        )  # fmt: skip
        for _ in range(rng.randint(0, 4)):  # often two acts of one type in one event
            act = Act.objects.create(
                compartment=team.a, event=event, victim=rng.choice(people),
                act_type=rng.choice(types[:2] if rng.random() < 0.5 else types),
            )  # fmt: skip
            for _ in range(rng.randint(0, 2)):
                Involvement.objects.create(
                    compartment=team.a, act=act, person=rng.choice(people),
                    unit=rng.choice(units), degree=degree,
                )  # fmt: skip
            if rng.random() < 0.4:
                EvidenceLink.objects.create(compartment=team.a, act=act, item=rng.choice(items))
        if rng.random() < 0.3:
            EvidenceLink.objects.create(compartment=team.a, event=event, item=rng.choice(items))
    for person in rng.sample(people, 4):
        EvidenceLink.objects.create(compartment=team.a, person=person, item=rng.choice(items))


def test_counts_are_those_of_the_plain_queries(team: Team, vault: object) -> None:
    rng = random.Random(23)
    _random_register(team, rng)
    client = Client()
    log_in(client, team.owner)

    def act_facet(params: dict[str, str]) -> dict[int, int]:
        page = client.get("/register/events/", params)
        return {f["id"]: f["count"] for f in page.context["facets"]["act"]}

    everything = Act.objects.filter(compartment=team.a)
    expected = {
        t: len(set(everything.filter(act_type_id=t).values_list("event_id", flat=True)))
        for t in set(everything.values_list("act_type_id", flat=True))
    }
    assert act_facet({}) == expected
    assert any(n < everything.filter(act_type_id=t).count() for t, n in expected.items())
    place = Event.objects.filter(compartment=team.a).first().place  # type: ignore[union-attr]
    here = everything.filter(event__place=place)
    assert act_facet({"region": str(place.pk)}) == {
        t: len(set(here.filter(act_type_id=t).values_list("event_id", flat=True)))
        for t in set(here.values_list("act_type_id", flat=True))
    }

    rows = client.get("/register/persons/").context["rows"]
    assert len(rows) == 12
    for row in rows:
        person = row["person"]
        acts = Act.objects.filter(Q(victim=person) | Q(involvements__person=person)).distinct()
        assert (row["events"], row["victim"], row["perpetrator"], row["evidence"]) == (
            acts.values("event").distinct().count(),
            person.acts_suffered.count(),
            person.involvements.count(),
            EvidenceLink.objects.filter(Q(person=person) | Q(act__in=acts)).distinct().count(),
        ), person.display_name
    for row in client.get("/register/units/").context["rows"]:
        acts = Act.objects.filter(involvements__unit=row["unit"]).distinct()
        assert (row["events"], row["members"], row["evidence"]) == (
            acts.values("event").distinct().count(),
            row["unit"].memberships.count(),
            EvidenceLink.objects.filter(act__in=acts).distinct().count(),
        )
    seen = Event.objects.filter(compartment=team.a)
    rows = client.get("/register/places/", {"sort": "events"}).context["rows"]
    assert sum(row["events"] for row in rows) == seen.count()
    for row in rows:
        here_events = seen.filter(place=row["place"])
        assert (row["events"], row["evidence"]) == (
            here_events.count(),
            EvidenceLink.objects.filter(Q(event__in=here_events) | Q(act__event__in=here_events))
            .distinct()
            .count(),
        )
