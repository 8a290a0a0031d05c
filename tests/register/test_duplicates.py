"""Possible duplicates among a compartment's persons: found across scripts and never across
compartments; answered on a page (same person, different people, not sure); a merge that moves
everything and an un-merge that gives both back as they were; "may be the same as" in the act
form and the CSV import."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from docket.register import duplicates, history, search
from docket.register.csv_import import import_csv
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Involvement,
    Membership,
    Mention,
    NameKey,
    Person,
    PersonIdentifier,
    PersonMerge,
    PersonName,
    PersonPair,
    Term,
    Unit,
)
from docket.vault.store import store
from tests.register.test_csv_import import good, table
from tests.support.personas import Team, log_in

DEV_SET = Path(__file__).resolve().parents[2] / "bench" / "data" / "names-dev.tsv"


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def persons(compartment: object, *shown: str) -> list[Person]:
    made = [Person.objects.create(compartment=compartment, display_name=n) for n in shown]
    for person in made:
        search.index(person)
    return made


def duplicates_json(compartment: object) -> dict[str, object]:
    out = io.StringIO()
    call_command("persons", "duplicates", "--compartment", compartment.name, "--json", stdout=out)  # type: ignore[attr-defined]
    return json.loads(out.getvalue())


def analyst_of(team: Team) -> Client:
    client = Client()
    log_in(client, team.owner)
    return client


def test_pairs_are_found_across_scripts_and_never_across_compartments(team: Team) -> None:
    cyrillic, latin, other = persons(team.a, "Іван Церцель", "Ivan Tertel", "Igor Karpenkov")
    PersonName.objects.create(person=other, name="Ігар Карпенка", script="Cyrl")
    (elsewhere,) = persons(team.b, "Тертель Иван Станиславович")
    listed = duplicates_json(team.a)["pairs"]
    assert [(p["a"], p["b"], p["decision"]) for p in listed] == [(cyrillic.pk, latin.pk, None)]
    assert listed[0]["score"] >= 0.8 and any("surname" in why for why in listed[0]["why"])
    assert duplicates_json(team.b) == {"pairs": []}
    page = analyst_of(team).get("/register/persons/duplicates/").content.decode()
    assert "Іван Церцель" in page and "Ivan Tertel" in page
    assert "Тертель Иван Станиславович" not in page and "Igor Karpenkov" not in page
    outsider = Client()
    log_in(outsider, team.outsider)
    theirs = outsider.get("/register/persons/duplicates/", {"compartment": team.a.pk})
    assert "Іван Церцель" not in theirs.content.decode()  # their own compartment instead
    asked = outsider.post(
        "/register/persons/duplicates/decide",
        {"a": cyrillic.pk, "b": latin.pk, "answer": "same-a"},
    )
    assert asked.status_code == 404 and Person.objects.filter(pk=latin.pk).exists()
    mixed = analyst_of(team).post(
        "/register/persons/duplicates/decide",
        {"a": cyrillic.pk, "b": elsewhere.pk, "answer": "same-a"},
    )
    assert mixed.status_code == 404 and Person.objects.filter(pk=elsewhere.pk).exists()
    intake = Client()
    log_in(intake, team.teammate)  # may see the register, not change it
    assert intake.get("/register/persons/duplicates/").status_code == 404


def test_different_people_are_remembered_and_not_sure_stays_with_its_note(team: Team) -> None:
    first, second = persons(team.a, "Andrei Tertel", "Андрэй Церцель")
    analyst = analyst_of(team)
    unsure = analyst.post(
        "/register/persons/duplicates/decide",
        {"a": second.pk, "b": first.pk, "answer": "unsure", "note": "ask the lawyer"},
    )
    assert unsure.status_code == 302
    page = analyst.get(unsure["Location"]).content.decode()
    assert "ask the lawyer" in page and "Andrei Tertel" in page
    assert duplicates_json(team.a)["pairs"][0]["decision"] == "unsure"
    analyst.post(
        "/register/persons/duplicates/decide",
        {"a": first.pk, "b": second.pk, "answer": "different", "note": "two brothers"},
    )
    listed = analyst.get("/register/persons/duplicates/").content.decode()
    assert 'class="pair"' not in listed and '<span class="count">0</span>' in listed
    assert duplicates_json(team.a)["pairs"][0]["decision"] == "different"
    for person, other in ((first, second), (second, first)):
        shown = analyst.get(f"/register/persons/{person.pk}/").content.decode()
        assert "not the same person as" in shown and other.display_name in shown
        assert "two brothers" in shown
    pair = PersonPair.objects.get()
    assert pair.decided_by == team.owner and (pair.a, pair.b) == (first, second)
    assert Change.objects.filter(model="personpair", object_id=pair.pk).count() == 2


def _record_of(compartment: object) -> dict[str, object]:
    """The rows about two persons, to give them roles, names, evidence and a unit."""
    unit = Unit.objects.create(compartment=compartment, name="OMON Minsk")
    event = Event.objects.create(
        compartment=compartment, title="Pushkinskaya, night",
        start=dt.datetime(2020, 8, 10, 22, tzinfo=dt.UTC),
    )  # fmt: skip
    victim = Person.objects.create(compartment=compartment, display_name="Вераніка Пырскал")
    return {"unit": unit, "event": event, "victim": victim}


def _involve(person: Person, rows: dict[str, object]) -> Involvement:
    act = Act.objects.create(
        compartment=person.compartment, event=rows["event"], victim=rows["victim"],
        act_type=term("act_type", "10.10"),
    )  # fmt: skip
    return Involvement.objects.create(
        compartment=person.compartment, act=act, person=person,
        degree=term("involvement_degree", "10"),
    )  # fmt: skip


def test_a_merge_moves_everything_and_an_unmerge_gives_both_back(team: Team, vault: object) -> None:
    rows = _record_of(team.a)
    survivor, merged = persons(team.a, "Ivan Tertel", "Іван Станіслававіч Церцель")
    merged.birth_date = dt.date(1966, 1, 1)
    merged.save()
    PersonName.objects.create(person=merged, name="Ivan Tsertsel", script="Latn")
    PersonIdentifier.objects.create(person=merged, kind="badge number", value="0417")
    involvement = _involve(merged, rows)
    membership = Membership.objects.create(compartment=team.a, person=merged, unit=rows["unit"])
    item = store(io.BytesIO(b"order"), actor="test", compartment=team.a).item
    link = EvidenceLink.objects.create(compartment=team.a, person=merged, item=item)
    (third,) = persons(team.a, "Tertel Ivan Stanislavovich")
    duplicates.decide(merged, third, "unsure", "an older record", actor=team.owner)

    analyst = analyst_of(team)
    done = analyst.post(
        "/register/persons/duplicates/decide",
        {"a": survivor.pk, "b": merged.pk, "answer": "same-a"},
    )
    assert done["Location"] == f"/register/persons/{survivor.pk}/"
    assert not Person.objects.filter(pk=merged.pk).exists()
    survivor.refresh_from_db()
    assert survivor.birth_date == dt.date(1966, 1, 1)
    assert {n.name for n in survivor.names.all()} == {"Іван Станіслававіч Церцель", "Ivan Tsertsel"}
    assert survivor.identifiers.get().value == "0417"
    for row in (involvement, membership, link):
        row.refresh_from_db()
        assert row.person_id == survivor.pk  # type: ignore[attr-defined]
    assert Change.objects.filter(model="person", object_id=merged.pk, action="delete").exists()
    assert Change.objects.filter(model="involvement", object_id=involvement.pk).exists()
    page = analyst.get(done["Location"]).content.decode()
    assert "Іван Станіслававіч Церцель" in page and "Un-merge" in page
    found = search.search("Tsertsel", compartments={team.a.pk}, kinds={"person"})
    assert survivor.pk in {hit.id for hit in found} and merged.pk not in {hit.id for hit in found}

    later = _involve(survivor, rows)  # linked while merged: stays, listed to reassign
    merge = PersonMerge.objects.get()
    undone = analyst.post("/register/persons/unmerge", {"merge": merge.pk})
    assert undone["Location"] == f"/register/persons/{merged.pk}/"
    back = Person.objects.get(pk=merged.pk)
    assert back.display_name == "Іван Станіслававіч Церцель"
    assert back.birth_date == dt.date(1966, 1, 1)
    assert {n.name for n in back.names.all()} == {"Ivan Tsertsel"}
    assert back.identifiers.get().value == "0417"
    survivor.refresh_from_db()
    assert survivor.birth_date is None and not survivor.names.exists()
    for row in (involvement, membership, link):
        row.refresh_from_db()
        assert row.person_id == back.pk  # type: ignore[attr-defined]
    later.refresh_from_db()
    assert later.person_id == survivor.pk
    decided = PersonPair.objects.get(decision="unsure")
    assert {decided.a_id, decided.b_id} == {back.pk, third.pk}
    shown = analyst.get(undone["Location"]).content.decode()
    assert "Linked to the other record while merged" in shown
    value = f"{merge.pk}:register.involvement.person:{later.pk}"
    assert value in shown
    moved = analyst.post("/register/persons/reassign", {"row": value})
    assert moved.status_code == 302
    later.refresh_from_db()
    assert later.person_id == back.pk
    again = analyst.post("/register/persons/unmerge", {"merge": merge.pk})
    assert again.status_code == 302 and Person.objects.filter(pk=survivor.pk).exists()
    outsider = Client()
    log_in(outsider, team.outsider)
    assert outsider.post("/register/persons/unmerge", {"merge": merge.pk}).status_code == 404
    assert outsider.post("/register/persons/reassign", {"row": value}).status_code == 404


def test_the_act_form_asks_before_making_someone_who_may_be_known(team: Team) -> None:
    (known,) = persons(team.a, "Тертель Иван Станиславович")
    event = Event.objects.create(compartment=team.a, title="Yard")
    analyst = analyst_of(team)
    typed = {
        "victim": "Ivan Tertel", "victim_new": "on", "act_type": term("act_type", "20.10").pk,
        "degree": term("involvement_degree", "90").pk, "confidence": "alleged",
    }  # fmt: skip
    asked = analyst.post(f"/register/events/{event.pk}/acts/new", typed)
    page = asked.content.decode()
    assert asked.status_code == 200 and "May be the same as: <a href=" in page
    assert (
        f'href="/register/persons/{known.pk}/" target="_blank">Тертель Иван Станиславович</a>'
        in page
    )
    assert f"(#{known.pk}, " in page and 'name="victim_seen" value="Ivan Tertel"' in page
    assert not event.acts.exists()
    saved = analyst.post(
        f"/register/events/{event.pk}/acts/new", {**typed, "victim_seen": "Ivan Tertel"}
    )
    assert saved.status_code == 302
    made = event.acts.get().victim
    assert made is not None and made.display_name == "Ivan Tertel"
    pair = PersonPair.objects.get()
    assert {pair.a_id, pair.b_id} == {known.pk, made.pk} and pair.decision == ""


def test_the_csv_dry_run_lists_possible_duplicates_and_a_real_run_records_them(
    team: Team,
) -> None:
    (known,) = persons(team.a, "Тертель Иван Станиславович")
    rows = [good("e1", victim="Вераніка Пырскал"), good("e1", victim="Ivan Tertel")]
    dry = import_csv(table(*rows), team.a, actor=None, dry_run=True).as_json()
    assert dry["errors"] == []
    assert [
        (d["row"], d["column"], d["name"], d["person"]) for d in dry["possible_duplicates"]
    ] == [(3, "victim", "Ivan Tertel", known.pk)]
    assert not PersonPair.objects.exists()
    analyst = analyst_of(team)
    upload = io.BytesIO(table(*rows).getvalue().encode())
    upload.name = "acts.csv"
    page = analyst.post(
        "/register/import/", {"compartment": team.a.pk, "file": upload, "dry_run": "on"}
    ).content.decode()
    assert "May be the same as someone already here" in page
    assert f'href="/register/persons/{known.pk}/">Тертель Иван Станиславович</a>' in page
    done = import_csv(table(*rows), team.a, actor=None, dry_run=False)
    assert done.acts_created == 2
    made = Person.objects.get(display_name="Ivan Tertel")
    pair = PersonPair.objects.get()
    assert {pair.a_id, pair.b_id} == {known.pk, made.pk}
    assert (known.pk, made.pk) in {(p["a"], p["b"]) for p in duplicates_json(team.a)["pairs"]}


@pytest.mark.slow
def test_the_dev_sets_names_imported_as_victims_come_up_as_their_people(team: Team) -> None:
    clusters: dict[str, str] = {}
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cluster, name = line.split("\t")[:2]
            clusters.setdefault(name, cluster)
    rows = [good("e1", victim=name) for name in clusters]
    report = import_csv(table(*rows), team.a, actor=None, dry_run=False)
    assert report.errors == [] and report.acts_created == len(clusters)
    of = {p.pk: clusters[p.display_name] for p in Person.objects.filter(compartment=team.a)}
    found = duplicates.candidates(team.a.pk)
    right = [c for c in found if of[c.a] == of[c.b]]
    by_cluster = defaultdict(list)
    for pk, cluster in of.items():
        by_cluster[cluster].append(pk)
    same = sum(len(list(combinations(pks, 2))) for pks in by_cluster.values())
    assert len(right) / len(found) >= 0.98 and len(right) / same >= 0.95
    best = found[0]
    kept, merged = Person.objects.get(pk=best.a), Person.objects.get(pk=best.b)
    duplicates.merge(kept, merged, actor=team.owner)
    after = {(c.a, c.b) for c in duplicates.candidates(team.a.pk)}
    assert all(merged.pk not in pair for pair in after)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "фамилия: одинаково звучит (Церцель / Tertel)"),
     ("be", "прозвішча: аднолькава гучыць (Церцель / Tertel)"),
     ("en", "surname: same sounds (Церцель / Tertel)")],
)  # fmt: skip
def test_the_reasons_are_in_the_pages_language(team: Team, language: str, words: str) -> None:
    persons(team.a, "Іван Церцель", "Ivan Tertel")
    analyst = analyst_of(team)
    analyst.cookies["django_language"] = language
    page = analyst.get("/register/persons/duplicates/", HTTP_ACCEPT_LANGUAGE=language)
    assert words in page.content.decode()
    from docket.register.reasons import shown

    assert shown("a reason of a shape not known") == "a reason of a shape not known"


def test_adding_a_member_asks_before_making_someone_who_may_be_known(team: Team) -> None:
    (known,) = persons(team.a, "Тертель Иван Станиславович")
    unit = Unit.objects.create(compartment=team.a, name="OMON Minsk")
    analyst = analyst_of(team)
    route = f"/register/units/{unit.pk}/members/new"
    asked = analyst.post(route, {"person": "Ivan Tertel", "rank": "major"})
    assert asked.status_code == 200 and "May be the same as" in asked.content.decode()
    assert not Membership.objects.exists()
    same = analyst.post(route, {"person": known.display_name, "rank": "major"})
    assert same.status_code == 302 and Membership.objects.get().person == known
    anew = analyst.post(route, {"person": "Ivan Tertel", "person_seen": "Ivan Tertel"})
    assert anew.status_code == 302
    assert Membership.objects.filter(person__display_name="Ivan Tertel").exists()


def test_two_spellings_named_in_one_text_merge_and_unmerge_with_their_mentions(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.register.test_mentions import a_person, run

    work = run.__wrapped__(django_capture_on_commit_callbacks)  # type: ignore[attr-defined]

    def on_commit() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    kept = a_person(team.a, "Иван Тертель", on_commit=on_commit)
    other = a_person(team.a, "Іван Церцель", on_commit=on_commit)
    with on_commit():
        event = history.save(
            Event(compartment=team.a, title="Order", description="по приказу Ивана Тертеля"),
            actor=None,
        )
    work()
    assert {m.person_id for m in Mention.objects.filter(event=event)} == {kept.pk, other.pk}
    analyst = analyst_of(team)
    with on_commit():
        done = analyst.post(
            "/register/persons/duplicates/decide",
            {"a": kept.pk, "b": other.pk, "answer": "same-a"},
        )
    assert done.status_code == 302
    work()
    assert [m.person_id for m in Mention.objects.filter(event=event)] == [kept.pk]
    with on_commit():
        analyst.post("/register/persons/unmerge", {"merge": PersonMerge.objects.get().pk})
    work()  # both filed again: the restored person is found in the text as before
    assert {m.person_id for m in Mention.objects.filter(event=event)} == {kept.pk, other.pk}
    assert NameKey.objects.filter(person=other).exists()


def test_a_merge_into_a_person_merged_later_can_still_be_undone(team: Team) -> None:
    first, second, third = persons(team.a, "Ivan Tertel", "Іван Церцель", "Тертель Иван")
    PersonName.objects.create(person=first, name="I. Tertel", script="Latn")
    first_pk, second_pk = first.pk, second.pk
    one = duplicates.merge(second, first, actor=team.owner)  # first into second
    two = duplicates.merge(third, second, actor=team.owner)  # then second into third
    one.refresh_from_db()
    assert one.survivor == third  # the kept record of the first merge is now the third
    assert {n.name for n in third.names.all()} >= {"I. Tertel", "Ivan Tertel", "Іван Церцель"}
    back = duplicates.unmerge(one, actor=team.owner)
    assert back.pk == first_pk and {n.name for n in back.names.all()} == {"I. Tertel"}
    assert "Ivan Tertel" not in {n.name for n in third.names.all()}
    second_back = duplicates.unmerge(two, actor=team.owner)
    assert second_back.pk == second_pk and Person.objects.count() == 3
    shown = analyst_of(team).get(f"/register/persons/{second_pk}/").content.decode()
    assert "Merged into this record" not in shown  # the first merge is undone already


def test_a_check_lists_names_of_the_file_that_may_be_one_and_a_merged_spelling_is_known(
    team: Team,
) -> None:
    rows = [good("e1", victim="Іван Церцель"), good("e1", victim="Ivan Tsertsel"),
            good("e1", victim="Вераніка Пырскал")]  # fmt: skip
    dry = import_csv(table(*rows), team.a, actor=None, dry_run=True).as_json()
    assert dry["possible_duplicates"] == []
    within = [(d["row"], d["name"], d["other_row"], d["other_name"])
              for d in dry["duplicates_in_file"]]  # fmt: skip
    assert within == [(2, "Іван Церцель", 3, "Ivan Tsertsel")]
    import_csv(table(*rows), team.a, actor=None, dry_run=False)
    kept = Person.objects.get(display_name="Іван Церцель")
    duplicates.merge(kept, Person.objects.get(display_name="Ivan Tsertsel"), actor=None)
    again = [good("e2", victim="ivan tsertsel")]  # the merged spelling, in another case
    dry = import_csv(table(*again), team.a, actor=None, dry_run=True).as_json()
    assert dry["possible_duplicates"] == [] and dry["duplicates_in_file"] == []
    import_csv(table(*again), team.a, actor=None, dry_run=False)
    assert Act.objects.get(event__import_ref="e2").victim == kept
    assert Person.objects.filter(compartment=team.a).count() == 2


def test_the_page_finds_one_persons_pairs_and_says_when_identifiers_differ(team: Team) -> None:
    one, two, three, four = persons(
        team.a, "Іван Церцель", "Ivan Tertel", "Andrei Karpenka", "Андрэй Карпенка"
    )
    PersonIdentifier.objects.create(person=three, kind="badge number", value="0417")
    PersonIdentifier.objects.create(person=four, kind="badge number", value="2210")
    analyst = analyst_of(team)
    everything = analyst.get("/register/persons/duplicates/").content.decode()
    assert everything.count('class="pair"') == 2
    assert "Their identifiers differ: badge number: " in everything
    assert f"Same person: keep #{one.pk} “Іван Церцель”" in everything
    for asked in ({"person": two.pk}, {"q": "Tsertsel"}):
        page = analyst.get("/register/persons/duplicates/", asked).content.decode()
        assert page.count('class="pair"') == 1 and "Ivan Tertel" in page
        assert "Andrei Karpenka" not in page
    shown = analyst.get(f"/register/persons/{one.pk}/").content.decode()
    assert f"/register/persons/duplicates/?compartment={team.a.pk}&amp;person={one.pk}" in shown
