"""Finding or creating the people and units a form or an import names."""

from __future__ import annotations

from docket.accounts.models import User
from docket.register import history
from docket.register.models import Person, PersonIdentifier, Unit


def tidy(name: str) -> str:
    return " ".join(name.split())


def person_named(name: str, compartment_id: int, actor: User | None) -> Person | None:
    """The compartment's person of exactly that name (any case), or a new one; None for ""."""
    name = tidy(name)
    if not name:
        return None
    found = Person.objects.filter(compartment_id=compartment_id, display_name__iexact=name)
    return found.first() or history.save(
        Person(compartment_id=compartment_id, display_name=name), actor=actor
    )


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
