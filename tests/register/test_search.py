"""Search finds events, persons, units and places whatever the script or spelling typed, and
never across a compartment's wall."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from docket.accounts.models import AuditEvent, Compartment
from docket.register.models import Event, Person, PersonIdentifier, PersonName, Place, Unit
from docket.register.search import search
from tests.support.instance import Instance


@pytest.fixture
def register(db: None) -> dict[str, object]:
    a = Compartment.objects.create(name="okrestina")
    b = Compartment.objects.create(name="hrodna")
    okrestina = Place.objects.get(code="facility.okrestina")
    event = Event.objects.create(
        compartment=a, title="Beatings in the yard of the detention centre",
        description="Dozens of detainees forced to kneel for hours.",
        start=datetime(2020, 8, 11, 22, tzinfo=UTC), place=okrestina,
    )  # fmt: skip
    officer = Person.objects.create(compartment=a, display_name="Sergei Ivanov (fictional)")
    PersonName.objects.create(person=officer, name="Сяргей Іваноў", script="Cyrl", language="be")
    PersonIdentifier.objects.create(person=officer, kind="badge number", value="0417")
    unit = Unit.objects.create(compartment=a, name="ОМОН ГУВД Мингорисполкома")
    hidden = Person.objects.create(compartment=b, display_name="Алесь Лукашэвіч (выдуманы)")
    return {"a": a, "b": b, "event": event, "officer": officer, "unit": unit, "hidden": hidden}


def found(text: str, compartments: set[int] | None) -> set[tuple[str, int]]:
    return {(h.type, h.id) for h in search(text, compartments=compartments)}


@pytest.mark.parametrize("typed", ["Akrestsina", "Okrestina", "Акрэсціна", "Окрестина", "akrest"])
def test_it_finds_the_place_and_its_events_in_any_spelling(register: dict, typed: str) -> None:
    place = Place.objects.get(code="facility.okrestina")
    hits = found(typed, {register["a"].pk})
    assert ("place", place.pk) in hits
    assert ("event", register["event"].pk) in hits


def test_it_finds_a_person_by_a_latin_spelling_of_a_cyrillic_name(register: dict) -> None:
    a = {register["a"].pk}
    assert ("person", register["officer"].pk) in found("Siarhei Ivanou", a)
    assert ("person", register["officer"].pk) in found("0417", a)  # the badge number
    assert ("person", register["officer"].pk) not in found("0418", a)
    assert ("unit", register["unit"].pk) in found("OMON", a)


def test_it_never_shows_another_compartments_records(register: dict) -> None:
    assert ("person", register["hidden"].pk) not in found("Lukashevich", {register["a"].pk})
    assert ("person", register["hidden"].pk) in found("Lukashevich", {register["b"].pk})
    assert found("Lukashevich", set()) == set()


def test_the_index_follows_changes_and_deletions(register: dict) -> None:
    event = register["event"]
    a = {register["a"].pk}
    event.title = "Kneeling for hours at Zhodino"
    event.place = Place.objects.get(code="facility.zhodino-prison-8")
    event.save()
    assert ("event", event.pk) in found("Жодзіна", a)
    assert ("event", event.pk) not in found("Okrestina", a)
    pk = event.pk
    event.delete()
    assert ("event", pk) not in found("Zhodino", a)


def test_the_command_prints_hits_as_json_and_audits_the_search(instance: Instance) -> None:
    result = instance.json("search", "Akrestsina", "--json")
    labels = [hit["label"] for hit in result["hits"]]
    assert result["hits"] and all(set(h) == {"type", "id", "label"} for h in result["hits"])
    assert any("Okrestina" in label for label in labels)
    missing = instance.run("search", "x", "--compartment", "nowhere", check=False)
    assert missing.returncode != 0 and b"no compartment nowhere" in missing.stderr


def test_a_search_from_the_command_line_is_audited(db: None) -> None:
    from django.core.management import call_command

    call_command("search", "Hrodna", "--json")
    event = AuditEvent.objects.get(action="register.search")
    assert event.details["query"] == "Hrodna" and event.details["hits"] >= 1


def test_a_district_is_found_in_any_script(db: None) -> None:
    from docket.register.models import Place
    from docket.register.search import search as find

    district = Place.objects.get(code="district.mi.molodechno")
    for text in ("Маладзечанскі", "Молодечненский", "Molodechno District"):
        assert ("place", district.pk) in {(h.type, h.id) for h in find(text, compartments=set())}
