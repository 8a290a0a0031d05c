"""The one queue of leads: every kind waiting in a compartment on one page, filtered by kind,
counted in the menu, decided from the queue as on each kind's own page (kept in the history
and the audit trail with who), and never a lead of another compartment."""

from __future__ import annotations

from django.test import Client

from docket.accounts.models import AuditEvent
from docket.register import duplicates, search
from docket.register.models import Change, Event, EvidenceLink, Mention, Person, PersonPair
from tests.support.personas import Team, log_in


def client_of(user: object) -> Client:
    client = Client()
    log_in(client, user)  # type: ignore[arg-type]
    return client


def persons(compartment: object, *shown: str) -> list[Person]:
    made = [Person.objects.create(compartment=compartment, display_name=n) for n in shown]
    for person in made:
        search.index(person)
    return made


def a_mention(compartment: object, person: Person, event: Event) -> Mention:
    return Mention.objects.create(
        compartment=compartment, event=event, person=person, place="description",
        char_start=0, char_end=6, words="Тертель", snippet="Тертель отдал приказ", score=0.9,
    )  # fmt: skip


def test_the_queue_lists_every_kind_counts_them_and_filters_by_kind(team: Team) -> None:
    cyrillic, _latin = persons(team.a, "Іван Церцель", "Ivan Tertel")
    (theirs,) = persons(team.b, "Тертель Иван Станиславович")
    (also_theirs,) = persons(team.b, "Ivan Tertel")
    event = Event.objects.create(compartment=team.a, title="Задержания у Стелы")
    a_mention(team.a, cyrillic, event)
    elsewhere = Event.objects.create(compartment=team.b, title="Hidden elsewhere")
    a_mention(team.b, theirs, elsewhere)
    analyst = client_of(team.owner)
    page = analyst.get("/leads/").content.decode()
    assert "Possible duplicate persons (1)" in page and "Mentions (1)" in page
    assert "Іван Церцель" in page and "Ivan Tertel" in page and "отдал приказ" in page
    assert "Hidden elsewhere" not in page and "Тертель Иван Станиславович" not in page
    only = analyst.get("/leads/", {"kind": "mentions"}).content.decode()
    assert "отдал приказ" in only and "Same person: keep" not in only
    # The menu counts what is known without running the matcher (it ran for the page above).
    assert '<span class="count">2</span>' in analyst.get("/register/events/").content.decode()
    # The outsider's queue is their own compartment's, whatever they ask for.
    outsider = client_of(team.outsider).get("/leads/", {"compartment": team.a.pk})
    text = outsider.content.decode()
    assert "Іван Церцель" not in text and "Тертель Иван Станиславович" in text
    assert "Hidden elsewhere" in text
    # Who may not change the register has no queue and no link to it.
    intake = client_of(team.teammate)
    assert intake.get("/leads/").status_code == 404
    assert 'href="/leads/"' not in intake.get("/register/events/").content.decode()
    assert AuditEvent.objects.filter(action="lead.list", actor=team.owner).count() == 2
    assert also_theirs.pk


