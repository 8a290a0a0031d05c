"""The sanctions and partner list: who a case (or a compartment) accuses, as FollowTheMoney
entities, one JSON object per line, for a sanctions body's or a partner's system.

Who is listed:
- with a case, its suspects (persons and units);
- without one, the suspects of every case of the compartment and every perpetrator, person
  or unit, of an act of the compartment (an involvement);
and of those, only whoever has at least one involvement (as a perpetrator) or, for a person,
one membership of a unit at or above the export's least confidence (`established` unless
asked otherwise; established > probable > possible > alleged). A membership has no
confidence of its own but an Admiralty grading, read as one (`membership_confidence`): A-B
and 1-2 are established, down to C and 3 probable, down to D and 4 possible, anything else
(E, F, 5, 6, or not graded) alleged.

What is said of each: a Person has its names in every script, its birth date as far as it is
known and, unless the request said not to, its badge numbers (what identifies an officer); a
unit is a PublicBody (every unit type of the vocabulary is a state body; an Organization when
it has no type); each listed person's postings at or above the least confidence are a
Membership (dates, rank and position as the role), and a posting in command is a Position
("Commander of UNIT") held through an Occupancy. Each person and unit carries a statement
built from counts only: how many acts, of which types, between which days, where (a city or
a facility, never a street), on how many evidence items. Never an address, a relative, a
note, a victim or a source.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from docket.exports import build
from docket.exports.models import Export
from docket.register.models import (
    Act,
    EvidenceLink,
    Involvement,
    Membership,
    Person,
    Place,
    Precision,
    Term,
    Unit,
)
from docket.vault.models import Item

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

#: the confidences of an involvement, strongest first
CONFIDENCES = tuple(Involvement.Confidence.values)
DEFAULT_CONFIDENCE = Involvement.Confidence.ESTABLISHED
ENTITIES = "entities.ftm.json"
#: a posting's Admiralty grading -> the confidence it is read as (the worse half decides)
_RELIABILITY = {"A": 0, "B": 0, "C": 1, "D": 2}
_CREDIBILITY = {"1": 0, "2": 0, "3": 1, "4": 2}


def at_least(confidence: str, least: str) -> bool:
    """Whether `confidence` is as strong as `least` or stronger."""
    return CONFIDENCES.index(confidence) <= CONFIDENCES.index(least)


def membership_confidence(reliability: str | None, credibility: str | None) -> str:
    """The confidence a posting's grading amounts to (see the module's rule)."""
    rank = max(_RELIABILITY.get(reliability or "", 3), _CREDIBILITY.get(credibility or "", 3))
    return CONFIDENCES[rank]


def entity_id(export: Export, kind: str, pk: int | str) -> str:
    """A stable id that names no one: the same record in the same compartment gets the same
    id in every list, so a partner can update theirs."""
    words = f"docket/{export.compartment.pk}/{kind}/{pk}"
    return "docket-" + hashlib.sha256(words.encode()).hexdigest()[:24]


def written(day: date | datetime | None, precision: str) -> str:
    """A date as an FtM date prefix, as far as it is known; "" for none or an estimate (a
    guessed date on a sanctions list would mislead)."""
    if day is None or precision in (Precision.ESTIMATE, Precision.UNKNOWN):
        return ""
    if isinstance(day, datetime):
        day = day.date()
    if precision == Precision.YEAR:
        return f"{day:%Y}"
    if precision == Precision.MONTH:
        return f"{day:%Y-%m}"
    return day.isoformat()


@dataclass
class Listing:
    """Who the list names, and what counts for each."""

    persons: dict[int, Person] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    involvements: dict[tuple[str, int], list[Involvement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    memberships: dict[int, list[Membership]] = field(default_factory=lambda: defaultdict(list))


def select(export: Export) -> Listing:
    """The persons and units the export lists, with their involvements and postings at or
    above its least confidence."""
    least = export.min_confidence or DEFAULT_CONFIDENCE
    compartment = export.compartment
    from docket.cases.models import Suspect

    suspects = Suspect.objects.filter(case__compartment=compartment)
    if export.case_id is not None:
        suspects = suspects.filter(case_id=export.case_id)
    person_ids = {s for s in suspects.values_list("person_id", flat=True) if s}
    unit_ids = {s for s in suspects.values_list("unit_id", flat=True) if s}
    involvements = Involvement.objects.filter(compartment=compartment).select_related(
        "act__act_type", "act__event__place", "act__place", "degree"
    )
    if export.case_id is None:
        perpetrators = involvements.values_list("person_id", "unit_id")
        person_ids |= {p for p, _ in perpetrators if p}
        unit_ids |= {u for _, u in perpetrators if u}
    counting = [
        i for i in involvements.filter(Q(person_id__in=person_ids) | Q(unit_id__in=unit_ids))
        if at_least(i.confidence, least)
    ]  # fmt: skip
    found = Listing()
    for involvement in counting:
        if involvement.person_id in person_ids:
            found.involvements[("person", involvement.person_id)].append(involvement)
        if involvement.unit_id in unit_ids:
            found.involvements[("unit", involvement.unit_id)].append(involvement)
    postings = Membership.objects.filter(
        compartment=compartment, person_id__in=person_ids, unit__compartment=compartment
    ).select_related("reliability", "credibility", "unit__unit_type")
    for membership in postings.order_by("person_id", "start", "id"):
        grade = membership_confidence(
            membership.reliability.code if membership.reliability else None,
            membership.credibility.code if membership.credibility else None,
        )
        if at_least(grade, least):
            found.memberships[membership.person_id].append(membership)
    listed_persons = {k for kind, k in found.involvements if kind == "person"}
    listed_persons |= set(found.memberships)
    listed_units = {k for kind, k in found.involvements if kind == "unit"}
    # the units of the listed postings are named too, or a Membership would point nowhere
    posted = {m.unit_id for ms in found.memberships.values() for m in ms}
    found.persons = {
        p.pk: p
        for p in Person.objects.filter(compartment=compartment, pk__in=listed_persons)
        .prefetch_related("names", "identifiers")
        .order_by("id")
    }
    found.units = {
        u.pk: u
        for u in Unit.objects.filter(compartment=compartment, pk__in=listed_units | posted)
        .select_related("unit_type")
        .order_by("id")
    }
    found.memberships = defaultdict(
        list, {k: v for k, v in found.memberships.items() if k in found.persons}
    )
    return found


def _where(act: Act) -> str:
    """A city or a facility: never a street or a building."""
    place: Place | None = act.place or act.event.place
    while place is not None and place.kind == Place.Kind.SITE:
        place = place.parent
    return place.name_en if place is not None else ""


def _day(act: Act) -> date | None:
    when = act.start or act.event.start
    return when.date() if when is not None else None


def _items(compartment: int, involvements: Iterable[Involvement], extra: Q | None = None) -> int:
    """How many distinct vault items of the compartment are evidence of those acts (and of
    `extra`): another compartment's links, even to the same rows, are not this list's."""
    acts = {i.act_id for i in involvements}
    links = Q(act_id__in=acts) | (extra or Q(pk__in=[]))
    found = EvidenceLink.objects.filter(links, compartment_id=compartment)
    return found.filter(item__compartment_id=compartment).values("item_id").distinct().count()


def statement(involvements: list[Involvement], evidence: int) -> str:
    """What the list says of someone, from counts only: acts by degree of involvement, their
    types, their span of days and places, and how many evidence items back them."""
    by_degree: dict[str, list[Act]] = defaultdict(list)
    degrees: dict[str, Term] = {}
    for involvement in involvements:
        degrees[involvement.degree.code] = involvement.degree
        if involvement.act not in by_degree[involvement.degree.code]:
            by_degree[involvement.degree.code].append(involvement.act)
    sentences = []
    for code in sorted(by_degree):
        acts = by_degree[code]
        types = sorted({a.act_type.label_en for a in acts})
        days = sorted(d for a in acts if (d := _day(a)) is not None)
        places = sorted({w for a in acts if (w := _where(a))})
        words = f"{degrees[code].label_en}: {len(acts)} act{'s' if len(acts) != 1 else ''}"
        words += f" ({', '.join(types)})"
        if days:
            words += (
                f" on {days[0]}" if days[0] == days[-1] else f" between {days[0]} and {days[-1]}"
            )
        if places:
            words += f" in {', '.join(places)}"
        sentences.append(words)
    if evidence:
        sentences.append(f"{evidence} evidence item{'s' if evidence != 1 else ''}")
    return "; ".join(sentences) + "." if sentences else ""


def entities(export: Export, listing: Listing) -> Iterator[EntityProxy]:
    """The list's entities: units, then persons each followed by their postings."""
    from followthemoney import model  # loaded by the worker only (1.5 s)

    identifiers = (export.parameters or {}).get("identifiers", True)
    for unit in listing.units.values():
        body = model.make_entity("PublicBody" if unit.unit_type_id else "Organization")
        body.id = entity_id(export, "unit", unit.pk)
        body.add("name", unit.name)
        body.add("alias", [n.strip() for n in unit.other_names.splitlines() if n.strip()])
        body.add("country", "by")
        if unit.unit_type is not None:
            body.add("classification", unit.unit_type.label_en)
        involved = listing.involvements.get(("unit", unit.pk), [])
        if involved:
            body.add("summary", statement(involved, _items(export.compartment_id, involved)))
            body.add("topics", "crime")
        yield body
    commands: set[str] = set()  # a unit's command is one Position, whoever held it
    for person in listing.persons.values():
        yield from _person(export, listing, person, identifiers=identifiers, commands=commands)


