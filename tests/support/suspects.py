"""A small register with a case and its suspects, for the sanctions list and the exports API:
an OMON officer who commanded and detained someone (established, graded A1), a second
officer established but outside the case, a third only "possible", their victim, and a
perpetrator of another compartment. Every private detail that must never leave is in it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from docket.accounts.models import Compartment
from docket.cases.models import Case, Suspect
from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Involvement,
    Membership,
    Person,
    PersonIdentifier,
    PersonName,
    Place,
    Precision,
    Term,
    Unit,
)
from docket.vault.store import store
from tests.support.personas import Team

#: what appears in the register and must never appear in a list
SECRETS = (
    "Hanna Victimava", "Ганна Віктымава", "vul. Lienina 5", "his wife Olga", "MP1234567",
    "met the source at", "Akrestsina 36", "unit HQ hidden at",
)  # fmt: skip


@dataclass
class Register:
    case: Case
    officer: Person
    other: Person
    doubtful: Person
    victim: Person
    omon: Unit
    foreign: Person


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def _perpetrator(compartment: Compartment, name: str, act: Act, confidence: str) -> Person:
    person = Person.objects.create(compartment=compartment, display_name=name)
    Involvement.objects.create(
        compartment=compartment, act=act, person=person, degree=term("involvement_degree", "10"),
        confidence=confidence,
    )  # fmt: skip
    return person


def make_register(team: Team) -> Register:
    a = team.a
    minsk = Place.objects.create(kind=Place.Kind.CITY, name_en="Minsk", name_be="Мінск")
    street = Place.objects.create(kind=Place.Kind.SITE, name_en="Akrestsina 36", parent=minsk)
    event = Event.objects.create(
        compartment=a, title="Detentions at Akrestsina", place=street,
        start=datetime(2020, 8, 10, 22, tzinfo=UTC), start_precision=Precision.EXACT,
    )  # fmt: skip
    victim = Person.objects.create(compartment=a, display_name="Hanna Victimava")
    PersonName.objects.create(person=victim, name="Ганна Віктымава", script="Cyrl", language="be")
    detention = Act.objects.create(
        compartment=a, event=event, victim=victim, act_type=term("act_type", "10.10"),
        start=datetime(2020, 8, 10, 22, 30, tzinfo=UTC), notes="met the source at noon",
    )  # fmt: skip
    beating = Act.objects.create(
        compartment=a, event=event, victim=victim, act_type=term("act_type", "20"),
        start=datetime(2020, 8, 12, 3, tzinfo=UTC),
    )  # fmt: skip
    omon = Unit.objects.create(
        compartment=a, name="OMON of Minsk", other_names="АМАП Мінска\nОМОН Минска",
        unit_type=term("unit_type", "10.10"), notes="unit HQ hidden at the back",
    )  # fmt: skip
    officer = _perpetrator(a, "Ivan Piatrou", detention, Involvement.Confidence.ESTABLISHED)
    officer.birth_date, officer.birth_precision = date(1985, 3, 1), Precision.MONTH
    officer.gender, officer.notes = Person.Gender.MALE, "lives at vul. Lienina 5 with his wife Olga"
    officer.save()
    PersonName.objects.create(person=officer, name="Іван Пятроў", script="Cyrl", language="be")
    PersonName.objects.create(person=officer, name="Иван Петров", script="Cyrl", language="ru")
    PersonIdentifier.objects.create(person=officer, kind="badge number", value="AB-1234")
    PersonIdentifier.objects.create(person=officer, kind="passport", value="MP1234567")
    Involvement.objects.create(
        compartment=a, act=beating, person=officer, degree=term("involvement_degree", "10"),
        confidence=Involvement.Confidence.ESTABLISHED, notes="his wife Olga told us",
    )  # fmt: skip
    Involvement.objects.create(
        compartment=a, act=detention, unit=omon, degree=term("involvement_degree", "10"),
        confidence=Involvement.Confidence.ESTABLISHED,
    )  # fmt: skip
    Membership.objects.create(
        compartment=a, person=officer, unit=omon, start=date(2019, 1, 1),
        start_precision=Precision.YEAR, rank="major", position="commander", commands=True,
        reliability=term("source_reliability", "A"),
        credibility=term("information_credibility", "1"),
    )  # fmt: skip
    for n, act in enumerate((detention, beating)):
        item = store(io.BytesIO(f"video {n}".encode()), actor="test", compartment=a).item
        EvidenceLink.objects.create(compartment=a, act=act, item=item)
    other = _perpetrator(a, "Siarhei Kavalou", beating, Involvement.Confidence.ESTABLISHED)
    doubtful = _perpetrator(a, "Pavel Doubtful", detention, Involvement.Confidence.POSSIBLE)
    case = Case.objects.create(compartment=a, title="Akrestsina, 10-12 August 2020")
    case.acts.add(detention, beating)
    Suspect.objects.create(
        compartment=a, case=case, person=officer, liability=Suspect.Liability.COMMITTED
    )
    Suspect.objects.create(
        compartment=a, case=case, unit=omon, liability=Suspect.Liability.COMMITTED
    )
    Suspect.objects.create(
        compartment=a, case=case, person=doubtful, liability=Suspect.Liability.AIDED
    )
    b_event = Event.objects.create(compartment=team.b, title="Hrodna")
    b_act = Act.objects.create(compartment=team.b, event=b_event, act_type=term("act_type", "20"))
    foreign = _perpetrator(team.b, "Foreign Officer", b_act, Involvement.Confidence.ESTABLISHED)
    Case.objects.create(compartment=team.b, title="Hrodna case")
    return Register(case, officer, other, doubtful, victim, omon, foreign)


def ftm_problems(lines: list[str]) -> list[str]:
    """What the followthemoney library finds wrong with entities given as JSON lines: an
    unknown schema or property, a value its type refuses (the schema's own validation, and
    a value that cleaning would change or drop), a required property missing, a reference to
    no entity of the file, an id twice."""
    import json

    from followthemoney import model
    from followthemoney.exc import InvalidData

    problems: list[str] = []
    ids: list[str] = []
    references: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        data = json.loads(line)
        ids.append(data.get("id") or "")
        schema = model.get(data.get("schema", ""))
        if schema is None or not data.get("id"):
            problems.append(f"line {number}: no schema or no id")
            continue
        try:
            schema.validate(data)
            proxy = model.get_proxy(data, cleaned=False)
        except InvalidData as exc:
            problems.append(f"line {number}: {exc} {getattr(exc, 'errors', '')}")
            continue
        cleaned = proxy.to_dict()["properties"]
        for prop, values in data["properties"].items():
            if prop not in schema.properties:
                problems.append(f"line {number}: {schema.name} has no property {prop}")
            elif sorted(cleaned.get(prop, [])) != sorted(values):
                problems.append(f"line {number}: {prop} {values} is not valid as given")
        for prop in schema.required:
            if not data["properties"].get(prop):
                problems.append(f"line {number}: {schema.name} needs {prop}")
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                references += [(f"line {number}", v) for v in proxy.get(prop)]
    problems += [f"id {i} twice" for i in sorted(set(ids)) if ids.count(i) > 1]
    problems += [f"{where}: {ref} is no entity of the file" for where, ref in references
                 if ref not in ids]  # fmt: skip
    return problems
