"""Chain of command at a date, as users meet it: `docket units chain UNIT --at DAY --json`, the
event page's "Chain of command", the unit page's commanders over time and parent links, the
membership form's commander box, grading and evidence; the old single parent turned into an
undated link; the demo's generated chain."""

from __future__ import annotations

import importlib
import io
import json
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from docket.accounts.models import AuditEvent, Compartment
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Involvement,
    Membership,
    ParentLink,
    Person,
    Term,
    Unit,
)
from docket.vault.store import store
from tests.support.personas import Team, log_in


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


@pytest.fixture
def analyst(team: Team) -> Client:
    client = Client()
    log_in(client, team.owner)
    return client


def commander(
    unit: Unit, name: str, start: date | None, end: date | None, **extra: Any
) -> Membership:
    person = Person.objects.create(compartment=unit.compartment, display_name=name)
    return Membership.objects.create(
        compartment=unit.compartment, person=person, unit=unit, commands=True, start=start,
        start_precision=extra.pop("start_precision", "day"), end=end,
        end_precision="day" if end else "unknown", position=extra.pop("position", "commander"),
        **extra,
    )  # fmt: skip


@pytest.fixture
def chain(team: Team) -> SimpleNamespace:
    """A company that moves from one directorate to another on 1 August 2020, with a gap in
    its own command from 1 July to 15 September 2020 (all fictional)."""
    a = team.a
    ministry = Unit.objects.create(compartment=a, name="Ministry (fictional)")
    north = Unit.objects.create(compartment=a, name="Northern directorate (fictional)")
    south = Unit.objects.create(compartment=a, name="Southern directorate (fictional)")
    company = Unit.objects.create(compartment=a, name="3rd company (fictional)")
    for unit in (north, south):
        ParentLink.objects.create(compartment=a, unit=unit, parent=ministry)
    ParentLink.objects.create(
        compartment=a, unit=company, parent=north, end=date(2020, 7, 31), end_precision="day"
    )
    ParentLink.objects.create(
        compartment=a, unit=company, parent=south, start=date(2020, 8, 1), start_precision="day"
    )
    before = commander(company, "Captain Brumkevich (fictional)", date(2018, 1, 1),
                       date(2020, 6, 30))  # fmt: skip
    after = commander(company, "Captain Zhvitlouski (fictional)", date(2020, 9, 16), None)
    chief = commander(
        south, "Colonel Kardziul (fictional)", date(2019, 3, 1), None,
        reliability=term("source_reliability", "B"),
        credibility=term("information_credibility", "2"), position="head of directorate",
    )  # fmt: skip
    minister = commander(ministry, "General Lumpau (fictional)", date(2019, 11, 1), None,
                         start_precision="month")  # fmt: skip
    north_chief = commander(north, "Colonel Pytsvel (fictional)", date(2015, 1, 1), None)
    order = store(io.BytesIO(b"order of appointment"), actor="t", compartment=a).item
    EvidenceLink.objects.create(compartment=a, item=order, membership=chief, page=2)
    return SimpleNamespace(
        ministry=ministry, north=north, south=south, company=company, before=before,
        after=after, chief=chief, minister=minister, north_chief=north_chief, order=order,
    )  # fmt: skip