def _person(
    export: Export, listing: Listing, person: Person, *, identifiers: bool, commands: set[str]
) -> Iterator[EntityProxy]:
    from followthemoney import model

    entity = model.make_entity("Person")
    entity.id = entity_id(export, "person", person.pk)
    names = [person.display_name, *sorted(n.name for n in person.names.all())]
    entity.add("name", list(dict.fromkeys(n.strip() for n in names if n.strip())))
    if person.gender in (Person.Gender.FEMALE, Person.Gender.MALE):
        entity.add("gender", person.gender)
    entity.add("birthDate", written(person.birth_date, person.birth_precision) or None)
    postings = listing.memberships.get(person.pk, [])
    if identifiers:
        badges = {i.value for i in person.identifiers.all() if "badge" in i.kind.lower()}
        badges |= {m.badge_number for m in postings if m.badge_number}
        entity.add("idNumber", sorted(b.strip() for b in badges if b.strip()))
    entity.add("position", sorted({m.position for m in postings if m.position}))
    involved = listing.involvements.get(("person", person.pk), [])
    evidence = _items(
        export.compartment_id, involved, Q(person=person) | Q(membership__in=postings)
    )
    entity.add("summary", statement(involved, evidence) or None)
    if involved:
        entity.add("topics", "crime")
    yield entity
    for posting in postings:
        unit = listing.units[posting.unit_id]
        unit_id = entity_id(export, "unit", unit.pk)
        membership = model.make_entity("Membership")
        membership.id = entity_id(export, "membership", posting.pk)
        membership.add("member", entity.id)
        membership.add("organization", unit_id)
        membership.add("role", ", ".join(r for r in (posting.rank, posting.position) if r))
        membership.add("startDate", written(posting.start, posting.start_precision) or None)
        membership.add("endDate", written(posting.end, posting.end_precision) or None)
        yield membership
        if posting.commands:
            position = model.make_entity("Position")
            position.id = entity_id(export, "command", unit.pk)
            if position.id not in commands:
                commands.add(position.id)
                position.add("name", f"Commander of {unit.name}")
                position.add("organization", unit_id)
                position.add("country", "by")
                yield position
            occupancy = model.make_entity("Occupancy")
            occupancy.id = entity_id(export, "occupancy", posting.pk)
            occupancy.add("holder", entity.id)
            occupancy.add("post", position.id)
            occupancy.add("startDate", written(posting.start, posting.start_precision) or None)
            occupancy.add("endDate", written(posting.end, posting.end_precision) or None)
            yield occupancy


