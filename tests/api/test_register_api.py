"""The register through the API: what a script reading a case file sees."""

from __future__ import annotations

from django.test import Client

from docket.accounts.models import AuditEvent
from docket.api import tokens
from docket.register import records
from docket.register.models import Act, Event, Involvement, Membership, Person, Term, Unit
from tests.support.personas import Team


def reader(team: Team, *, scopes: list[str] | None = None, user: str = "owner") -> Client:
    _, token = tokens.create(getattr(team, user), name="script", scopes=scopes or ["register:read"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def an_event_with_a_beating(team: Team) -> Event:
    event = Event.objects.create(compartment=team.a, title="Dispersal at Pushkinskaya")
    victim = Person.objects.create(compartment=team.a, display_name="Victim Fictional")
    officer = Person.objects.create(compartment=team.a, display_name="Officer Fictional")
    unit = Unit.objects.create(compartment=team.a, name="OMON Minsk (fictional record)")
    Membership.objects.create(
        compartment=team.a, person=officer, unit=unit, rank="sergeant", badge_number="0417"
    )
    records.add_badge(officer, "0417")
    act_type = Term.objects.filter(vocabulary="act_type").exclude(parent=None).first()
    degree = Term.objects.filter(vocabulary="involvement_degree").first()
    assert act_type and degree
    act = Act.objects.create(compartment=team.a, event=event, victim=victim, act_type=act_type)
    Involvement.objects.create(
        compartment=team.a, act=act, person=officer, unit=unit, degree=degree,
        confidence=Involvement.Confidence.PROBABLE,
    )  # fmt: skip
    return event


def test_an_event_reads_as_who_did_what_to_whom(team: Team) -> None:
    event = an_event_with_a_beating(team)
    got = reader(team).get(f"/api/register/events/{event.pk}/").json()
    assert got["title"] == "Dispersal at Pushkinskaya" and got["compartment"] == "okr-casefiles"
    [act] = got["acts"]
    assert act["victim"]["label"] == "Victim Fictional"
    [perpetrator] = act["perpetrators"]
    assert perpetrator["person"]["label"] == "Officer Fictional"
    assert perpetrator["unit"]["label"] == "OMON Minsk (fictional record)"
    assert perpetrator["confidence"] == "probable"
    officer = Person.objects.get(display_name="Officer Fictional")
    person = reader(team).get(f"/api/register/persons/{officer.pk}/").json()
    assert person["identifiers"] == [{"kind": "badge number", "value": "0417"}]
    assert person["memberships"][0]["rank"] == "sergeant"
    audited = AuditEvent.objects.filter(action="event.view", actor=team.owner).get()
    assert audited.details == {"via": "api"}


def test_the_same_rules_as_the_pages(team: Team) -> None:
    event = an_event_with_a_beating(team)
    act = Act.objects.get(event=event)
    # another compartment: 404 as for nothing at all, and empty lists
    outsider = reader(team, user="outsider")
    assert outsider.get(f"/api/register/events/{event.pk}/").status_code == 404
    assert outsider.get(f"/api/register/acts/{act.pk}/").status_code == 404
    assert outsider.get("/api/register/events/").json() == {"events": [], "next_before": None}
    # a role without register.view (the auditor) gets 404 for the collection
    assert reader(team, user="auditor").get("/api/register/events/").status_code == 404
    # a token without the scope: 403, saying which scope
    refused = reader(team, scopes=["items:read"]).get("/api/register/events/")
    assert refused.status_code == 403 and "register:read" in refused.json()["error"]
    assert Client().get("/api/register/events/").status_code == 401


def test_lists_filter_like_the_event_list_and_page_with_a_cursor(team: Team) -> None:
    an_event_with_a_beating(team)
    for n in range(150):
        Event.objects.create(compartment=team.a, title=f"Detention {n}")
    client = reader(team)
    first = client.get("/api/register/events/").json()
    assert len(first["events"]) == 100 and first["next_before"]
    second = client.get(f"/api/register/events/?before={first['next_before']}").json()
    assert len(second["events"]) == 51 and second["next_before"] is None
    ids = [e["id"] for e in first["events"] + second["events"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 151
    found = client.get("/api/register/events/?q=pushkinskaya").json()["events"]
    assert [e["title"] for e in found] == ["Dispersal at Pushkinskaya"]
    bad = client.get("/api/register/events/?since=yesterday")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "since"
    acts = client.get("/api/register/acts/?event=" + str(found[0]["id"])).json()["acts"]
    assert len(acts) == 1
    terms = client.get("/api/register/terms/?vocabulary=act_type").json()["terms"]
    assert terms and {t["vocabulary"] for t in terms} == {"act_type"}
    assert all(t["label_be"] and t["label_ru"] for t in terms if t["builtin"])
    places = client.get("/api/register/places/").json()["places"]
    assert any(p["code"] == "facility.okrestina" for p in places)


def test_the_schema_describes_every_route(team: Team) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for kind in ("events", "acts", "accounts", "evidence", "persons", "units", "memberships"):
        assert f"/api/register/{kind}/" in paths and f"/api/register/{kind}/{{pk}}/" in paths
    assert {"/api/register/terms/", "/api/register/places/", "/api/items/"} <= paths
    assert Client().get("/api/no/such/route/").json() == {"error": "no such route"}


def test_a_method_other_than_get_is_refused(team: Team) -> None:
    refused = reader(team).post("/api/register/events/", {"title": "x"})
    assert refused.status_code == 405 and refused["Allow"] == "GET"
    assert not Event.objects.exists()
