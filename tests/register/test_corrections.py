"""Records you can correct: acts, their perpetrators, evidence links, sources' accounts and
memberships are changed and deleted from the pages, every change kept with before and after;
a deletion is undone whole (an act with its perpetrators and evidence); nobody outside the
compartment, nor a reader inside it, changes anything."""

from __future__ import annotations

import io
import re

from django.test import Client

from docket.accounts.models import Role
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Information,
    Involvement,
    Membership,
    Term,
    Unit,
)
from docket.vault.store import store
from tests.support.personas import Team, log_in


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def client_of(user: object) -> Client:
    client = Client()
    log_in(client, user)
    return client


def an_event_with_an_act(team: Team) -> tuple[Event, Act]:
    analyst = client_of(team.owner)
    analyst.post("/register/events/new", {
        "compartment": team.a.pk, "title": "Beaten on arrival", "start": "2020-08-12 01:30",
        "start_precision": "exact", "end_precision": "unknown", "confidentiality": "internal",
    })  # fmt: skip
    event = Event.objects.get(title="Beaten on arrival")
    analyst.post(f"/register/events/{event.pk}/acts/new", {
        "victim": "Зміцер Лазоўскі", "act_type": term("act_type", "20.30").pk,
        "methods": [term("method", "20").pk], "perpetrator": "Officer Bandarenka",
        "victim_new": "on", "perpetrator_new": "on",
        "degree": term("involvement_degree", "10").pk, "confidence": "alleged",
    })  # fmt: skip
    return event, event.acts.get()


def test_an_act_is_corrected_and_gains_a_second_perpetrator(team: Team) -> None:
    event, act = an_event_with_an_act(team)
    analyst = client_of(team.owner)
    form = analyst.get(f"/register/acts/{act.pk}/edit").content.decode()
    assert 'value="Зміцер Лазоўскі"' in form  # the form starts from what is recorded
    saved = analyst.post(f"/register/acts/{act.pk}/edit", {
        "victim": "Зміцер Лазоўскі", "act_type": term("act_type", "20.30").pk,
        "methods": [term("method", "20").pk], "injuries": [], "notes": "two batons",
    })  # fmt: skip
    assert saved.status_code == 302 and saved["Location"] == f"/register/events/{event.pk}/"
    act.refresh_from_db()
    assert act.notes == "two batons"
    analyst.post(f"/register/acts/{act.pk}/perpetrators/new", {
        "unit": "OMON Minsk", "unit_new": "on", "degree": term("involvement_degree", "10").pk,
        "confidence": "alleged",
    })  # fmt: skip
    assert act.involvements.count() == 2
    # Adding nobody is refused.
    empty = analyst.post(f"/register/acts/{act.pk}/perpetrators/new", {"confidence": "alleged"})
    assert empty.status_code == 200 and "Name a person, a unit or both." in empty.content.decode()
    first = act.involvements.get(person__isnull=False)
    analyst.post(f"/register/involvements/{first.pk}/edit", {
        "perpetrator": "Officer Bandarenka", "badge_number": "0813",
        "degree": term("involvement_degree", "10").pk, "confidence": "probable",
    })  # fmt: skip
    first.refresh_from_db()
    assert first.confidence == "probable"

    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    assert "OMON Minsk" in page and "Officer Bandarenka" in page
    acts = page[page.index('<table class="acts">') : page.index("</table>")]
    assert "two batons" in acts  # the act's notes, shown with it
    history = page[page.index("History") :]
    assert "changed: " in history and "two batons" in history
    assert "Alleged, not yet checked" in history and "Probable" in history  # in words


