"""Finding or creating the people and units a form or an import names."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from docket.accounts.models import User
from docket.analysis import names, pairs
from docket.register import duplicates, history
from docket.register.models import Membership, Person, PersonIdentifier, Precision, Unit


def tidy(name: str) -> str:
    return " ".join(name.split())


def known_person(name: str, compartment_id: int) -> Person | None:
    """The compartment's person shown under exactly this name (any case), else the one who
    has it among their other names (a spelling merged into them, an "also written")."""
    name = tidy(name)
    shown = Person.objects.filter(compartment_id=compartment_id, display_name__iexact=name)
    return (
        shown.order_by("pk").first()
        or Person.objects.filter(compartment_id=compartment_id, names__name__iexact=name)
        .order_by("pk")
        .first()
    )


def person_named(
    name: str, compartment_id: int, actor: User | None, *, index: pairs.Index | None = None
) -> Person | None:
    """The compartment's person of exactly that name (any case), or a new one; None for "".
    A new person who may be one already known (the name matcher's `similar`, against `index`
    or the compartment's names) is recorded as a pair for review on the duplicates page."""
    name = tidy(name)
    if not name:
        return None
    if (person := known_person(name, compartment_id)) is not None:
        return person
    if index is None:
        index = duplicates.index_of(compartment_id)
    alike = duplicates.similar(index, name)
    person = history.save(Person(compartment_id=compartment_id, display_name=name), actor=actor)
    for known in alike:
        duplicates.record(compartment_id, person.pk, known.person, known.score, known.why)
    with suppress(ValueError):
        index.add(pairs.Entry(str(person.pk), names.parse(name)))
    return person


def unit_named(name: str, compartment_id: int, actor: User | None) -> Unit | None:
    name = tidy(name)
    if not name:
        return None
    found = Unit.objects.filter(compartment_id=compartment_id, name__iexact=name).first()
    return found or history.save(Unit(compartment_id=compartment_id, name=name), actor=actor)


def add_badge(person: Person | None, badge: str) -> None:
    if person is not None and badge.strip():
        PersonIdentifier.objects.get_or_create(
            person=person, kind="badge number", value=badge.strip()
        )


def serving(
    person: Person | None, unit: Unit | None, badge: str, when: Any, actor: User | None
) -> Membership | None:
    """An officer named with a badge number and a unit served in that unit on the act's date:
    their membership there is created, or stretched to cover the date (with history)."""
    if person is None or unit is None or not badge.strip() or when is None:
        return None
    day = when.date() if hasattr(when, "date") else when
    membership = Membership.objects.filter(person=person, unit=unit).order_by("start").first()
    if membership is None:
        membership = Membership(
            compartment_id=unit.compartment_id, person=person, unit=unit, start=day, end=day,
            start_precision=Precision.DAY, end_precision=Precision.DAY,
            badge_number=badge.strip(),
        )  # fmt: skip
    else:
        if membership.start is None or membership.start > day:
            membership.start, membership.start_precision = day, Precision.DAY
        if membership.end is not None and membership.end < day:
            membership.end, membership.end_precision = day, Precision.DAY
        membership.badge_number = membership.badge_number or badge.strip()
    return history.save(membership, actor=actor)
