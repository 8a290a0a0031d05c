"""Media and incidents, as the worker finds them and an analyst decides on them: an item whose
capture time and place fit an event's window and point is suggested on both pages and in the
leads queue; accepted, an evidence link saying the match (in the history, with who); rejected,
never again. Compartments never meet; `docket match media` prints every pair from the data as
it is now."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from docket.accounts.models import Compartment, User
from docket.enrich import media_leads as finding
from docket.enrich.models import Capture
from docket.jobs import queue
from docket.register import history, leads
from docket.register.models import Change, Event, EvidenceLink, MediaLead, Place
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.personas import Team, log_in

OKRESTINA = (53.8611, 27.4472)
NIGHT = datetime(2020, 8, 11, 19, 30, tzinfo=UTC)  # 22:30 in Minsk


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    """Run the queued jobs in this process; returns how many ran."""

    def work() -> int:
        count = 0
        while True:
            with django_capture_on_commit_callbacks(execute=True):
                job = queue.claim()
                if job is None:
                    return count
                queue.run(job)
                assert job.state == "done", job.error
            count += 1

    return work


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def client_of(user: User) -> Client:
    client = Client()
    log_in(client, user)
    return client


def a_capture(
    compartment: Compartment, when: datetime | None, at: tuple[float, float] | None,
    *, assumed: bool = False, on_commit: Any,
) -> Item:  # fmt: skip
    """An item whose metadata the enrichment read, as it leaves it (which queues matching)."""
    item = store(io.BytesIO(f"photo {when} {at}".encode()), actor="t", compartment=compartment).item
    with on_commit():
        Capture.objects.create(
            item=item, taken_at=when, latitude=at[0] if at else None,
            longitude=at[1] if at else None, zone_assumed=assumed,
            clock="2020:08:11 22:30:00" if assumed else "", clock_zone="Europe/Minsk",
        )  # fmt: skip
        finding.captured(item)
    return item


def an_event(compartment: Compartment, on_commit: Any, **fields: Any) -> Event:
    values = {"title": "Beatings in the yard", "start": NIGHT, "start_precision": "exact"}
    values |= fields
    with on_commit():
        return history.save(Event(compartment=compartment, **values), actor=None)


def a_spot(name: str, at: tuple[float, float], precision: str) -> Place:
    return Place.objects.create(
        kind=Place.Kind.SITE, name_en=name, latitude=at[0], longitude=at[1], precision=precision
    )


def test_an_item_made_near_an_event_is_suggested_on_both_pages_and_in_the_queue(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    event = an_event(team.a, on_commit, latitude=OKRESTINA[0], longitude=OKRESTINA[1])
    near = a_capture(team.a, datetime(2020, 8, 11, 20, 15, tzinfo=UTC), (53.8650, 27.4472),
                     assumed=True, on_commit=on_commit)  # fmt: skip
    a_capture(team.a, datetime(2020, 8, 11, 22, 0, tzinfo=UTC), OKRESTINA, on_commit=on_commit)
    a_capture(team.a, NIGHT, (53.90, 27.56), on_commit=on_commit)  # 8 km away
    a_capture(team.a, NIGHT, None, on_commit=on_commit)  # no place: never matches
    run()
    [lead] = MediaLead.objects.filter(event=event)
    assert (lead.item_id, lead.seconds, lead.zone_assumed, lead.status) == (
        near.pk, 45 * 60, True, "suggested"
    )  # fmt: skip
    assert lead.metres == pytest.approx(434, abs=2)

    owner = client_of(team.owner)
    page = owner.get(f"/register/events/{event.pk}/").content.decode()
    assert "Media that may show this" in page
    assert "45 min outside the event&#x27;s time" in page and "434 m away" in page
    assert "assumed" in page and "2020-08-11 22:30 +03:00" in page
    item_page = owner.get(f"/vault/items/{near.pk}/").content.decode()
    assert "Incidents near this time and place" in item_page
    assert f"/register/events/{event.pk}/" in item_page
    assert item_page.index("Incidents near this time and place") < item_page.index(
        "Accept as evidence"
    )

    kind = leads.KINDS["media"]
    assert (kind.permission, kind.template) == ("register.edit", "register/leads/_media.html")
    assert kind.count(team.a.pk) == 1 and kind.count(team.b.pk) == 0
    [pending] = kind.pending(team.a.pk, 10)
    assert pending.pk == lead.pk
    asked = RequestFactory().get("/leads/?kind=media")
    asked.user = team.owner
    row = render_to_string(
        kind.template, {"lead": pending, "kind": kind, "may_decide": True}, request=asked
    )
    assert f'href="/vault/items/{near.pk}/"' in row and "Beatings in the yard" in row
    assert "45 min outside" in row and "assumed" in row
    assert 'action="/leads/decide"' in row and f'name="lead" value="{lead.pk}"' in row
    assert 'name="next" value="/leads/?kind=media"' in row and "Accept as evidence" in row
    assert kind.decide(pending, False, team.owner) is True
    assert kind.decide(kind.get(str(lead.pk)), True, team.owner) is False  # decided already
    assert MediaLead.objects.get(pk=lead.pk).status == "rejected"


def test_accepting_makes_an_evidence_link_saying_the_match_in_the_history(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    event = an_event(team.a, on_commit, latitude=OKRESTINA[0], longitude=OKRESTINA[1])
    item = a_capture(team.a, NIGHT, OKRESTINA, assumed=True, on_commit=on_commit)
    run()
    lead = MediaLead.objects.get(event=event)
    owner = client_of(team.owner)
    back = f"/vault/items/{item.pk}/"
    answer = owner.post(
        "/register/media-leads/decide", {"lead": lead.pk, "decision": "accept", "next": back}
    )
    assert answer.status_code == 302 and answer["Location"] == back
    lead.refresh_from_db()
    assert (lead.status, lead.decided_by) == ("accepted", team.owner)
    link = EvidenceLink.objects.get(pk=lead.evidence_id)
    assert (link.item_id, link.event_id) == (item.pk, event.pk)
    assert "0 s outside its time window, 0 m from its place" in link.annotation
    assert "assumed" in link.annotation
    made = Change.objects.get(model="evidencelink", object_id=link.pk)
    assert made.actor == team.owner and made.action == "create"
    assert Change.objects.filter(model="medialead", object_id=lead.pk, actor=team.owner).exists()
    # Pressed again (a second tab): nothing more.
    owner.post("/register/media-leads/decide", {"lead": lead.pk, "decision": "accept"})
    assert EvidenceLink.objects.filter(item=item, event=event).count() == 1
    # An outsider does not learn that it exists.
    outsider = client_of(team.outsider)
    refused = outsider.post("/register/media-leads/decide", {"lead": lead.pk, "decision": "reject"})
    assert refused.status_code == 404


def test_a_rejection_is_remembered_and_a_lead_no_longer_matching_goes(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    event = an_event(team.a, on_commit, latitude=OKRESTINA[0], longitude=OKRESTINA[1])
    other = an_event(team.a, on_commit, title="Detentions at the gate",
                     latitude=OKRESTINA[0], longitude=OKRESTINA[1])  # fmt: skip
    a_capture(team.a, NIGHT, OKRESTINA, on_commit=on_commit)
    run()
    rejected = MediaLead.objects.get(event=event)
    client_of(team.owner).post(
        "/register/media-leads/decide", {"lead": rejected.pk, "decision": "reject"}
    )
    # The other event is moved a day later: its undecided lead goes; the rejected one stays.
    other.start = datetime(2020, 8, 12, 19, 30, tzinfo=UTC)
    with on_commit():
        history.save(other, actor=None)
    run()
    assert list(MediaLead.objects.values_list("event_id", "status")) == [(event.pk, "rejected")]
    assert call_command("register", "leads", "--compartment", team.a.name) is None
    assert MediaLead.objects.get(pk=rejected.pk).status == "rejected"
    page = client_of(team.owner).get(f"/register/events/{event.pk}/").content.decode()
    assert "Media that may show this" not in page


def test_the_event_point_is_its_own_else_its_places_unless_that_is_an_area(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    spot = a_spot("Yard of the centre", OKRESTINA, "point")
    city = a_spot("Minsk (centre)", OKRESTINA, "area")
    by_place = an_event(team.a, on_commit, place=spot)
    by_area = an_event(team.a, on_commit, place=city, title="Somewhere in Minsk")
    own = an_event(team.a, on_commit, place=city, title="A corner", latitude=OKRESTINA[0],
                   longitude=OKRESTINA[1])  # fmt: skip
    a_capture(team.a, NIGHT, OKRESTINA, on_commit=on_commit)
    run()
    matched = set(MediaLead.objects.values_list("event_id", flat=True))
    assert matched == {by_place.pk, own.pk} and by_area.pk not in matched


def test_compartments_never_meet(team: Team, run: Callable[[], int], on_commit: Any) -> None:
    an_event(team.a, on_commit, latitude=OKRESTINA[0], longitude=OKRESTINA[1])
    a_capture(team.b, NIGHT, OKRESTINA, on_commit=on_commit)
    run()
    assert not MediaLead.objects.exists()


def test_the_command_prints_every_pair_from_the_data_as_it_is(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    event = an_event(team.a, on_commit, latitude=OKRESTINA[0], longitude=OKRESTINA[1],
                     import_ref="2020-08-11-yard")  # fmt: skip
    later = an_event(team.b, on_commit, latitude=OKRESTINA[0], longitude=OKRESTINA[1])
    first = a_capture(team.a, NIGHT, OKRESTINA, assumed=True, on_commit=on_commit)
    second = a_capture(team.b, datetime(2020, 8, 11, 21, 0, tzinfo=UTC), (53.8700, 27.4472),
                       on_commit=on_commit)  # fmt: skip
    out = io.StringIO()
    call_command("match", "media", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == {
        "matches": [
            {"item": first.pk, "sha256": first.sha256, "event": event.pk,
             "event_ref": "2020-08-11-yard", "seconds": 0, "metres": 0, "zone_assumed": True},
            {"item": second.pk, "sha256": second.sha256, "event": later.pk, "event_ref": None,
             "seconds": 5400, "metres": 990, "zone_assumed": False},
        ]
    }  # fmt: skip
    assert not MediaLead.objects.exists()  # it reads the data, and stores nothing
    out = io.StringIO()
    call_command("match", "media", "--compartment", team.b.name, "--hours", "1", "--json",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == {"matches": []}  # 1 h 30 min after: too late
    out = io.StringIO()
    call_command("match", "media", "--km", "0.5", stdout=out)
    assert "2020-08-11-yard" in out.getvalue() and "assumed" in out.getvalue()
    # Not a number (which would match every capture at any time) or none: refused.
    for bad in (["--hours", "nan"], ["--km", "inf"], ["--hours", "-1"]):
        with pytest.raises(CommandError, match="numbers of 0 or more"):
            call_command("match", "media", *bad, stdout=io.StringIO())


def test_a_place_given_a_precise_point_later_matches_its_events(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    corner = a_spot("A corner of the square", OKRESTINA, "area")
    event = an_event(team.a, on_commit, place=corner)
    a_capture(team.a, NIGHT, OKRESTINA, on_commit=on_commit)
    run()
    assert not MediaLead.objects.exists()
    corner.precision = Place.CoordinatePrecision.POINT
    with on_commit():
        history.save(corner, actor=None)
    run()
    assert list(MediaLead.objects.values_list("event_id", flat=True)) == [event.pk]