def units_chain(*args: str) -> str:
    out = io.StringIO()
    call_command("units", "chain", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_chain_of_the_day_as_json(chain: SimpleNamespace) -> None:
    answer = json.loads(units_chain(str(chain.company.pk), "--at", "2020-08-10", "--json"))
    assert answer == {
        "unit": chain.company.pk,
        "at": "2020-08-10",
        "chain": [
            {"unit": chain.company.pk, "name": "3rd company (fictional)", "commanders": [],
             "gaps": [{"from": "2020-07-01", "to": "2020-09-15"}]},
            {"unit": chain.south.pk, "name": "Southern directorate (fictional)",
             "commanders": [{"person": chain.chief.person_id,
                             "name": "Colonel Kardziul (fictional)",
                             "position": "head of directorate", "from": "2019-03-01", "to": None,
                             "evidence": 1, "grading": "B2"}],
             "gaps": []},
            {"unit": chain.ministry.pk, "name": "Ministry (fictional)",
             "commanders": [{"person": chain.minister.person_id,
                             "name": "General Lumpau (fictional)", "position": "commander",
                             "from": "2019-11-01", "to": None, "evidence": 0, "grading": None}],
             "gaps": []},
        ],
    }  # fmt: skip
    # In July the company was still under the north, and commanded by neither captain.
    july = json.loads(units_chain(str(chain.company.pk), "--at", "2020-07-15", "--json"))
    assert [level["unit"] for level in july["chain"]] == [
        chain.company.pk, chain.north.pk, chain.ministry.pk,
    ]  # fmt: skip
    june = json.loads(units_chain(str(chain.company.pk), "--at", "2020-06-30", "--json"))
    assert [c["name"] for c in june["chain"][0]["commanders"]] == ["Captain Brumkevich (fictional)"]
    assert june["chain"][0]["gaps"] == []
    # The minister's start is of month precision: in force from the first of November.
    early = json.loads(units_chain(str(chain.ministry.pk), "--at", "2019-11-01", "--json"))
    assert early["chain"][0]["commanders"] and len(early["chain"]) == 1


def test_the_command_reads_plainly_and_refuses_bad_input(chain: SimpleNamespace) -> None:
    text = units_chain(str(chain.company.pk), "--at", "2020-08-10")
    assert "no commander recorded between 2020-07-01 and 2020-09-15" in text
    assert "Colonel Kardziul (fictional)" in text and "B2" in text
    assert text.index("3rd company") < text.index("Southern") < text.index("Ministry")
    read = AuditEvent.objects.filter(action="unit.chain").latest("id")
    assert read.details == {"at": "2020-08-10", "via": "console"}
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        units_chain(str(chain.company.pk), "--at", "10.08.2020")
    with pytest.raises(CommandError, match="no unit"):
        units_chain("999999", "--at", "2020-08-10")


def test_the_event_page_shows_the_chain_at_the_events_date(
    team: Team, analyst: Client, chain: SimpleNamespace
) -> None:
    event = Event.objects.create(
        compartment=team.a, title="Dispersal of a march (fictional)",
        start=datetime(2020, 8, 10, 19, 0, tzinfo=UTC),
    )  # fmt: skip
    act = Act.objects.create(compartment=team.a, event=event, act_type=term("act_type", "10.10"))
    Involvement.objects.create(
        compartment=team.a, act=act, unit=chain.company, degree=term("involvement_degree", "10")
    )
    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    section = page.split("Chain of command", 1)[1].split("<h2>", 1)[0]
    assert "no commander recorded between 2020-07-01 and 2020-09-15" in section
    assert f'href="/register/persons/{chain.chief.person_id}/"' in section
    assert "head of directorate" in section and "graded B2" in section
    assert "1 evidence link" in section
    assert "Southern directorate" in section and "Northern directorate" not in section
    assert "Captain Zhvitlouski" not in section, "not in command yet on the event's date"
    # An event of unknown date has no chain to show.
    undated = Event.objects.create(compartment=team.a, title="Undated (fictional)")
    Involvement.objects.create(
        compartment=team.a, unit=chain.company, degree=term("involvement_degree", "10"),
        act=Act.objects.create(compartment=team.a, event=undated,
                               act_type=term("act_type", "10.10")),
    )  # fmt: skip
    assert "Chain of command" not in analyst.get(f"/register/events/{undated.pk}/").content.decode()
    # The date is the instance's local day (Minsk): 22:30 UTC on 15 September is already the
    # 16th there, when the new commander took over.
    night = Event.objects.create(
        compartment=team.a, title="Night arrests (fictional)",
        start=datetime(2020, 9, 15, 22, 30, tzinfo=UTC),
    )  # fmt: skip
    Involvement.objects.create(
        compartment=team.a, unit=chain.company, degree=term("involvement_degree", "10"),
        act=Act.objects.create(compartment=team.a, event=night,
                               act_type=term("act_type", "10.10")),
    )  # fmt: skip
    page = analyst.get(f"/register/events/{night.pk}/").content.decode()
    section = page.split("Chain of command", 1)[1].split("<h2>", 1)[0]
    assert "on 2020-09-16" in section and "Captain Zhvitlouski" in section


def test_the_event_pages_chain_is_at_the_local_date(
    team: Team, analyst: Client, chain: SimpleNamespace
) -> None:
    # 00:30 in Minsk on 1 August is still 31 July in UTC: the company is under the southern
    # directorate from 1 August, the day the documenters wrote.
    event = Event.objects.create(
        compartment=team.a, title="Night detentions (fictional)",
        start=datetime(2020, 7, 31, 21, 30, tzinfo=UTC),
    )  # fmt: skip
    act = Act.objects.create(compartment=team.a, event=event, act_type=term("act_type", "10.10"))
    Involvement.objects.create(
        compartment=team.a, act=act, unit=chain.company, degree=term("involvement_degree", "10")
    )
    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    section = page.split("Chain of command", 1)[1].split("<h2>", 1)[0]
    assert "on 2020-08-01" in section
    assert "Southern directorate" in section and "Northern directorate" not in section
    unit = analyst.get(f"/register/units/{chain.company.pk}/").content.decode()
    assert "2020-08-01 <a" in unit.split("Acts attributed to the unit", 1)[1]


def test_the_unit_page_shows_commanders_over_time_and_dated_parents(
    analyst: Client, chain: SimpleNamespace
) -> None:
    page = analyst.get(f"/register/units/{chain.company.pk}/").content.decode()
    over_time = page.split("Commanders over time", 1)[1].split("<h2>", 1)[0]
    assert over_time.index("Captain Brumkevich") < over_time.index("2020-07-01")
    assert "no commander recorded between 2020-07-01 and 2020-09-15" in over_time
    assert over_time.index("2020-09-15") < over_time.index("Captain Zhvitlouski")
    parents = page.split("Part of", 1)[1].split("<h2>", 1)[0]
    assert "Northern directorate" in parents and "2020-07-31" in parents
    assert "Southern directorate" in parents and "2020-08-01" in parents
    assert f"/register/units/{chain.company.pk}/parents/new" in page
    south = analyst.get(f"/register/units/{chain.south.pk}/").content.decode()
    assert "3rd company" in south.split("Sub-units", 1)[1]
    assert "B2" in south.split("Members over time", 1)[1]


def test_a_posting_gets_its_command_grading_and_evidence(team: Team, analyst: Client) -> None:
    unit = Unit.objects.create(compartment=team.a, name="OMON (fictional)")
    saved = analyst.post(
        f"/register/units/{unit.pk}/members/new",
        {"person": "Major Skvirl (fictional)", "person_new": "on", "start": "2019-04-01",
         "position": "commander", "commands": "on",
         "reliability": term("source_reliability", "C").pk,
         "credibility": term("information_credibility", "3").pk},
    )  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[:3000]
    posting = unit.memberships.get()
    assert posting.commands and posting.grading == "C3"
    order = store(io.BytesIO(b"appointment order"), actor="t", compartment=team.a).item
    foreign = store(io.BytesIO(b"not theirs"), actor="t", compartment=team.b).item
    form = analyst.get(f"/register/memberships/{posting.pk}/evidence/new?item={order.pk}")
    assert form.status_code == 200 and 'name="act"' not in form.content.decode()
    linked = analyst.post(
        f"/register/memberships/{posting.pk}/evidence/new",
        {"item": order.pk, "page": "3", "annotation": "the appointment"},
    )
    assert linked.status_code == 302 and linked["Location"] == f"/register/units/{unit.pk}/"
    link = posting.evidence.get()
    assert (link.item, link.page, link.event) == (order, 3, None)
    refused = analyst.post(
        f"/register/memberships/{posting.pk}/evidence/new", {"item": foreign.pk}
    ).content.decode()
    assert "No such item in this compartment." in refused
    # corrected: no longer a commander, the grading kept; its evidence link can be corrected
    corrected = analyst.post(
        f"/register/memberships/{posting.pk}/edit",
        {"person": "Major Skvirl (fictional)", "start": "2019-04-01",
         "reliability": term("source_reliability", "C").pk,
         "credibility": term("information_credibility", "3").pk},
    )  # fmt: skip
    assert corrected.status_code == 302
    posting.refresh_from_db()
    assert not posting.commands and posting.grading == "C3"
    fixed = analyst.post(f"/register/evidence/{link.pk}/edit", {"page": "4"})
    assert fixed.status_code == 302 and fixed["Location"] == f"/register/units/{unit.pk}/"
    link.refresh_from_db()
    assert link.page == 4
    # the item's page says what it is evidence of
    item_page = analyst.get(f"/vault/items/{order.pk}/").content.decode()
    assert f'href="/register/units/{unit.pk}/"' in item_page.split("Evidence of:", 1)[1]
    # deleting the posting takes its evidence link along, and restoring brings both back
    analyst.post(f"/register/memberships/{posting.pk}/delete")
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    deletion = Change.objects.filter(model="membership", action="delete").latest("id")
    analyst.post(f"/register/changes/{deletion.pk}/restore")
    assert Membership.objects.get(pk=posting.pk).evidence.get().pk == link.pk


def test_a_parent_link_is_corrected_given_evidence_and_deleted(
    team: Team, analyst: Client, chain: SimpleNamespace
) -> None:
    link = chain.company.parent_links.get(parent=chain.south)
    corrected = analyst.post(
        f"/register/parentlinks/{link.pk}/edit",
        {"parent": chain.south.pk, "start": "2020-08-01", "start_precision": "month",
         "end_precision": "day"},
    )  # fmt: skip
    assert corrected.status_code == 302
    link.refresh_from_db()
    assert link.start_precision == "month"
    linked = analyst.post(
        f"/register/parentlinks/{link.pk}/evidence/new", {"item": chain.order.pk, "page": "1"}
    )
    assert linked.status_code == 302 and link.evidence.count() == 1
    analyst.post(f"/register/parentlinks/{link.pk}/delete")
    assert not ParentLink.objects.filter(pk=link.pk).exists()
    page = analyst.get(f"/register/units/{chain.company.pk}/").content.decode()
    assert "/restore" in page, "a deleted parent link is listed to restore"


def test_the_old_single_parent_becomes_an_undated_link(team: Team) -> None:
    migration = importlib.import_module("docket.register.migrations.0016_parent_links")
    regiment = Unit.objects.create(compartment=team.a, name="Regiment (fictional)")
    company = Unit.objects.create(
        compartment=team.a, name="Company (fictional)", confidentiality="restricted"
    )
    Unit.objects.create(compartment=team.a, name="On its own (fictional)")

    class Old:
        """Unit as the migration's state has it: with its one `parent`."""

        class objects:  # the manager, as Django names it
            @staticmethod
            def exclude(**kwargs: Any) -> Any:
                assert kwargs == {"parent": None}
                rows = [(company.pk, regiment.pk, team.a.pk, "restricted", None)]
                return SimpleNamespace(values_list=lambda *fields: rows)

    models = {"Unit": Old, "ParentLink": ParentLink}
    apps = SimpleNamespace(get_model=lambda app, name: models[name])
    migration.links_from_parents(apps, None)
    link = ParentLink.objects.get()
    assert (link.unit, link.parent, link.start, link.end) == (company, regiment, None, None)
    assert link.confidentiality == "restricted" and link.compartment == team.a
    assert link.notes == migration.NOTE
    # undated: in force at any date
    out = io.StringIO()
    call_command("units", "chain", str(company.pk), "--at", "1999-01-01", "--json", stdout=out)
    assert [level["unit"] for level in json.loads(out.getvalue())["chain"]] == [
        company.pk, regiment.pk,
    ]  # fmt: skip


def test_the_demo_has_a_chain_with_a_unit_that_moves_and_a_gap(db: None) -> None:
    from docket.register.chain import as_json
    from docket.register.generate import Generator

    demo = Compartment.objects.create(name="demo")
    counts = Generator(demo, seed=3).run(events=10, persons=200)
    assert counts.parent_links > 10 and counts.commanders > 10
    moved = [
        unit for unit in Unit.objects.filter(compartment=demo)
        if unit.parent_links.filter(end__isnull=False).exists()
    ]  # fmt: skip
    assert len(moved) == 1
    [mover] = moved
    august = as_json(mover, date(2020, 8, 10))
    october = as_json(mover, date(2020, 10, 10))
    assert august["chain"][0]["gaps"] == [{"from": "2020-08-01", "to": "2020-09-15"}]
    assert october["chain"][0]["commanders"] and not october["chain"][0]["gaps"]
    assert august["chain"][1]["unit"] != october["chain"][1]["unit"], "it moved"
    assert len(august["chain"]) == 3 and len(october["chain"]) == 2
    graded = [c["grading"] for level in august["chain"][1:] for c in level["commanders"]]
    assert graded and all(graded)


def test_the_api_gives_dated_parents_and_graded_postings(
    team: Team, chain: SimpleNamespace
) -> None:
    from docket.api import tokens

    _, token = tokens.create(team.owner, name="script", scopes=["register:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    unit = client.get(f"/api/register/units/{chain.company.pk}/").json()
    assert "parent" not in unit
    assert unit["parents"] == [
        {"unit": {"id": chain.north.pk, "label": "Northern directorate (fictional)"},
         "from": None, "to": "2020-07-31"},
        {"unit": {"id": chain.south.pk, "label": "Southern directorate (fictional)"},
         "from": "2020-08-01", "to": None},
    ]  # fmt: skip
    under_south = client.get(f"/api/register/units/?parent={chain.south.pk}").json()["units"]
    assert [u["id"] for u in under_south] == [chain.company.pk]
    posting = client.get(f"/api/register/memberships/{chain.chief.pk}/").json()
    assert posting["commands"] is True and posting["grading"] == "B2"
    evidence = client.get("/api/register/evidence/").json()["evidence"]
    assert [(e["membership"], e["page"]) for e in evidence] == [(chain.chief.pk, 2)]
