"""A form that does not invent people: persons and units are picked from the compartment as one
types (any script), a new one only when asked for; an officer named with a badge and a unit
served there on the act's date; the act's time starts as its event's; methods and injuries are
checkboxes under their parent terms; the one compartment a user records in is chosen for them;
the end's precision follows whether there is an end."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.test import Client

from docket.register.forms import LocalDateTime
from docket.register.models import Event, Membership, Person, Term
from tests.support.personas import Team, log_in


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def test_the_act_form_picks_people_and_records_service(team: Team) -> None:
    analyst = Client()
    log_in(analyst, team.owner)
    event = Event.objects.create(
        compartment=team.a,
        title="Okrestina, night",
        start=dt.datetime(2020, 8, 12, 1, 30, tzinfo=dt.UTC),
    )
    known = Person.objects.create(compartment=team.a, display_name="Алесь Навумчык")
    from docket.register import search

    search.index(known)
    form = analyst.get(f"/register/events/{event.pk}/acts/new").content.decode()
    # the event's time to start with, in the instance's zone with its offset
    assert 'value="2020-08-12 04:30 +03:00"' in form
    assert 'list="names-victim"' in form and 'data-url="/register/events/' in form
    groups = re.findall(r"<div>\s*<label>([^<]+)</label>", form)
    assert groups, "methods and injuries are grouped under their parent terms"
    names = analyst.get(f"/register/events/{event.pk}/names", {"q": "Ales Navumch"}).json()
    assert names == {"names": ["Алесь Навумчык"]}
    outsider = Client()
    log_in(outsider, team.outsider)
    assert outsider.get(f"/register/events/{event.pk}/names", {"q": "Ales"}).status_code == 404

    typo = analyst.post(f"/register/events/{event.pk}/acts/new", {
        "victim": "Алесь Навумчик", "act_type": term("act_type", "20.10").pk,
        "confidence": "alleged",
    }).content.decode()  # fmt: skip
    assert "Did you mean: Алесь Навумчык?" in typo
    analyst.post(f"/register/events/{event.pk}/acts/new", {
        "victim": "Алесь  Навумчык", "act_type": term("act_type", "20.10").pk,
        "start": "2020-08-12 04:30 +03:00",  # as the form came, prefilled
        "perpetrator": "Officer Kavaliou", "perpetrator_new": "on", "badge_number": "0417",
        "unit": "OMON Minsk", "unit_new": "on", "degree": term("involvement_degree", "10").pk,
        "confidence": "alleged",
    })  # fmt: skip
    act = event.acts.get()
    assert act.victim == known and act.start == event.start
    served = Membership.objects.get(person__display_name="Officer Kavaliou")
    assert served.unit.name == "OMON Minsk" and served.badge_number == "0417"
    assert served.start == served.end == dt.date(2020, 8, 12)


def test_the_event_form_chooses_the_compartment_and_the_end_precision(team: Team) -> None:
    analyst = Client()
    log_in(analyst, team.owner)
    form = analyst.get("/register/events/new").content.decode()
    assert f'<option value="{team.a.pk}" selected>' in form
    analyst.post("/register/events/new", {
        "compartment": team.a.pk, "title": "No end given", "start": "2020-08-10 22:00",
        "start_precision": "exact", "end_precision": "day", "confidentiality": "internal",
    })  # fmt: skip
    assert Event.objects.get(title="No end given").end_precision == "unknown"
    analyst.post("/register/events/new", {
        "compartment": team.a.pk, "title": "An end given", "start": "2020-08-10 22:00",
        "start_precision": "exact", "end": "2020-08-11 03:00", "end_precision": "unknown",
        "confidentiality": "internal",
    })  # fmt: skip
    assert Event.objects.get(title="An end given").end_precision == "exact"


def test_the_event_form_reads_local_time_and_takes_a_point_on_the_map(team: Team) -> None:
    analyst = Client()
    log_in(analyst, team.owner)
    form = analyst.get("/register/events/new").content.decode()
    assert 'id="map-pick"' in form and "docket/map-pick.js" in form
    assert "Europe/Minsk" in form  # the help says which zone a time without an offset is in
    analyst.post("/register/events/new", {
        "compartment": team.a.pk, "title": "At the corner", "start": "2020-08-10 23:40",
        "start_precision": "exact", "end": "2020-08-11T01:00:00+03:00", "end_precision": "exact",
        "latitude": "53.8611", "longitude": "27.4472", "confidentiality": "internal",
    })  # fmt: skip
    event = Event.objects.get(title="At the corner")
    assert event.start == dt.datetime(2020, 8, 10, 20, 40, tzinfo=dt.UTC)
    assert event.end == dt.datetime(2020, 8, 10, 22, 0, tzinfo=dt.UTC)
    assert (event.latitude, event.longitude) == (53.8611, 27.4472)
    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    assert "2020-08-10 23:40 +03:00 – 2020-08-11 01:00 +03:00" in page
    edit = analyst.get(f"/register/events/{event.pk}/edit").content.decode()
    assert 'value="2020-08-10 23:40 +03:00"' in edit
    refused = analyst.post("/register/events/new", {
        "compartment": team.a.pk, "title": "Half a point", "start": "2020-08-10",
        "start_precision": "day", "latitude": "91", "confidentiality": "internal",
    }).content.decode()  # fmt: skip
    assert not Event.objects.filter(title="Half a point").exists()
    assert "less than or equal to 90" in refused


def test_an_act_without_a_known_perpetrator_saves_with_the_default_degree(team: Team) -> None:
    analyst = Client()
    log_in(analyst, team.owner)
    event = Event.objects.create(compartment=team.a, title="Unidentified officers")
    form = analyst.get(f"/register/events/{event.pk}/acts/new").content.decode()
    unknown = term("involvement_degree", "90")
    assert f'<option value="{unknown.pk}" selected>' in form
    saved = analyst.post(f"/register/events/{event.pk}/acts/new", {
        "act_type": term("act_type", "20.10").pk, "degree": unknown.pk, "confidence": "alleged",
    })  # fmt: skip
    assert saved.status_code == 302 and event.acts.count() == 1
    assert not event.acts.get().involvements.exists()


def test_a_time_utc_cannot_hold_is_refused_by_the_form() -> None:
    for written in ("0001-01-01", "0001-01-01T00:00+03:00", "9999-12-31T23:59-01:00"):
        with pytest.raises(forms.ValidationError):
            LocalDateTime().clean(written)
