"""The case pages as an analyst uses them: open a case, add a suspect, an incident and a
qualification, fill a cell of the elements matrix, record verification steps, and watch "what
is missing" shrink; the history says who did each thing and when. Nothing of another
compartment can be linked, and nobody outside the case's compartment learns it exists."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone

from docket.accounts.models import Grant, Role, User
from docket.cases import contents
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.register import history
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Information,
    Involvement,
    Person,
    Term,
    Unit,
)
from docket.vault.store import store
from tests.support.personas import STAFF_PASSWORD, Team, log_in


def client_of(user: User) -> Client:
    client = Client()
    log_in(client, user)
    return client


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def register_of(compartment: object, tag: str) -> dict[str, object]:
    """An event with one act by a named officer of a unit, an evidence link on the act and a
    graded account: what a case is built over."""
    event = Event.objects.create(compartment=compartment, title=f"Akrestsina gate {tag}")
    victim = Person.objects.create(compartment=compartment, display_name=f"Victim {tag}")
    officer = Person.objects.create(
        compartment=compartment, display_name=f"Officer Kavalenka {tag}"
    )
    unit = Unit.objects.create(compartment=compartment, name=f"OMON {tag}")
    act = Act.objects.create(
        compartment=compartment, event=event, victim=victim, act_type=term("act_type", "20.30")
    )
    Involvement.objects.create(
        compartment=compartment, act=act, person=officer, unit=unit,
        degree=term("involvement_degree", "10"), confidence="established",
    )  # fmt: skip
    item = store(io.BytesIO(f"video {tag}".encode()), actor="test", compartment=compartment).item
    link = EvidenceLink.objects.create(
        compartment=compartment, item=item, act=act, start_seconds=3, end_seconds=9.5
    )
    info = Information.objects.create(
        compartment=compartment, event=event, summary=f"seen beaten {tag}",
        reliability=Term.objects.filter(vocabulary="source_reliability", code="B").first(),
        credibility=Term.objects.filter(vocabulary="information_credibility", code="2").first(),
    )  # fmt: skip
    return {"event": event, "act": act, "officer": officer, "unit": unit, "link": link,
            "info": info}  # fmt: skip


def open_case(client: Client, team: Team, title: str = "Akrestsina, 11-13 August 2020") -> Case:
    response = client.post(
        "/cases/", {"compartment": team.a.pk, "title": title, "summary": "Beatings at the gate."}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(title=title)


def test_a_case_is_built_page_by_page_and_what_is_missing_shrinks(team: Team) -> None:
    reg = register_of(team.a, "a")
    analyst = client_of(team.owner)
    case = open_case(analyst, team)
    assert analyst.get("/cases/").content.decode().count(case.title) == 1

    # incidents: the event by id
    assert (
        analyst.post(f"/cases/{case.pk}/incidents", {"events": str(reg["event"].pk)}).status_code
        == 302
    )  # type: ignore[attr-defined]
    # a suspect, found by the search, then his evidence
    found = analyst.get(f"/cases/{case.pk}/suspects/new", {"q": "Kavalenka"}).content.decode()
    officer: Person = reg["officer"]  # type: ignore[assignment]
    assert f'value="person:{officer.pk}"' in found
    added = analyst.post(f"/cases/{case.pk}/suspects/new", {
        "who": "", "picked": f"person:{officer.pk}", "liability": "committed", "notes": "",
    })  # fmt: skip
    suspect = Suspect.objects.get(case=case)
    assert added["Location"] == f"/cases/suspects/{suspect.pk}/edit"
    assert suspect.person == officer
    # a qualification: imprisonment (7(1)(e))
    imprisonment = term("rome_statute", "7.1.e")
    analyst.post(f"/cases/{case.pk}/qualifications", {"qualifications": [imprisonment.pk]})
    page = analyst.get(f"/cases/{case.pk}/").content.decode()
    assert "contextual element" in page  # art. 7's attack and the knowledge of it come first
    # the qualification by its instrument's name, not the vocabulary's key
    assert "Rome Statute" in page and "rome_statute" not in page
    assert "Officer Kavalenka a" in page and "Committed (art. 25(3)(a))" in page
    # the suspect's act with a matching degree is shown
    assert "none with that degree" not in page
    missing = analyst.get(f"/cases/{case.pk}/missing").content.decode()
    assert "Elements with no evidence or contested (5)" in missing
    # each element under its qualification's name, not a bare "7.1.e · 1"
    assert "7(1)(e) imprisonment or other severe deprivation of liberty · 1" in missing
    assert "7.1.e · " not in missing
    assert "Suspects with no evidence (1)" in missing
    assert "Evidence not yet verified (1)" in missing

    # his evidence, chosen among his acts' evidence
    link: EvidenceLink = reg["link"]  # type: ignore[assignment]
    analyst.post(f"/cases/suspects/{suspect.pk}/edit", {
        "liability": "committed", "notes": "seen on the video", "evidence": [link.pk],
    })  # fmt: skip
    assert list(suspect.evidence.all()) == [link]

    # a cell: the first own element, some evidence, with the act, the link and the account
    edit = analyst.get(f"/cases/{case.pk}/cell", {"element": f"{imprisonment.pk}:1"})
    assert edit.status_code == 200 and "selected" in edit.content.decode()
    info: Information = reg["info"]  # type: ignore[assignment]
    saved = analyst.post(f"/cases/{case.pk}/cell", {
        "element_key": f"{imprisonment.pk}:1", "status": "some", "note": "two witnesses",
        "acts": [reg["act"].pk], "evidence": [link.pk], "information": [info.pk],  # type: ignore[attr-defined]
    })  # fmt: skip
    assert saved.status_code == 302
    cell = Cell.objects.get(case=case, qualification=imprisonment, element="1")
    assert cell.status == "some" and list(cell.evidence.all()) == [link]
    page = analyst.get(f"/cases/{case.pk}/").content.decode()
    assert 'class="status status-some">Some evidence<' in page  # the word, not the colour alone
    assert "graded B2" in page and "0:03–0:09.5" in page

    # three verification steps make the link verified
    for step, method in (("source", "source"), ("technical", "hashes"), ("content", "content")):
        done = analyst.post(f"/cases/{case.pk}/verify", {
            "evidence": link.pk, "step": step, "method": method, "result": "confirms",
            "details": f"{step} checked",
        })  # fmt: skip
        assert done.status_code == 302, done.content.decode()[:3000]
    steps = Verification.objects.filter(evidence=link)
    assert steps.count() == 3 and {s.done_by for s in steps} == {team.owner}
    missing = analyst.get(f"/cases/{case.pk}/missing").content.decode()
    assert "Elements with no evidence or contested (4)" in missing
    assert "Suspects with no evidence (0)" in missing
    assert "Evidence not yet verified (0)" in missing
    assert "Incidents with no evidence (1)" in missing  # the event itself, its act has some

    # the item's page shows its steps to those who see cases, not to an intake clerk
    item_page = f"/vault/items/{link.item_id}/"
    assert "technical checked" in analyst.get(item_page).content.decode()
    clerk = client_of(team.teammate).get(item_page)
    assert clerk.status_code == 200 and "technical checked" not in clerk.content.decode()

    # the verification table says what each link is evidence of, with its span: two links
    # of one item are told apart
    checked = analyst.get(f"/cases/{case.pk}/").content.decode().split('id="verification"')[1]
    assert "of the act:" in checked and "(Akrestsina gate a), Victim a" in checked
    assert "0:03–0:09.5" in checked

    # history: who and when, in words
    hist = analyst.get(f"/cases/{case.pk}/history").content.decode()
    assert "owner" in hist and "Some evidence" in hist and "Source analysis" in hist
    assert "+03:00" in hist or "+00:00" in hist  # times with their offset
    assert "Officer Kavalenka a" in hist
    # a cell by its instrument, qualification and element, not by its codes ("7.1.e 1")
    assert "7.1.e 1" not in hist and "Rome Statute qualification, 7(1)(e)" in hist
    # named in the reader's language, whatever the language of whoever made the change
    analyst.cookies["django_language"] = "ru"
    russian = analyst.get(f"/cases/{case.pk}/history", HTTP_ACCEPT_LANGUAGE="ru")
    text = russian.content.decode()
    assert "Анализ источника" in text and "Source analysis" not in text
    assert "Some evidence" not in text
    analyst.cookies["django_language"] = "en"


def test_a_contradicting_step_leaves_the_evidence_unverified(team: Team) -> None:
    reg = register_of(team.a, "c")
    link: EvidenceLink = reg["link"]  # type: ignore[assignment]
    case = Case.objects.create(compartment=team.a, title="c")
    case.acts.add(reg["act"])

    for step in ("source", "technical", "content"):
        Verification.objects.create(
            compartment=team.a, evidence=link, step=step, method="other", result="confirms",
            done_at=timezone.now(),
        )  # fmt: skip
    assert all(c.verified for c in contents.checked([link]))
    Verification.objects.create(
        compartment=team.a, evidence=link, step="technical", method="metadata",
        result="contradicts", done_at=timezone.now(),
    )  # fmt: skip
    [checked] = contents.checked([link])
    assert not checked.verified and checked.contradicted == ["technical"]


def test_nothing_of_another_compartment_is_linked(team: Team) -> None:
    mine, theirs = register_of(team.a, "a"), register_of(team.b, "b")
    analyst = client_of(team.owner)
    case = open_case(analyst, team)
    analyst.post(f"/cases/{case.pk}/incidents", {"events": str(mine["event"].pk)})  # type: ignore[attr-defined]
    imprisonment = term("rome_statute", "7.1.e")
    analyst.post(f"/cases/{case.pk}/qualifications", {"qualifications": [imprisonment.pk]})

    # the forms: an id of B is no choice
    refused = analyst.post(f"/cases/{case.pk}/incidents", {"events": str(theirs["event"].pk)})  # type: ignore[attr-defined]
    assert refused.status_code == 200 and "Not of this case" in refused.content.decode()
    refused = analyst.post(f"/cases/{case.pk}/incidents", {"acts": str(theirs["act"].pk)})  # type: ignore[attr-defined]
    assert refused.status_code == 200
    refused = analyst.post(f"/cases/{case.pk}/suspects/new", {
        "who": f"person:{theirs['officer'].pk}", "liability": "ordered",  # type: ignore[attr-defined]
    })  # fmt: skip
    assert refused.status_code == 200 and not Suspect.objects.exists()
    refused = analyst.post(f"/cases/{case.pk}/cell", {
        "element_key": f"{imprisonment.pk}:1", "status": "some",
        "evidence": [theirs["link"].pk], "information": [theirs["info"].pk],  # type: ignore[attr-defined]
        "acts": [theirs["act"].pk],  # type: ignore[attr-defined]
    })  # fmt: skip
    assert refused.status_code == 200 and not Cell.objects.exists()
    refused = analyst.post(f"/cases/{case.pk}/verify", {
        "evidence": theirs["link"].pk, "step": "source", "method": "source", "result": "confirms",  # type: ignore[attr-defined]
    })  # fmt: skip
    assert refused.status_code == 200 and not Verification.objects.exists()
    assert list(case.events.all()) == [mine["event"]] and not case.acts.exists()

    # and at save, whatever a form let through
    with pytest.raises(contents.ForeignRecord):
        contents.save(case, actor=team.owner, m2m={"events": [theirs["event"]]})
    with pytest.raises(contents.ForeignRecord):
        contents.save(
            Suspect(case=case, compartment=team.a, person=theirs["officer"], liability="ordered"),  # type: ignore[misc]
            actor=team.owner,
        )
    cell = Cell(case=case, compartment=team.a, qualification=imprisonment, element="1")
    for name, row in (("acts", "act"), ("evidence", "link"), ("information", "info")):
        with pytest.raises(contents.ForeignRecord):
            contents.save(cell, actor=team.owner, m2m={name: [theirs[row]]})
    assert not Cell.objects.exists()
    with pytest.raises(contents.ForeignRecord):
        contents.save(
            Suspect(case=case, compartment=team.b, unit=theirs["unit"], liability="ordered"),  # type: ignore[misc]
            actor=team.owner,
        )


def test_who_may_see_and_change_a_case(team: Team) -> None:
    case = Case.objects.create(compartment=team.a, title="Okrestina")
    suspect = Suspect.objects.create(
        case=case, compartment=team.a, unit=Unit.objects.create(compartment=team.a, name="OMON"),
        liability="superior",
    )  # fmt: skip
    pages = [f"/cases/{case.pk}/", f"/cases/{case.pk}/missing", f"/cases/{case.pk}/history"]
    for page in pages:
        assert client_of(team.owner).get(page).status_code == 200
        # analyst of B, intake and auditor of A: as for a case that does not exist
        for other in (team.outsider, team.teammate, team.auditor):
            assert client_of(other).get(page).status_code == 404, (page, other)
    # the menu offers Cases to those who may see them
    assert 'href="/cases/"' in client_of(team.owner).get("/register/events/").content.decode()
    assert 'href="/cases/"' not in client_of(team.teammate).get("/inbox/").content.decode()
    # the list: nothing of A to the outsider; intake and auditors have no cases at all
    assert "Okrestina" not in client_of(team.outsider).get("/cases/").content.decode()
    assert client_of(team.teammate).get("/cases/").status_code == 404
    # a legal user of A may change it, an intake user may not
    legal = User.objects.create_user("lawyer", password=STAFF_PASSWORD)
    Grant.objects.create(user=legal, compartment=team.a, role=Role.LEGAL)
    lawyer = client_of(legal)
    assert (
        lawyer.post(
            f"/cases/{case.pk}/edit", {"title": "Okrestina detention", "summary": ""}
        ).status_code
        == 302
    )
    assert client_of(team.teammate).post(f"/cases/suspects/{suspect.pk}/delete").status_code == 404
    assert client_of(team.outsider).post(f"/cases/{case.pk}/delete").status_code == 404
    assert Case.objects.get().title == "Okrestina detention"
    from docket.accounts.models import Approval
    from docket.exports.models import Export

    approval = Approval.objects.create(
        action="export.case", compartment=team.a, summary="bundle", reason="court"
    )
    Export.objects.create(
        kind="case", case=case, compartment=team.a, approval=approval, recipient="age1court",
        recipient_label="a court's evidence unit",
    )  # fmt: skip
    page = lawyer.get(f"/cases/{case.pk}/").content.decode()
    assert f"/exports/?case={case.pk}" in page  # legal users may ask for its bundle
    assert "a court&#x27;s evidence unit" in page and "Waiting for a second admin" in page
    # and a case whose bundle was asked for is kept
    assert lawyer.post(f"/cases/{case.pk}/delete").status_code == 302
    assert Case.objects.filter(pk=case.pk).exists()
    assert (
        f"/exports/?case={case.pk}"
        not in client_of(team.owner).get(f"/cases/{case.pk}/").content.decode()
    )
    # nobody opens a case in a compartment where they may not edit cases
    refused = client_of(team.outsider).post("/cases/", {"compartment": team.a.pk, "title": "x"})
    assert refused.status_code == 200 and not Case.objects.filter(title="x").exists()


def test_deletions_are_history_and_the_register_offers_no_undo_of_them(team: Team) -> None:
    reg = register_of(team.a, "a")
    analyst = client_of(team.owner)
    case = open_case(analyst, team)
    analyst.post(f"/cases/{case.pk}/suspects/new", {
        "who": f"unit:{reg['unit'].pk}", "liability": "superior",  # type: ignore[attr-defined]
    })  # fmt: skip
    suspect = Suspect.objects.get()
    assert analyst.post(f"/cases/suspects/{suspect.pk}/delete").status_code == 302
    deletion = Change.objects.get(model="suspect", action="delete")
    assert deletion.actor == team.owner and deletion.before["case_id"] == case.pk  # type: ignore[index]
    hist = analyst.get(f"/cases/{case.pk}/history").content.decode()
    assert "deleted" in hist and "Superior responsibility" in hist
    # the register's restore refuses it cleanly rather than failing
    assert not history.restorable(deletion)
    answer = analyst.post(f"/register/changes/{deletion.pk}/restore", follow=True)
    assert answer.status_code == 200 and not Suspect.objects.exists()
    # a case with everything in it is deleted whole, each row in the history
    assert analyst.post(f"/cases/{case.pk}/delete").status_code == 302
    assert not Case.objects.exists()
    assert Change.objects.filter(model="case", action="delete", object_id=case.pk).exists()


def test_merging_two_persons_moves_a_suspect_to_the_survivor(team: Team) -> None:
    from docket.register.duplicates import merge

    case = Case.objects.create(compartment=team.a, title="Okrestina")
    survivor = Person.objects.create(compartment=team.a, display_name="Kavalenka")
    merged = Person.objects.create(compartment=team.a, display_name="Коваленко")
    suspect = contents.save(
        Suspect(case=case, compartment=team.a, person=merged, liability="ordered"),
        actor=team.owner,
    )
    merge(survivor, merged, actor=team.owner)
    suspect.refresh_from_db()
    assert suspect.person == survivor
    assert Change.objects.filter(model="suspect", action="update", object_id=suspect.pk).exists()


def test_a_row_of_another_compartment_linked_to_a_case_is_not_shown_on_its_page(
    team: Team,
) -> None:
    """The forms refuse another compartment's rows; one linked some other way (the console,
    a bug) is still not shown to the case's readers, who may not see that compartment."""
    from tests.support.bundle import make_case

    case = make_case(team).case
    b = team.b
    event = Event.objects.create(compartment=b, title="Hrodna-secret-event")
    kind = Term.objects.get(vocabulary="act_type", code="10")
    victim = Person.objects.create(compartment=b, display_name="Hrodna-secret-victim")
    act = Act.objects.create(compartment=b, event=event, act_type=kind, victim=victim)
    officer = Person.objects.create(compartment=b, display_name="Hrodna-secret-officer")
    case.events.add(event)
    case.acts.add(act)
    Suspect.objects.create(case=case, compartment=case.compartment, person=officer,
                           liability=Suspect.Liability.COMMITTED)  # fmt: skip
    Cell.objects.filter(case=case).first().acts.add(act)  # type: ignore[union-attr]
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Hrodna-secret" not in page.content.decode()


def test_namesakes_found_for_a_suspect_can_be_told_apart(team: Team) -> None:
    """Two "Volha Kardziuliuk": the search says each one's birth year, postings and acts."""
    from datetime import date

    from docket.register.models import Membership

    reg = register_of(team.a, "n")
    officer: Person = reg["officer"]  # type: ignore[assignment]
    officer.birth_date = date(1987, 3, 14)
    officer.save()
    Membership.objects.create(
        compartment=team.a, person=officer, unit=reg["unit"], rank="lieutenant"
    )
    namesake = Person.objects.create(compartment=team.a, display_name=officer.display_name)
    analyst = client_of(team.owner)
    case = open_case(analyst, team)
    found = analyst.get(f"/cases/{case.pk}/suspects/new", {"q": "Kavalenka"}).content.decode()
    assert f'value="person:{officer.pk}"' in found and f'value="person:{namesake.pk}"' in found
    mine = found.split(f'value="person:{officer.pk}"', 1)[1].split("</label>", 1)[0]
    theirs = found.split(f'value="person:{namesake.pk}"', 1)[1].split("</label>", 1)[0]
    assert "born 1987" in mine and "lieutenant OMON n" in mine and "1 act" in mine
    assert "born" not in theirs and "0 acts" in theirs