def _readme(export: Export, listing: Listing, count: int) -> str:
    scope = (
        f'the suspects of the case "{export.case.title}" ({export.case.reference})'
        if export.case is not None
        else "the suspects of every case and every perpetrator of an act of"
        f' "{export.compartment.name}"'
    )
    least = export.min_confidence or DEFAULT_CONFIDENCE
    badges = (export.parameters or {}).get("identifiers", True)
    who = (
        f"{scope}, each with at least one involvement in an act, or one posting in a unit,"
        f' whose confidence is "{least}" or stronger (established > probable > possible >'
        " alleged; a posting's Admiralty grading counts as: A-B/1-2 established, C/3"
        " probable, D/4 possible, anything else alleged)."
        f" {len(listing.persons)} persons and {len(listing.units)} units, {count} entities"
        " in all."
    )
    what = (
        "Persons carry their names in every script, their birth date as far as it is known"
        f" and {'their badge numbers' if badges else 'no identifiers'}; units are PublicBody"
        " entities; postings are Membership entities, command a Position held through an"
        " Occupancy. Each summary is built from counts only (acts, their types, days and"
        " places, evidence items). No address, family, note, victim or source is in this list."
    )

    def indent(text: str) -> str:
        return textwrap.fill(text, width=92, initial_indent="  ", subsequent_indent="  ")

    return f"""Docket export {export.pk}: a sanctions and partner list (FollowTheMoney entities).

Who is in it
{indent(who)}

{indent(what)}

Files
  entities.ftm.json  one FollowTheMoney entity per line (JSON lines, FtM 4)
  manifest.json      who asked for this export, why, who approved it, the log's public key
  checkpoint.txt     the custody log's signed checkpoint (C2SP signed note, Ed25519)
  custody.jsonl      this export's own custody entry with its inclusion proof (RFC 9162)
  SHA256SUMS         check with:  sha256sum -c SHA256SUMS

Loading it
  pip install followthemoney
  ftm validate -i entities.ftm.json -o checked.ftm.json     # re-parse every entity
  ftm export-excel -i entities.ftm.json -o list.xlsx         # or export-csv, export-rdf
  Any JSON lines reader works too: each line is {{"id", "schema", "properties"}}.
  Ids are stable: the same person has the same id in a later list from this organisation.
"""


