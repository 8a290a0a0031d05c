"""Registers of persons, units and places: found by words in any script, sorted by name or by
events, with counts of events and evidence; only what the user's compartments hold."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from django.utils.html import escape

from docket.register import search
from docket.register.models import Act, Event, EvidenceLink, Involvement, Person, Place, Term, Unit
from docket.vault.store import store
from tests.support.personas import Team, log_in


def test_persons_units_and_places_are_listed_with_their_counts(team: Team, vault: object) -> None:
    place = Place.objects.filter(kind=Place.Kind.FACILITY).first()
    assert place is not None
    event = Event.objects.create(compartment=team.a, title="Yard", place=place,
                                 start=dt.datetime(2020, 8, 11, tzinfo=dt.UTC))  # fmt: skip
    victim = Person.objects.create(compartment=team.a, display_name="Алесь Навумчык")
    officer = Person.objects.create(compartment=team.a, display_name="Officer Kavaliou")
    unit = Unit.objects.create(compartment=team.a, name="ОМОН ГУВД")
    kind = Term.objects.filter(vocabulary="act_type").first()
    degree = Term.objects.filter(vocabulary="involvement_degree").first()
    act = Act.objects.create(compartment=team.a, event=event, victim=victim, act_type=kind)
    Involvement.objects.create(
        compartment=team.a, act=act, person=officer, unit=unit, degree=degree
    )
    item = store(io.BytesIO(b"bodycam"), actor="test", compartment=team.a).item
    EvidenceLink.objects.create(compartment=team.a, act=act, item=item)
    hidden = Person.objects.create(compartment=team.b, display_name="Hrodna Witness")
    for obj in (victim, officer, unit, hidden):
        search.index(obj)

    analyst = Client()
    log_in(analyst, team.owner)
    persons = analyst.get("/register/persons/").content.decode()
    assert "Алесь Навумчык" in persons and "Officer Kavaliou" in persons
    assert "Hrodna Witness" not in persons
    found = analyst.get("/register/persons/", {"q": "Ales Navumchyk"}).content.decode()
    assert "Алесь Навумчык" in found and "Officer Kavaliou" not in found
    row = found[found.index("Алесь Навумчык") :].split("</tr>")[0]
    assert (
        '<td class="num">1</td><td class="num">1</td><td class="num">0</td><td class="num">1</td>'
        in row
    )
    idle = Person.objects.create(compartment=team.a, display_name="Aaron Nobody")
    by_name = analyst.get("/register/persons/").content.decode()
    assert by_name.index("Aaron Nobody") < by_name.index("Officer Kavaliou")
    by_events = analyst.get("/register/persons/", {"sort": "events"}).content.decode()
    assert by_events.index("Officer Kavaliou") < by_events.index(idle.display_name)
    units = analyst.get("/register/units/", {"q": "OMON"}).content.decode()
    assert "ОМОН ГУВД" in units
    places = analyst.get("/register/places/", {"sort": "events"}).content.decode()
    first = places.index("<tbody>")
    assert escape(place.shown) in places[first : first + 600]  # with an event: it comes first
    outsider = Client()
    log_in(outsider, team.outsider)
    assert "Алесь Навумчык" not in outsider.get("/register/persons/").content.decode()
    assert "ОМОН ГУВД" not in outsider.get("/register/units/").content.decode()
    theirs = outsider.get("/register/places/", {"sort": "events"}).content.decode()
    assert '<td class="num">1</td>' not in theirs  # they see none of team a's events


def test_every_search_hit_says_when(team: Team, vault: object) -> None:
    event = Event.objects.create(compartment=team.a, title="Night search of a flat",
                                 start=dt.datetime(2020, 8, 11, 2, 40, tzinfo=dt.UTC))  # fmt: skip
    again = Event.objects.create(compartment=team.a, title="Night search of a flat",
                                 start=dt.datetime(2021, 3, 2, 6, 0, tzinfo=dt.UTC))  # fmt: skip
    for found in (event, again):
        search.index(found)
    analyst = Client()
    log_in(analyst, team.owner)
    page = analyst.get("/register/search/", {"q": "night search"}).content.decode()
    assert "2020-08-11 02:40" in page and "2021-03-02 06:00" in page  # two alike, told apart
