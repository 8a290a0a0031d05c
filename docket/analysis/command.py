"""Chain of command at a date: who commanded a unit on a given day, up the chain of the units
it belonged to on that day (superior responsibility, Rome Statute art. 28), and where no
commander is recorded, the whole commander-less span around the day. Pure Python, no Django:
the register, the command line and the tests use the same rules (docs/analysis.md, "Chain of
command").

Dates come with a precision (the register's Precision values). A posting or a link is in force
on a day D when its start ≤ D ≤ its end, read this way:

- no date: open (a missing start has always been, a missing end still is);
- "day", "exact": that day; "month": the whole month; "year": the whole year, so a start is
  read as the first day of its month or year and an end as the last;
- "estimate" and "unknown" with a date: the day written, as it stands (nothing says how far
  off it is, so it is not widened either way).
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

#: Precisions read as a whole period rather than as the day written.
MONTH, YEAR = "month", "year"


def first_day(day: date, precision: str) -> date:
    """The first day a start of this precision may mean."""
    if precision == MONTH:
        return day.replace(day=1)
    if precision == YEAR:
        return day.replace(month=1, day=1)
    return day


def last_day(day: date, precision: str) -> date:
    """The last day an end of this precision may mean."""
    if precision == MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == YEAR:
        return day.replace(month=12, day=31)
    return day


def written(day: date | None, precision: str) -> str:
    """A date as far as it is known: "2020-08-10", "2020-08" (month), "2020" (year); ""
    for none."""
    if day is None:
        return ""
    if precision == MONTH:
        return f"{day:%Y-%m}"
    if precision == YEAR:
        return f"{day:%Y}"
    return day.isoformat()


@dataclass(frozen=True)
class Span:
    """From–to with their precisions; None is open on that side."""

    start: date | None = None
    start_precision: str = "day"
    end: date | None = None
    end_precision: str = "day"

    @property
    def low(self) -> date | None:
        """The first day in force (None: always was)."""
        return None if self.start is None else first_day(self.start, self.start_precision)

    @property
    def high(self) -> date | None:
        """The last day in force (None: still is)."""
        return None if self.end is None else last_day(self.end, self.end_precision)

    def holds(self, day: date) -> bool:
        low, high = self.low, self.high
        return (low is None or low <= day) and (high is None or day <= high)


@dataclass(frozen=True)
class Link:
    """A unit under a parent unit, for a span."""

    unit: int
    parent: int
    span: Span = Span()


@dataclass(frozen=True)
class Posting:
    """A person's posting as commander of a unit; `key` names the row it came from."""

    key: int
    unit: int
    person: int
    span: Span = Span()


@dataclass(frozen=True)
class Gap:
    """The commander-less span around a day: None on a side where no posting bounds it."""

    start: date | None
    end: date | None


@dataclass
class Level:
    """One unit of a chain: its commanders in force on the day, or the gap the day is in."""

    unit: int
    commanders: list[Posting] = field(default_factory=list)
    gap: Gap | None = None


def parents_on(unit: int, links: Iterable[Link], day: date) -> list[int]:
    """The units `unit` was under on `day`, each once, in the order of their numbers."""
    return sorted({link.parent for link in links if link.unit == unit and link.span.holds(day)})


def chain(unit: int, links: Sequence[Link], day: date) -> list[int]:
    """The unit, then the units above it as they were on `day`, nearest first (breadth
    first where a unit was under two at once); each once, so a cycle in the records ends the
    walk instead of looping."""
    by_unit: dict[int, list[Link]] = {}
    for link in links:
        by_unit.setdefault(link.unit, []).append(link)
    order, seen = [unit], {unit}
    position = 0
    while position < len(order):
        for parent in parents_on(order[position], by_unit.get(order[position], []), day):
            if parent not in seen:
                seen.add(parent)
                order.append(parent)
        position += 1
    return order


def commanders_on(postings: Iterable[Posting], day: date) -> list[Posting]:
    """The postings in force on `day`, earliest start first."""
    held = [p for p in postings if p.span.holds(day)]
    return sorted(held, key=lambda p: (p.span.low or date.min, p.key))


def gap_around(postings: Iterable[Posting], day: date) -> Gap | None:
    """None when someone commanded on `day`; otherwise the largest span around it with no
    commander: from the day after the last posting that ended before it to the day before
    the first that started after it, open where there is none."""
    postings = list(postings)
    if any(p.span.holds(day) for p in postings):
        return None
    ended = [high for p in postings if (high := p.span.high) is not None and high < day]
    starts = [low for p in postings if (low := p.span.low) is not None and low > day]
    return Gap(
        start=max(ended) + timedelta(days=1) if ended else None,
        end=min(starts) - timedelta(days=1) if starts else None,
    )


def chain_of_command(
    unit: int, day: date, links: Sequence[Link], postings: Iterable[Posting]
) -> list[Level]:
    """Who commanded `unit` on `day` and each unit above it as the chain was then."""
    by_unit: dict[int, list[Posting]] = {}
    for posting in postings:
        by_unit.setdefault(posting.unit, []).append(posting)
    levels = []
    for member in chain(unit, links, day):
        own = by_unit.get(member, [])
        levels.append(Level(member, commanders_on(own, day), gap_around(own, day)))
    return levels


def periods(postings: Iterable[Posting]) -> list[tuple[date | None, date | None, list[Posting]]]:
    """A unit's command over time: the spans between the days on which a posting starts or
    ends, each with the postings in force through it (an empty list is a gap), in order.
    Open ends give None."""
    postings = list(postings)
    if not postings:
        return []
    cuts: set[date] = set()
    for p in postings:
        if p.span.low is not None:
            cuts.add(p.span.low)
        if p.span.high is not None:
            cuts.add(p.span.high + timedelta(days=1))
    bounds: list[date | None] = [None, *sorted(cuts), None]
    found: list[tuple[date | None, date | None, list[Posting]]] = []
    for start, after in itertools.pairwise(bounds):
        end = after - timedelta(days=1) if after is not None else None
        probe = start if start is not None else (end if end is not None else date(2000, 1, 1))
        held = commanders_on(postings, probe)
        if not held and (start is None or end is None):
            continue  # before the first posting or after the last: not a gap, no record
        if found and [p.key for p in found[-1][2]] == [p.key for p in held]:
            found[-1] = (found[-1][0], end, held)
            continue
        found.append((start, end, held))
    return found