@build.packer(Export.Kind.SANCTIONS)
def pack_sanctions(packing: build.Packing) -> int:
    """entities.ftm.json, README.txt, manifest.json, checkpoint.txt, custody.jsonl (the
    export's own entry) and SHA256SUMS over them; no original is read."""
    package, export = packing.package, packing.export
    listing = select(export)
    packing.progress(0, len(listing.persons) + len(listing.units))
    lines = [
        json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        for e in entities(export, listing)
    ]
    listed = len(listing.persons) + len(listing.units)
    checkpoint, own = packing.seal(
        0, persons=len(listing.persons), units=len(listing.units), entities=len(lines)
    )
    files = {
        ENTITIES: "".join(lines),
        "README.txt": _readme(export, listing, len(lines)),
        "manifest.json": packing.manifest(
            checkpoint,
            0,
            entities=len(lines),
            persons=len(listing.persons),
            units=len(listing.units),
            min_confidence=export.min_confidence or DEFAULT_CONFIDENCE,
            case=export.case.reference if export.case is not None else None,
        ),
        "checkpoint.txt": checkpoint.note,
        "custody.jsonl": "".join(
            packing.custody_lines(checkpoint, own, Item.objects.none().values("id"))
        ),
    }
    sums = []
    for name, text in files.items():
        data = text.encode()
        package.writestr(name, data)
        sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    package.writestr("SHA256SUMS", "".join(sums))
    packing.progress(listed)
    return listed
