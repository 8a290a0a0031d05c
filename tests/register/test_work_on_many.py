"""Work on many at once: items chosen in the list are tagged or linked to an event (one
history entry each, never across compartments), and a search is saved by name, for oneself
or shared in a compartment."""

from __future__ import annotations

import io
from pathlib import Path

from django.test import Client

from docket.accounts.models import AuditEvent, Role
from docket.enrich.models import Derivative
from docket.register.models import Change, Event, EvidenceLink, ItemRecord, SavedSearch
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.personas import Team, log_in, person


def client_of(user: object) -> Client:
    client = Client()
    log_in(client, user)
    return client


def stored(team_compartment: object, data: bytes) -> Item:
    return store(io.BytesIO(data), actor="test", compartment=team_compartment).item  # type: ignore[arg-type]


def test_chosen_items_are_tagged_and_linked_to_an_event_one_history_entry_each(
    vault: Path, team: Team
) -> None:
    first, second = stored(team.a, b"first video"), stored(team.a, b"second video")
    theirs = stored(team.b, b"another compartment's file")
    thumbnail = stored(team.a, b"a thumbnail Docket drew")
    Derivative.objects.create(original=first, derived=thumbnail, kind="thumbnail")
    event = Event.objects.create(compartment=team.a, title="Okrestina, night of 11 August")
    analyst = client_of(team.owner)

    page = analyst.get("/vault/items/").content.decode()
    assert "With the chosen items" in page and 'name="item"' in page
    assert "data-working=" in page  # the form says how many rows it works on once sent
    assert "Okrestina, night of 11 August" in page  # offered as the event to link to
    assert (
        "With the chosen items"
        not in client_of(team.teammate).get("/vault/items/").content.decode()
    )

    chosen = [first.pk, second.pk, theirs.pk, thumbnail.pk]
    done = analyst.post("/register/items/bulk",
                        {"item": chosen, "do": "tag", "tags": "bodycam, 11 August",
                         "next": "/vault/items/?show=all"}, follow=True)  # fmt: skip
    assert done.redirect_chain[-1][0] == "/vault/items/?show=all"
    text = done.content.decode()
    assert "2 items tagged." in text and "2 chosen items were left as they were." in text
    assert ItemRecord.objects.get(item=first).tags == "bodycam, 11 August"
    assert not ItemRecord.objects.filter(item__in=[theirs, thumbnail]).exists()
    # Tagging again with one tag more adds it once; an item that has them all is unchanged.
    analyst.post("/register/items/bulk", {"item": [first.pk], "do": "tag", "tags": "BODYCAM, yard"})
    assert ItemRecord.objects.get(item=first).tags == "bodycam, 11 August, yard"
    changes = Change.objects.filter(model="itemrecord").order_by("id")
    assert [c.object_id for c in changes] == [first.pk, second.pk, first.pk]

    linked = analyst.post("/register/items/bulk",
                          {"item": [first.pk, second.pk, theirs.pk], "do": "link",
                           "event": event.pk}, follow=True).content.decode()  # fmt: skip
    assert "2 items linked to Okrestina, night of 11 August." in linked
    assert set(EvidenceLink.objects.values_list("item_id", flat=True)) == {first.pk, second.pk}
    assert Change.objects.filter(model="evidencelink", action="create").count() == 2
    again = analyst.post(
        "/register/items/bulk", {"item": [first.pk], "do": "link", "event": event.pk}, follow=True
    )
    assert (
        "evidence of Okrestina, night of 11 August already" in again.content.decode()
        and EvidenceLink.objects.count() == 2
    )

    # An analyst of another compartment can neither link to this event nor touch these items.
    outsider = client_of(team.outsider)
    outsider.post("/register/items/bulk", {"item": [theirs.pk], "do": "link", "event": event.pk})
    assert EvidenceLink.objects.count() == 2
    outsider.post("/register/items/bulk", {"item": [first.pk], "do": "tag", "tags": "planted"})
    assert "planted" not in ItemRecord.objects.get(item=first).tags
    # The form's redirect goes nowhere but this site.
    away = analyst.post(
        "/register/items/bulk",
        {"item": [first.pk], "do": "tag", "tags": "x", "next": "https://evil.example/"},
    )
    assert away["Location"] == "/vault/items/"


