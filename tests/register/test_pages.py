"""The register's pages, as an analyst works in them: record an event, add who did what to
whom, find it again, see a person's roles across events; the history keeps before and after;
nobody outside the compartment learns anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from docket.accounts.models import AuditEvent
from docket.register.models import Act, Change, Event, Involvement, Person, Place, Term, Unit
from tests.support.personas import Team, log_in


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


@pytest.fixture
def analyst(team: Team) -> Client:
    client = Client()
    log_in(client, team.owner)  # the team's owner is an analyst of compartment A
    return client


def record_event(client: Client, team: Team) -> Event:
    response = client.post(
        "/register/events/new",
        {
            "compartment": team.a.pk,
            "title": "Detainees beaten in the exercise yard",
            "description": "Testimony of three detainees (fictional).",
            "start": "2020-08-11 22:00",
            "start_precision": "exact",
            "end_precision": "unknown",
            "place": Place.objects.get(code="facility.okrestina").pk,
            "violation_status": term("violation_status", "20").pk,
            "categories": [term("violation_category", "60").pk],
            "confidentiality": "internal",
        },
    )
    event = Event.objects.get()
    assert response["Location"] == f"/register/events/{event.pk}/acts/new"
    return event


def test_it_records_an_event_and_who_did_what_to_whom(team: Team, analyst: Client) -> None:
    event = record_event(analyst, team)
    act_form = {
        "victim": "Алесь Навумчык (выдуманы)",
        "act_type": term("act_type", "20.10").pk,
        "methods": [term("method", "10.10").pk],
        "injuries": [term("injury", "80").pk],
        "perpetrator": "Officer Kavaliou (fictional)",
        "badge_number": "0417",
        "unit": "ОМОН ГУВД Мингорисполкома",
        "degree": term("involvement_degree", "10").pk,
        "confidence": "probable",
    }
    # Names the compartment does not know are refused until marked as new: no invented people.
    refused = analyst.post(f"/register/events/{event.pk}/acts/new", act_form)
    assert refused.status_code == 200 and not Act.objects.exists()
    assert "tick the box below to create it" in refused.content.decode()
    new = {"victim_new": "on", "perpetrator_new": "on", "unit_new": "on"}
    response = analyst.post(f"/register/events/{event.pk}/acts/new", {**act_form, **new})
    assert response.status_code == 302
    act = Act.objects.select_related("victim").get()
    assert act.victim.display_name == "Алесь Навумчык (выдуманы)"
    assert act.compartment_id == event.compartment_id == team.a.pk
    involvement = Involvement.objects.select_related("person", "unit").get()
    assert involvement.person.identifiers.get().value == "0417"
    assert involvement.unit.name == "ОМОН ГУВД Мингорисполкома"

    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    for shown in ("Алесь Навумчык", "Beating", "Corridor", "Officer Kavaliou", "ОМОН", "probable"):
        assert shown in page, shown
    person = analyst.get(f"/register/persons/{involvement.person.pk}/").content.decode()
    assert "As a perpetrator" in person and "Detainees beaten" in person and "0417" in person
    unit = analyst.get(f"/register/units/{involvement.unit.pk}/").content.decode()
    assert "Detainees beaten" in unit
    assert AuditEvent.objects.filter(action="event.view", object_id=str(event.pk)).exists()


def test_it_finds_the_event_by_a_latin_spelling_of_its_cyrillic_victim(
    team: Team, analyst: Client
) -> None:
    event = record_event(analyst, team)
    analyst.post(
        f"/register/events/{event.pk}/acts/new",
        {"victim": "Алесь Навумчык", "victim_new": "on", "act_type": term("act_type", "10.10").pk,
         "confidence": "alleged"},
    )  # fmt: skip
    victim = Person.objects.get()
    page = analyst.get("/register/search/", {"q": "Ales Navumchyk"}).content.decode()
    assert f"/register/persons/{victim.pk}/" in page
    listed = analyst.get("/register/events/", {"q": "Akrestsina"}).content.decode()
    assert f"/register/events/{event.pk}/" in listed
    assert AuditEvent.objects.filter(action="register.search").exists()


def test_filters_narrow_the_list_and_facets_count_what_is_left(team: Team, analyst: Client) -> None:
    minsk = Place.objects.get(code="facility.okrestina")
    grodno = Place.objects.get(code="city.grodno")
    for n, place in enumerate([minsk, minsk, grodno]):
        Event.objects.create(
            compartment=team.a, title=f"Event {n}", place=place,
            start=datetime(2020, 8, 10 + n, tzinfo=UTC),
        )  # fmt: skip
    region = Place.objects.get(code="BY-HM")
    page = analyst.get("/register/events/", {"region": region.pk})
    assert page.context["page"].paginator.count == 2
    facets = {f["label"]: f["count"] for f in page.context["facets"]["region"]}
    assert facets == {"Minsk (city)": 2}
    everything = analyst.get("/register/events/").context["facets"]["region"]
    assert {f["label"]: f["count"] for f in everything} == {
        "Minsk (city)": 2, "Grodno Region": 1,
    }  # fmt: skip
    dated = analyst.get("/register/events/", {"since": "2020-08-11", "until": "2020-08-11"})
    assert [e.title for e in dated.context["page"]] == ["Event 1"]
    # A filter that names nothing in ASCII digits ("²" passes str.isdigit()) filters nothing.
    odd = analyst.get("/register/events/", {"status": "\u00b2"})
    assert odd.status_code == 200 and odd.context["page"].paginator.count == 3


def test_a_form_says_exactly_what_is_wrong(team: Team, analyst: Client) -> None:
    bad = analyst.post(
        "/register/events/new",
        {"compartment": team.a.pk, "title": "", "start": "2020-08-12", "end": "2020-08-10",
         "start_precision": "day", "end_precision": "day", "confidentiality": "internal"},
    )  # fmt: skip
    errors = bad.context["form"].errors
    assert "This field is required." in errors["title"]
    assert "The end is before the start." in errors["end"]
    event = Event.objects.create(compartment=team.a, title="x")
    act = analyst.post(
        f"/register/events/{event.pk}/acts/new",
        {"act_type": term("act_type", "20.10").pk, "perpetrator": "Someone",
         "confidence": "alleged"},
    )  # fmt: skip
    assert "Say how the perpetrator was involved" in act.content.decode()
    assert not Act.objects.exists()


def test_every_change_is_kept_with_before_and_after(team: Team, analyst: Client) -> None:
    event = record_event(analyst, team)
    analyst.post(
        f"/register/events/{event.pk}/edit",
        {"title": "Detainees beaten in the yard (corrected)", "start": "2020-08-11 23:00",
         "start_precision": "exact", "end_precision": "unknown", "confidentiality": "internal"},
    )  # fmt: skip
    changes = Change.objects.filter(model="event", object_id=event.pk).order_by("at", "id")
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].before["title"] == "Detainees beaten in the exercise yard"
    assert changes[1].after["title"] == "Detainees beaten in the yard (corrected)"
    assert changes[1].actor_name == "owner"
    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    assert "changed: Detainees beaten in the yard (corrected)" in page
    assert "Detainees beaten in the exercise yard" in page  # the title before, beside it


def test_outsiders_and_readers_cannot_change_or_see(team: Team) -> None:
    event = Event.objects.create(compartment=team.a, title="Secret of A")
    unit = Unit.objects.create(compartment=team.a, name="Unit of A")
    outsider, intake = Client(), Client()
    log_in(outsider, team.outsider)
    log_in(intake, team.teammate)
    assert outsider.get(f"/register/events/{event.pk}/").status_code == 404
    assert outsider.get(f"/register/units/{unit.pk}/").status_code == 404
    assert "Secret of A" not in outsider.get("/register/events/").content.decode()
    assert intake.get(f"/register/events/{event.pk}/").status_code == 200  # may read
    assert intake.post(f"/register/events/{event.pk}/edit", {"title": "x"}).status_code == 404
    event.refresh_from_db()
    assert event.title == "Secret of A"


def test_a_person_gets_names_in_every_script_and_search_finds_them(
    team: Team, analyst: Client
) -> None:
    person = Person.objects.create(compartment=team.a, display_name="Officer K. (fictional)")
    response = analyst.post(
        f"/register/persons/{person.pk}/edit",
        {"display_name": "Officer K. (fictional)", "gender": "male", "birth_precision": "unknown",
         "confidentiality": "internal",
         "other_names": "Кірыла Жмуркаловіч | be\nKiryla Zhmurkalovich | en",
         "identifiers": "badge number: 2207"},
    )  # fmt: skip
    assert response.status_code == 302
    names = {(n.name, n.script, n.language) for n in person.names.all()}
    assert ("Кірыла Жмуркаловіч", "Cyrl", "be") in names
    assert person.identifiers.get().value == "2207"
    change = Change.objects.filter(model="person", object_id=person.pk).latest("id")
    assert change.after["identifiers"] == ["badge number: 2207"]
    hits = analyst.get("/register/search/", {"q": "Жмуркаловіч"}).content.decode()
    assert f"/register/persons/{person.pk}/" in hits
    bad = analyst.post(
        f"/register/persons/{person.pk}/edit",
        {"display_name": "x", "gender": "male", "birth_precision": "unknown",
         "confidentiality": "internal", "identifiers": "just a number"},
    )  # fmt: skip
    assert "Line 1: write the kind, a colon and the value" in bad.content.decode()


def test_a_unit_gets_its_parent_and_its_members_over_time(team: Team, analyst: Client) -> None:
    regiment = Unit.objects.create(compartment=team.a, name="OMON regiment (fictional)")
    company = Unit.objects.create(compartment=team.a, name="2nd company (fictional)")
    elsewhere = Unit.objects.create(compartment=team.b, name="Unit of B")
    saved = analyst.post(
        f"/register/units/{company.pk}/edit",
        {"name": company.name, "unit_type": term("unit_type", "10.10").pk},
    )  # fmt: skip
    assert saved.status_code == 302
    added = analyst.post(
        f"/register/units/{company.pk}/parents/new",
        {"parent": regiment.pk, "start": "2019-05-01", "start_precision": "month",
         "end_precision": "day", "notes": "order no. 12 (fictional)"},
    )  # fmt: skip
    assert added.status_code == 302
    link = company.parent_links.get()
    assert (link.parent, str(link.start), link.start_precision) == (regiment, "2019-05-01", "month")
    assert link.end is None and link.end_precision == "unknown", "no end: open, of no precision"
    loop = analyst.post(
        f"/register/units/{regiment.pk}/parents/new",
        {"parent": company.pk, "start_precision": "day", "end_precision": "day"},
    )  # fmt: skip
    assert "Select a valid choice" in loop.content.decode(), "a unit cannot sit under its own"
    other = analyst.post(
        f"/register/units/{company.pk}/parents/new",
        {"parent": elsewhere.pk, "start_precision": "day", "end_precision": "day"},
    )  # fmt: skip
    assert "Select a valid choice" in other.content.decode()
    backwards = analyst.post(
        f"/register/units/{company.pk}/parents/new",
        {"parent": regiment.pk, "start": "2020-02-01", "end": "2020-01-01",
         "start_precision": "day", "end_precision": "day"},
    )  # fmt: skip
    assert "The end is before the start." in backwards.content.decode()
    assert company.parent_links.count() == 1

    analyst.post(
        f"/register/units/{company.pk}/members/new",
        {"person": "Officer Hrumkau (fictional)", "start": "2018-03-01", "end": "2021-01-31",
         "rank": "lieutenant", "position": "platoon commander", "badge_number": "1103"},
    )  # fmt: skip
    member = company.memberships.select_related("person").get()
    assert (member.rank, member.badge_number) == ("lieutenant", "1103")
    assert member.person.identifiers.get().value == "1103"
    page = analyst.get(f"/register/units/{regiment.pk}/").content.decode()
    assert "2nd company" in page  # the sub-unit
    page = analyst.get(f"/register/units/{company.pk}/").content.decode()
    assert "Officer Hrumkau" in page and "2018-03-01" in page and "2021-01-31" in page


def test_evidence_links_carry_a_span_and_accounts_their_grading(
    team: Team, analyst: Client
) -> None:
    import io

    from docket.vault.store import store

    event = record_event(analyst, team)
    video = store(io.BytesIO(b"body camera footage"), actor="t", compartment=team.a).item
    foreign = store(io.BytesIO(b"not theirs"), actor="t", compartment=team.b).item
    linked = analyst.post(
        f"/register/events/{event.pk}/evidence/new",
        {"item": video.pk, "start": "2:13", "end": "2:41", "annotation": "baton blows"},
    )
    assert linked.status_code == 302
    link = event.evidence.get()
    assert (link.start_seconds, link.end_seconds) == (133, 161)
    refused = analyst.post(
        f"/register/events/{event.pk}/evidence/new", {"item": foreign.pk, "start": "9:99"}
    ).content.decode()
    assert "No such item in this compartment." in refused
    assert "Write a time as 2:13" in refused
    analyst.post(
        f"/register/events/{event.pk}/accounts/new",
        {"source": "Witness W-7", "connection": term("connection", "30").pk,
         "reliability": term("source_reliability", "B").pk,
         "credibility": term("information_credibility", "2").pk,
         "summary": "Saw the yard from a cell window."},
    )  # fmt: skip
    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    assert "2:13–2:41" in page and "baton blows" in page  # the span as it was given
    assert "Witness W-7" in page and "graded B2" in page
