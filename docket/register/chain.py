"""The chain of command of the register's units at a date, for the event and unit pages and
`docket units chain`: the rules are docket/analysis/command.py's; this reads the unit's
compartment's parent links and command postings into them and gives back rows the pages
and the command show (names, positions, evidence counts, gradings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext

from docket.analysis import command
from docket.register.models import Membership, ParentLink, Unit


def span_of(row: ParentLink | Membership) -> command.Span:
    return command.Span(row.start, row.start_precision, row.end, row.end_precision)


def links_of(compartment_id: int) -> list[command.Link]:
    rows = ParentLink.objects.filter(compartment_id=compartment_id)
    return [command.Link(row.unit_id, row.parent_id, span_of(row)) for row in rows]


def commanders_of(compartment_id: int, units: list[int] | None = None) -> dict[int, Membership]:
    """The command postings of the compartment (of `units` only, if given), with their
    person, terms and evidence count, by number."""
    rows = Membership.objects.filter(compartment_id=compartment_id, commands=True)
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    rows = rows.select_related("person", "reliability", "credibility").annotate(
        evidence_count=Count("evidence")
    )
    return {row.pk: row for row in rows}


def postings(memberships: dict[int, Membership]) -> list[command.Posting]:
    return [command.Posting(m.pk, m.unit_id, m.person_id, span_of(m)) for m in memberships.values()]


def gap_sentence(gap: command.Gap) -> str:
    """The gap said plainly: "no commander recorded between 2020-07-01 and 2020-09-15"."""
    if gap.start and gap.end:
        text = gettext("no commander recorded between %(start)s and %(end)s")
    elif gap.start:
        text = gettext("no commander recorded from %(start)s on")
    elif gap.end:
        text = gettext("no commander recorded until %(end)s")
    else:
        text = gettext("no commander recorded at any date")
    return text % {"start": gap.start, "end": gap.end}


@dataclass
class Level:
    """One unit of a chain as the pages show it."""

    unit: Unit
    commanders: list[Membership]
    gap: command.Gap | None

    @property
    def gap_text(self) -> str:
        return gap_sentence(self.gap) if self.gap else ""


def chain_at(unit: Unit, day: date) -> list[Level]:
    """The unit and the units above it on `day`, each with its commanders then, or its gap."""
    links = links_of(unit.compartment_id)
    walked = command.chain(unit.pk, links, day)
    memberships = commanders_of(unit.compartment_id, walked)
    levels = command.chain_of_command(unit.pk, day, links, postings(memberships))
    units = Unit.objects.in_bulk([level.unit for level in levels])
    return [
        Level(units[level.unit], [memberships[p.key] for p in level.commanders], level.gap)
        for level in levels
    ]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _commander(m: Membership) -> dict[str, Any]:
    return {
        "person": m.person_id,
        "name": m.person.display_name,
        "position": m.position,
        "from": _day(m.start),
        "to": _day(m.end),
        "evidence": m.evidence_count,  # type: ignore[attr-defined]
        "grading": m.grading,
    }


def as_json(unit: Unit, day: date) -> dict[str, Any]:
    """`docket units chain UNIT --at DAY --json` (docs/cli.md)."""
    return {
        "unit": unit.pk,
        "at": day.isoformat(),
        "chain": [
            {
                "unit": level.unit.pk,
                "name": level.unit.name,
                "commanders": [_commander(m) for m in level.commanders],
                "gaps": [{"from": _day(level.gap.start), "to": _day(level.gap.end)}]
                if level.gap
                else [],
            }
            for level in chain_at(unit, day)
        ],
    }


@dataclass
class Period:
    """A stretch of a unit's command: who held it, or nobody (a gap)."""

    start: date | None
    end: date | None
    commanders: list[Membership]


def over_time(unit: Unit) -> list[Period]:
    """The unit's commanders over time, gaps between them included."""
    memberships = commanders_of(unit.compartment_id, [unit.pk])
    return [
        Period(start, end, [memberships[p.key] for p in held])
        for start, end, held in command.periods(postings(memberships))
    ]


def parents_today(units: list[Unit], day: date) -> dict[int, list[Unit]]:
    """The units each of `units` is under on `day` (for the Units register's "Part of")."""
    links = ParentLink.objects.filter(unit__in=units).select_related("parent")
    found: dict[int, list[Unit]] = {}
    for link in links:
        if span_of(link).holds(day):
            found.setdefault(link.unit_id, []).append(link.parent)
    return found