def test_a_deleted_act_comes_back_whole(team: Team) -> None:
    event, act = an_event_with_an_act(team)
    item = store(io.BytesIO(b"bodycam"), actor="test", compartment=team.a).item
    analyst = client_of(team.owner)
    analyst.post(f"/register/events/{event.pk}/evidence/new",
                 {"item": item.pk, "act": act.pk, "start": "0:00", "end": "0:03.5"})  # fmt: skip
    methods = set(act.methods.values_list("pk", flat=True))
    involvement = act.involvements.get()
    link = EvidenceLink.objects.get(act=act)

    deleted = analyst.post(f"/register/acts/{act.pk}/delete")
    assert deleted.status_code == 302
    assert not Act.objects.filter(pk=act.pk).exists()
    assert not Involvement.objects.filter(pk=involvement.pk).exists()
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    gone = Change.objects.filter(action="delete").order_by("id")
    assert [c.model for c in gone] == ["involvement", "evidencelink", "act"]

    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    restore = re.findall(r'action="/register/changes/(\d+)/restore"', page)
    assert restore == [str(gone.last().pk)]  # one button brings back the whole act
    analyst.post(
        f"/register/changes/{restore[0]}/restore", {"next": f"/register/events/{event.pk}/"}
    )
    act = Act.objects.get(pk=act.pk)
    assert set(act.methods.values_list("pk", flat=True)) == methods
    assert Involvement.objects.filter(pk=involvement.pk, act=act).exists()
    restored_link = EvidenceLink.objects.get(pk=link.pk)
    assert restored_link.span_text == "0:00–0:03.5"
    assert Change.objects.filter(action="restore").count() == 3
    page = analyst.get(f"/register/events/{event.pk}/").content.decode()
    assert "restored: " in page and "/restore" not in page


def test_evidence_accounts_and_memberships_are_corrected_and_deleted(team: Team) -> None:
    event, act = an_event_with_an_act(team)
    item = store(io.BytesIO(b"testimony"), actor="test", compartment=team.a).item
    analyst = client_of(team.owner)
    analyst.post(f"/register/events/{event.pk}/evidence/new", {"item": item.pk, "page": "2"})
    link = EvidenceLink.objects.get(event=event)
    corrected = {"act": act.pk, "start": "1:02", "end": "1:10", "annotation": "the order"}
    analyst.post(f"/register/evidence/{link.pk}/edit", corrected)
    link.refresh_from_db()
    assert (link.act_id, link.start_seconds, link.end_seconds) == (act.pk, 62, 70)
    assert link.item_id == item.pk  # the item itself is not changed by a correction

    analyst.post(f"/register/events/{event.pk}/accounts/new",
                 {"source": "Witness W-7", "summary": "Saw it from a window."})  # fmt: skip
    info = Information.objects.get(event=event)
    analyst.post(f"/register/accounts/{info.pk}/edit",
                 {"source": "Witness W-7", "summary": "Saw it from a cell window."})  # fmt: skip
    info.refresh_from_db()
    assert info.summary == "Saw it from a cell window."
    analyst.post(f"/register/accounts/{info.pk}/delete")
    assert not Information.objects.filter(pk=info.pk).exists()
    change = Change.objects.get(model="information", action="delete")
    assert change.before["summary"] == "Saw it from a cell window."

    unit = Unit.objects.create(compartment=team.a, name="OMON Minsk")
    served = {"person": "Officer Bandarenka", "start": "2020-01-01", "rank": "sergeant"}
    analyst.post(f"/register/units/{unit.pk}/members/new", served)
    membership = Membership.objects.get(unit=unit)
    analyst.post(f"/register/memberships/{membership.pk}/edit", {**served, "rank": "lieutenant"})
    membership.refresh_from_db()
    assert membership.rank == "lieutenant"
    analyst.post(f"/register/memberships/{membership.pk}/delete")
    page = analyst.get(f"/register/units/{unit.pk}/").content.decode()
    restore = re.findall(r'action="/register/changes/(\d+)/restore"', page)
    assert len(restore) == 1
    analyst.post(f"/register/changes/{restore[0]}/restore")
    assert Membership.objects.get(pk=membership.pk).rank == "lieutenant"


def test_nobody_else_corrects_deletes_or_restores(team: Team) -> None:
    event, act = an_event_with_an_act(team)
    analyst = client_of(team.owner)
    analyst.post(f"/register/events/{event.pk}/accounts/new", {"summary": "to be deleted"})
    info = Information.objects.get(event=event)
    analyst.post(f"/register/accounts/{info.pk}/delete")
    change = Change.objects.get(model="information", action="delete")
    for user in (team.outsider, team.teammate, team.auditor):  # other compartment; readers
        other = client_of(user)
        assert other.get(f"/register/acts/{act.pk}/edit").status_code == 404
        assert other.post(f"/register/acts/{act.pk}/delete").status_code == 404
        assert other.post(f"/register/changes/{change.pk}/restore").status_code == 404
    assert Act.objects.filter(pk=act.pk).exists()
    assert not Information.objects.filter(pk=info.pk).exists()
    reader = client_of(team.teammate)
    page = reader.get(f"/register/events/{event.pk}/").content.decode()
    assert team.teammate.grants.get().role == Role.INTAKE
    assert "/edit" not in page and "/restore" not in page
