"""Mentions in evidence, as the worker finds them and an analyst decides on them: a page or a
stretch of a transcript naming a person of the register becomes a suggestion on the item's and
the person's pages; accepted, an evidence link with its span (in the history); rejected,
never again. Compartments never meet, and a person added later is found through the index."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from docket.accounts.models import Compartment, User
from docket.enrich.models import Segment, TextPage, Transcript
from docket.jobs import queue
from docket.register import history, mentions, search
from docket.register.models import Change, Event, EvidenceLink, Mention, Person, PersonName, Unit
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.personas import Team, log_in

ORDER = "Приказ № 17.\nУтвердить состав группы.\nПодписал: начальник управления Тертелем И.С."


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    """Run the queued jobs in this process (the test's transaction never commits, so Django's
    capture runs what would run on commit); returns how many ran."""

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


def a_person(compartment: Compartment, name: str, *also: str, on_commit: Any) -> Person:
    """A person as the pages add one: through the history, which queues the search."""

    def names(person: Person) -> None:
        PersonName.objects.bulk_create(
            PersonName(person=person, name=n, script="Cyrl") for n in also
        )

    with on_commit():
        return history.save(
            Person(compartment=compartment, display_name=name), actor=None, related=names
        )


def an_item(compartment: Compartment, *pages: str, on_commit: Any) -> Item:
    """An item whose pages OCR read, indexed as enrichment leaves it (which queues the scan)."""
    from docket.enrich import text

    item = store(io.BytesIO(f"scan {pages}".encode()), actor="t", compartment=compartment).item
    for number, words in enumerate(pages, start=1):
        TextPage.objects.create(item=item, page=number, method="ocr", text=words)
    with on_commit():
        text.index_item(item)
    return item


def a_recording(compartment: Compartment, *said: tuple[float, float, str], on_commit: Any) -> Item:
    from docket.enrich import text

    item = store(io.BytesIO(f"audio {said}".encode()), actor="t", compartment=compartment).item
    heard = Transcript.objects.create(
        item=item, language="be", language_probability=0.9, model="test", device="cpu",
        duration_seconds=60,
    )  # fmt: skip
    for index, (start, end, words) in enumerate(said):
        Segment.objects.create(transcript=heard, index=index, start=start, end=end, text=words)
    with on_commit():
        text.index_item(item)
    return item


def test_an_ocr_page_in_a_case_form_suggests_the_person_with_page_and_snippet(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    tertel = a_person(team.a, "Ivan Tertel", "Іван Церцель", on_commit=on_commit)
    item = an_item(team.a, "Первая страница.", ORDER, on_commit=on_commit)
    run()
    [mention] = Mention.objects.filter(item=item)
    assert (mention.person, mention.page, mention.status) == (tertel, 2, "suggested")
    assert mention.words == "Тертелем И.С." and mention.score >= 0.8
    assert "начальник управления Тертелем И.С." in mention.snippet
    assert ORDER[mention.char_start : mention.char_end] == "Тертелем И.С."

    page = client_of(team.owner).get(f"/vault/items/{item.pk}/").content.decode()
    assert (
        "page 2 mentions" in page and f'href="/register/persons/{tertel.pk}/">Ivan Tertel' in page
    )
    assert "Accept as evidence" in page
    assert "начальник управления <mark>Тертелем И.С.</mark>" in page  # the words found, marked
    intake = client_of(team.teammate).get(f"/vault/items/{item.pk}/").content.decode()
    assert "page 2 mentions" in intake and "Accept as evidence" not in intake  # reads only
    person = client_of(team.owner).get(f"/register/persons/{tertel.pk}/").content.decode()
    assert "Mentioned in 1 item" in person and "Тертелем И.С." in person


def test_a_belarusian_transcript_suggests_the_person_with_start_and_end(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    tertel = a_person(team.a, "Тертель Иван Станиславович", on_commit=on_commit)
    item = a_recording(
        team.a, (0, 4, "Добры дзень."), (12.5, 16, "Загад падпісаў Церцель асабіста."),
        on_commit=on_commit,
    )  # fmt: skip
    run()
    [mention] = Mention.objects.filter(item=item)
    assert mention.person == tertel and mention.page is None
    assert (mention.start_seconds, mention.end_seconds, mention.words) == (12.5, 16, "Церцель")
    assert mention.surname_only  # nothing beside it says which Tertel: the weaker kind
    page = client_of(team.owner).get(f"/vault/items/{item.pk}/").content.decode()
    assert "0:12.5–0:16 mentions" in page and "by the surname alone" in page


def test_accepting_makes_an_evidence_link_with_the_span_in_the_history(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    tertel = a_person(team.a, "Ivan Tertel", on_commit=on_commit)
    document = an_item(team.a, "", ORDER, on_commit=on_commit)
    recording = a_recording(team.a, (3, 7.25, "Иван Тертель приехал."), on_commit=on_commit)
    run()
    analyst = client_of(team.owner)
    for item in (document, recording):
        mention = Mention.objects.get(item=item)
        answer = analyst.post(
            "/register/mentions/decide", {"mention": mention.pk, "decision": "accept"}
        )
        assert answer.status_code == 302 and answer["Location"] == f"/vault/items/{item.pk}/"
    on_page = EvidenceLink.objects.get(item=document)
    on_tape = EvidenceLink.objects.get(item=recording)
    assert (on_page.person, on_page.page, on_page.event) == (tertel, 2, None)
    assert (on_tape.start_seconds, on_tape.end_seconds) == (3, 7.25)
    assert "Тертелем И.С." in on_page.annotation
    created = Change.objects.get(model="evidencelink", object_id=on_page.pk)
    assert created.action == "create" and created.actor == team.owner
    assert created.after["page"] == 2 and created.after["person_id"] == tertel.pk
    decided = Mention.objects.get(item=document)
    assert (decided.status, decided.decided_by, decided.evidence) == (
        "accepted",
        team.owner,
        on_page,
    )
    assert Change.objects.filter(model="mention", object_id=decided.pk, actor=team.owner).exists()
    page = analyst.get(f"/vault/items/{document.pk}/").content.decode()
    assert "accepted as evidence" in page and f"/register/persons/{tertel.pk}/" in page

    # Pressed again (a second tab): nothing more is linked.
    analyst.post("/register/mentions/decide", {"mention": decided.pk, "decision": "accept"})
    assert EvidenceLink.objects.filter(item=document).count() == 1


def test_a_rejection_is_remembered_and_a_new_scan_does_not_suggest_it_again(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    tertel = a_person(team.a, "Ivan Tertel", on_commit=on_commit)
    item = an_item(team.a, ORDER, on_commit=on_commit)
    run()
    mention = Mention.objects.get(item=item)
    client_of(team.owner).post(
        "/register/mentions/decide", {"mention": mention.pk, "decision": "reject"}
    )
    assert Mention.objects.get(pk=mention.pk).status == "rejected"
    mentions.scan(item)
    mentions.look_for(tertel)
    call_command("register", "mentions", "--compartment", team.a.name, stdout=io.StringIO())
    assert list(Mention.objects.values_list("status", flat=True)) == ["rejected"]
    assert not EvidenceLink.objects.exists()
    page = client_of(team.owner).get(f"/vault/items/{item.pk}/").content.decode()
    assert "page 1 mentions" not in page


def test_another_compartments_person_is_never_suggested_and_its_mentions_are_404(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    theirs = a_person(team.b, "Ivan Tertel", on_commit=on_commit)
    ours = an_item(team.a, ORDER, on_commit=on_commit)
    their_item = an_item(team.b, ORDER, on_commit=on_commit)
    run()
    assert not Mention.objects.filter(item=ours).exists()  # their Tertel is not ours to find
    [their_mention] = Mention.objects.filter(item=their_item)
    assert their_mention.person == theirs and their_mention.compartment == team.b

    # Our analyst guessing their mention's number learns nothing and changes nothing.
    for decision in ("accept", "reject"):
        guessed = client_of(team.owner).post(
            "/register/mentions/decide", {"mention": their_mention.pk, "decision": decision}
        )
        assert guessed.status_code == 404
    assert Mention.objects.get(pk=their_mention.pk).status == "suggested"
    assert not EvidenceLink.objects.exists()
    # Nor may someone of our compartment who only reads the register decide ours.
    a_person(team.a, "Ivan Tertel", on_commit=on_commit)
    run()
    our_mention = Mention.objects.get(item=ours)
    reader = client_of(team.teammate).post(
        "/register/mentions/decide", {"mention": our_mention.pk, "decision": "accept"}
    )
    assert reader.status_code == 404
    their_page = client_of(team.outsider).get(f"/register/persons/{theirs.pk}/").content.decode()
    assert f"/vault/items/{ours.pk}/" not in their_page


@pytest.fixture
def texts_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The items whose texts are read for mentions, once per reader (pages, messages)."""
    read: list[int] = []

    def counting(reader: Callable[[Item], list[mentions.Passage]]) -> Callable[..., Any]:
        def counted(item: Item) -> list[mentions.Passage]:
            read.append(item.pk)
            return reader(item)

        return counted

    monkeypatch.setattr(mentions, "ITEM_TEXTS", [counting(r) for r in mentions.ITEM_TEXTS])
    return read