def test_accepting_and_rejecting_from_the_queue_keeps_who_and_when(team: Team) -> None:
    first, second = persons(team.a, "Андрэй Церцель", "Andrei Tertel")
    event = Event.objects.create(compartment=team.a, title="Задержания у Стелы")
    mention = a_mention(team.a, first, event)
    analyst = client_of(team.owner)
    analyst.get("/leads/")  # the matcher runs; the menu counts its pairs from now on
    menu = 'href="/leads/">Leads <span class="count">2</span></a>'
    assert menu in analyst.get("/register/events/").content.decode()
    refused = analyst.post(
        "/leads/decide",
        {"kind": "persons", "lead": f"{first.pk}-{second.pk}", "decision": "reject",
         "next": "/leads/?kind=persons"},
    )  # fmt: skip
    assert refused.status_code == 302 and refused["Location"] == "/leads/?kind=persons"
    pair = PersonPair.objects.get(a=first, b=second)
    assert pair.decision == "different" and pair.decided_by == team.owner
    assert duplicates.candidates(team.a.pk, decided=False) == []
    again = analyst.post(
        "/leads/decide",
        {"kind": "persons", "lead": f"{first.pk}-{second.pk}", "decision": "accept"},
    )
    assert again.status_code == 302 and Person.objects.filter(pk=second.pk).exists()
    accepted = analyst.post(
        "/leads/decide", {"kind": "mentions", "lead": mention.pk, "decision": "accept"}
    )
    assert accepted.status_code == 302
    mention.refresh_from_db()
    assert mention.status == "accepted" and mention.decided_by == team.owner
    assert Change.objects.filter(model="mention", object_id=mention.pk, actor=team.owner).exists()
    decided = AuditEvent.objects.filter(action="lead.decide", actor=team.owner)
    assert [(e.details["kind"], e.details["decision"]) for e in decided.order_by("id")] == [
        ("persons", "reject"), ("mentions", "accept"),
    ]  # fmt: skip
    page = analyst.get("/leads/").content.decode()
    assert "Nothing waits here." in page and "отдал приказ" not in page
    # The menu's count follows the answers, not a count kept from before them.
    assert 'href="/leads/">Leads</a>' in analyst.get("/register/events/").content.decode()
    assert not EvidenceLink.objects.filter(event=event).exists()  # an event's mention: no file


def test_accepting_a_pair_merges_it_and_no_one_decides_another_compartments_lead(
    team: Team,
) -> None:
    kept, merged = persons(team.a, "Іван Церцель", "Ivan Tertel")
    (theirs,) = persons(team.b, "Іван Церцель")
    event = Event.objects.create(compartment=team.a, title="Задержания у Стелы")
    mention = a_mention(team.a, kept, event)
    outsider = client_of(team.outsider)
    for kind, lead in (("persons", f"{kept.pk}-{merged.pk}"), ("mentions", mention.pk),
                       ("persons", f"{kept.pk}-{theirs.pk}"), ("nothing", "1")):  # fmt: skip
        asked = outsider.post("/leads/decide", {"kind": kind, "lead": lead, "decision": "accept"})
        assert asked.status_code == 404
    assert Person.objects.filter(pk=merged.pk).exists()
    page = client_of(team.owner).get("/leads/", {"kind": "persons"}).content.decode()
    assert f"Same person: keep #{kept.pk} “Іван Церцель”" in page
    done = client_of(team.owner).post(
        "/leads/decide", {"kind": "persons", "lead": f"{kept.pk}-{merged.pk}", "decision": "accept"}
    )
    assert done.status_code == 302
    assert not Person.objects.filter(pk=merged.pk).exists()
    assert "Ivan Tertel" in [n.name for n in kept.names.all()]


def test_a_lead_named_oddly_is_no_such_lead(team: Team) -> None:
    # "²" passes str.isdigit() and fails int(); a number past the database's integers would
    # overflow the query: both name no lead, and are answered as such, not with an error.
    owner = client_of(team.owner)
    for odd in ("²", "١", "99999999999999999999", "-1", ""):
        for kind in ("media", "near-duplicates", "mentions"):
            asked = owner.post("/leads/decide", {"kind": kind, "lead": odd, "decision": "accept"})
            assert asked.status_code == 404, (kind, odd)
        for path, field in (("/register/media-leads/decide", "lead"),
                            ("/vault/near-duplicates/decide", "pair"),
                            ("/register/mentions/decide", "mention")):  # fmt: skip
            assert owner.post(path, {field: odd, "decision": "accept"}).status_code == 404
        for pair in (f"{odd}-1", f"1-{odd}"):
            asked = owner.post(
                "/leads/decide", {"kind": "persons", "lead": pair, "decision": "accept"}
            )
            assert asked.status_code == 404, pair