def test_a_saved_search_is_kept_for_its_owner_or_shared_in_one_compartment(
    vault: Path, team: Team
) -> None:
    colleague = person("colleague", team.a, Role.LEGAL)
    analyst = client_of(team.owner)
    page = analyst.get("/register/events/?q=Okrestina&since=2020-08-09").content.decode()
    assert "Save this search as" in page and 'class="wide"' in page

    analyst.post("/register/saved/", {"page": "events", "name": "Mine only",
                                      "query": "q=Akrestsina"})  # fmt: skip
    saved = analyst.post("/register/saved/", {"page": "events", "name": "Okrestina since the 9th",
                                              "query": "q=Okrestina&since=2020-08-09",
                                              "share": team.a.pk})  # fmt: skip
    assert saved["Location"] == "/register/events/?q=Okrestina&since=2020-08-09"
    assert AuditEvent.objects.filter(action="search.save").count() == 2

    theirs = client_of(colleague).get("/register/events/").content.decode()
    assert "Okrestina since the 9th" in theirs and "shared in okr-casefiles by owner" in theirs
    assert "Mine only" not in theirs
    assert 'href="?q=Okrestina&amp;since=2020-08-09"' in theirs
    outsider = client_of(team.outsider)
    assert "Okrestina since the 9th" not in outsider.get("/register/events/").content.decode()
    # Nobody shares into a compartment whose register they do not see.
    outsider.post("/register/saved/", {"page": "events", "name": "Planted", "query": "",
                                       "share": team.a.pk})  # fmt: skip
    assert not SavedSearch.objects.filter(name="Planted").exists()

    shared = SavedSearch.objects.get(name="Okrestina since the 9th")
    assert (
        client_of(colleague).post("/register/saved/delete", {"saved": shared.pk}).status_code == 404
    )
    analyst.post("/register/saved/delete", {"saved": shared.pk})
    assert not SavedSearch.objects.filter(pk=shared.pk).exists()
    on_search = analyst.get("/register/search/?q=Okrestina").content.decode()
    assert "Save this search as" in on_search and 'value="search"' in on_search


def test_chosen_events_get_a_status_one_history_entry_each(vault: Path, team: Team) -> None:
    from docket.register.models import Term

    ours = [Event.objects.create(compartment=team.a, title=f"event {n}") for n in range(3)]
    theirs = Event.objects.create(compartment=team.b, title="their event")
    confirmed = Term.objects.filter(vocabulary="violation_status").first()
    assert confirmed is not None
    analyst = client_of(team.owner)
    page = analyst.get("/register/events/?q=event").content.decode()
    assert "With the chosen events" in page and f'name="event" value="{ours[0].pk}"' in page
    assert (
        "With the chosen events"
        not in client_of(team.teammate).get("/register/events/").content.decode()
    )  # the intake role reads the register and changes nothing

    done = analyst.post(
        "/register/events/bulk",
        {"event": [ours[0].pk, ours[1].pk, theirs.pk], "status": confirmed.pk, "query": "q=event"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/register/events/?q=event"
    text = done.content.decode()
    assert "2 events now have the status" in text and "1 chosen event was left" in text
    assert {e.pk for e in Event.objects.filter(violation_status=confirmed)} == {
        ours[0].pk,
        ours[1].pk,
    }
    changes = Change.objects.filter(model="event", action="update").order_by("id")
    assert [c.object_id for c in changes] == [ours[0].pk, ours[1].pk]
    # Back to "not assessed" for one of them.
    # Nothing chosen changes nothing; "not assessed" is chosen on purpose.
    analyst.post("/register/events/bulk", {"event": [ours[1].pk], "status": ""})
    assert Event.objects.get(pk=ours[1].pk).violation_status == confirmed
    analyst.post("/register/events/bulk", {"event": [ours[1].pk], "status": "none"})
    assert Event.objects.get(pk=ours[1].pk).violation_status is None