def test_a_person_added_later_finds_the_items_naming_them_through_the_index(
    team: Team, run: Callable[[], int], on_commit: Any, texts_read: list[int]
) -> None:
    unrelated = [
        an_item(
            team.a, f"Протокол № {n}. Задержан Пугачёв, допрошен Ковальчук.", on_commit=on_commit
        )
        for n in range(12)
    ]
    naming = an_item(team.a, "Рапорт на имя Тертеля Ивана", on_commit=on_commit)
    run()
    assert not Mention.objects.exists()
    texts_read.clear()

    tertel = a_person(team.a, "Ivan Tertel", on_commit=on_commit)
    assert run() == 2  # the person's job, and the register's tallies counted again
    assert set(texts_read) == {naming.pk}  # none of the twelve others is read
    assert Mention.objects.get().item == naming and Mention.objects.get().score == 1.0
    assert mentions.look_for(tertel) == 1

    # Renamed (a mistake put right), the person's suggestions follow the name.
    tertel.display_name = "Ivan Pugachev"
    with on_commit():
        history.save(tertel, actor=None)
    run()
    assert set(Mention.objects.values_list("item", flat=True)) == {i.pk for i in unrelated}


def test_an_event_description_naming_a_person_shows_on_the_persons_page(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    tertel = a_person(team.a, "Іван Церцель", on_commit=on_commit)
    with on_commit():
        event = history.save(
            Event(compartment=team.a, title="Разгон у Акрэсціна",
                  description="Загад аддаў асабіста Іван Церцель."),
            actor=None,
        )  # fmt: skip
    run()
    [mention] = Mention.objects.filter(event=event)
    assert mention.person == tertel and mention.place == "description"
    page = client_of(team.owner).get(f"/register/persons/{tertel.pk}/").content.decode()
    assert "Mentioned in 0 items, and in 1 event's description" in page
    assert f'href="/register/events/{event.pk}/">Разгон у Акрэсціна' in page
    event_page = client_of(team.owner).get(f"/register/events/{event.pk}/").content.decode()
    assert "Named in the description" in event_page and "Іван Церцель" in event_page

    # Accepted, an event's mention is confirmed (there is no item to link).
    client_of(team.owner).post(
        "/register/mentions/decide", {"mention": mention.pk, "decision": "accept"}
    )
    assert Mention.objects.get(pk=mention.pk).status == "accepted"
    # The description changed: the suggestion of a name no longer there would go; the
    # accepted one stays as decided.
    event.description = "Без имён."
    with on_commit():
        history.save(event, actor=None)
    run()
    assert Mention.objects.get(pk=mention.pk).status == "accepted"


def test_a_unit_is_found_by_its_name_and_shown_on_its_page(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    with on_commit():
        omon = history.save(
            Unit(compartment=team.a, name="ОМОН ГУВД Мингорисполкома", other_names="АМАП"),
            actor=None,
        )
    item = an_item(
        team.a, "Задержание провели бойцы ОМОНа ГУВД Мингорисполкома.", on_commit=on_commit
    )
    run()
    [mention] = Mention.objects.filter(item=item)
    assert mention.unit == omon and mention.words == "ОМОНа ГУВД Мингорисполкома"
    page = client_of(team.owner).get(f"/register/units/{omon.pk}/").content.decode()
    assert "Mentioned in 1 item" in page


def test_the_command_finds_what_a_bulk_load_left_unread(team: Team) -> None:
    # Bulk inserts (the fictional generator) queue nothing and file no names.
    Person.objects.create(compartment=team.a, display_name="Иван Тертель")
    item = store(io.BytesIO(b"scan"), actor="t", compartment=team.a).item
    TextPage.objects.create(item=item, page=1, method="ocr", text=ORDER)
    search.index(item)
    assert not Mention.objects.exists()
    out = io.StringIO()
    call_command("register", "mentions", "--compartment", team.a.name, "--json", stdout=out)
    assert Mention.objects.get().item == item
    assert json.loads(out.getvalue()) == {
        "persons": 1,
        "units": 0,
        "items": 1,
        "events": 0,
        "suggested": 1,
    }


def test_a_moved_item_leaves_its_old_compartments_suggestions_behind(
    team: Team, run: Callable[[], int], on_commit: Any
) -> None:
    from docket.vault.store import move

    a_person(team.a, "Ivan Tertel", on_commit=on_commit)
    theirs = a_person(team.b, "Ivan Tertel", on_commit=on_commit)
    item = an_item(team.a, ORDER, on_commit=on_commit)
    run()
    assert Mention.objects.get(item=item).compartment == team.a
    with on_commit():
        move(item, team.b, actor="t")
    run()
    [mention] = Mention.objects.filter(item=item)
    assert (mention.compartment, mention.person) == (team.b, theirs)
