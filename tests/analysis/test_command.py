"""Chain of command at a date (docket/analysis/command.py): the in-force test with the dates'
precisions, the walk up the parents as they were on the day, and the commander-less gap around
it, each checked against a day-by-day brute force on random records."""

from __future__ import annotations

import random
from datetime import date, timedelta

from docket.analysis.command import (
    Gap,
    Link,
    Posting,
    Span,
    chain,
    chain_of_command,
    commanders_on,
    gap_around,
    periods,
)

PRECISIONS = ["exact", "day", "month", "year", "estimate", "unknown"]
FIRST, LAST = date(2019, 1, 1), date(2021, 12, 31)


def days(first: date = FIRST, last: date = LAST) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def random_span(rng: random.Random) -> Span:
    def one() -> date | None:
        if rng.random() < 0.2:
            return None
        return date(2020, 1, 1) + timedelta(days=rng.randint(-300, 360))

    start, end = one(), one()
    if start and end and end < start:
        start, end = end, start
    return Span(start, rng.choice(PRECISIONS), end, rng.choice(PRECISIONS))


def brute_holds(span: Span, day: date) -> bool:
    """The rule as the docs write it, day by day, without first_day/last_day."""

    def after_start() -> bool:
        s = span.start
        if s is None:
            return True
        if span.start_precision == "month":
            return (day.year, day.month) >= (s.year, s.month)
        if span.start_precision == "year":
            return day.year >= s.year
        return day >= s

    def before_end() -> bool:
        e = span.end
        if e is None:
            return True
        if span.end_precision == "month":
            return (day.year, day.month) <= (e.year, e.month)
        if span.end_precision == "year":
            return day.year <= e.year
        return day <= e

    return after_start() and before_end()


def test_precisions_widen_to_the_whole_day_month_or_year() -> None:
    august = Span(date(2020, 8, 15), "month", date(2020, 9, 3), "month")
    assert august.holds(date(2020, 8, 1)) and august.holds(date(2020, 9, 30))
    assert not august.holds(date(2020, 7, 31)) and not august.holds(date(2020, 10, 1))
    year = Span(date(2020, 6, 1), "year", None, "unknown")
    assert year.holds(date(2020, 1, 1)) and year.holds(date(2030, 1, 1))
    assert not year.holds(date(2019, 12, 31))
    # An estimate or a date of unknown precision counts as the day written, no wider.
    for precision in ("estimate", "unknown"):
        guessed = Span(date(2020, 8, 10), precision, date(2020, 8, 20), precision)
        assert guessed.holds(date(2020, 8, 10)) and guessed.holds(date(2020, 8, 20))
        assert not guessed.holds(date(2020, 8, 9)) and not guessed.holds(date(2020, 8, 21))
    # Leap years: February's last day.
    assert Span(None, "day", date(2020, 2, 3), "month").holds(date(2020, 2, 29))
    assert Span().holds(date(1990, 1, 1)), "no dates at all: in force on any day"


def test_in_force_matches_the_brute_force_on_random_spans() -> None:
    rng = random.Random(11)
    every_day = days()
    for _ in range(300):
        span = random_span(rng)
        for day in rng.sample(every_day, 60):
            assert span.holds(day) == brute_holds(span, day), (span, day)


def brute_gap(postings: list[Posting], day: date) -> Gap | None:
    """Walk out from the day, one day at a time, until someone commanded; open past the
    records' window (every dated bound lies inside FIRST..LAST)."""
    if any(brute_holds(p.span, day) for p in postings):
        return None
    start: date | None = day
    while start is not None and not any(
        brute_holds(p.span, start - timedelta(1)) for p in postings
    ):
        start -= timedelta(days=1)
        if start < FIRST - timedelta(days=400):
            start = None
    end: date | None = day
    while end is not None and not any(brute_holds(p.span, end + timedelta(1)) for p in postings):
        end += timedelta(days=1)
        if end > LAST + timedelta(days=400):
            end = None
    return Gap(start, end)


def test_the_gap_around_a_day_matches_a_day_by_day_walk() -> None:
    rng = random.Random(5)
    every_day = days()
    for trial in range(120):
        postings = [
            Posting(key=n, unit=1, person=n, span=random_span(rng))
            for n in range(rng.randint(0, 4))
        ]
        for day in rng.sample(every_day, 12):
            assert gap_around(postings, day) == brute_gap(postings, day), (trial, postings, day)
            held = {p.key for p in postings if brute_holds(p.span, day)}
            assert {p.key for p in commanders_on(postings, day)} == held


def test_a_gap_is_said_between_two_commanders() -> None:
    before = Posting(1, unit=7, person=70, span=Span(date(2019, 3, 1), "day", date(2020, 6, 30)))
    after = Posting(2, unit=7, person=71, span=Span(date(2020, 9, 16), "day", None, "unknown"))
    assert gap_around([before, after], date(2020, 8, 10)) == Gap(
        date(2020, 7, 1), date(2020, 9, 15)
    )
    assert gap_around([before, after], date(2020, 9, 16)) is None
    assert gap_around([after], date(2020, 8, 10)) == Gap(None, date(2020, 9, 15))
    assert gap_around([before], date(2020, 8, 10)) == Gap(date(2020, 7, 1), None)
    assert gap_around([], date(2020, 8, 10)) == Gap(None, None)
    # over time: the first commander, the gap, the second
    spans = [(s, e, [p.key for p in held]) for s, e, held in periods([before, after])]
    assert spans == [
        (date(2019, 3, 1), date(2020, 6, 30), [1]),
        (date(2020, 7, 1), date(2020, 9, 15), []),
        (date(2020, 9, 16), None, [2]),
    ]


def brute_chain(unit: int, links: list[Link], day: date) -> set[int]:
    reached = {unit}
    while True:
        more = {
            link.parent for link in links if link.unit in reached and brute_holds(link.span, day)
        }
        if more <= reached:
            return reached
        reached |= more


def test_the_chain_walks_up_the_parents_of_the_day_and_survives_cycles() -> None:
    rng = random.Random(3)
    every_day = days()
    for _ in range(150):
        units = range(1, 9)
        links = [
            Link(rng.choice(units), rng.choice(units), random_span(rng))
            for _ in range(rng.randint(0, 12))
        ]
        for day in rng.sample(every_day, 8):
            unit = rng.choice(units)
            found = chain(unit, links, day)
            assert found[0] == unit
            assert len(found) == len(set(found)), "each unit once, cycles or not"
            assert set(found) == brute_chain(unit, links, day)


def test_a_unit_that_moves_between_commands_has_the_chain_of_the_day() -> None:
    company, regiment_a, regiment_b, ministry = 1, 2, 3, 4
    links = [
        Link(company, regiment_a, Span(None, "day", date(2020, 7, 31), "day")),
        Link(company, regiment_b, Span(date(2020, 8, 1), "day", None, "day")),
        Link(regiment_a, ministry),
        Link(regiment_b, ministry),
        Link(ministry, company),  # a mistake in the records: a cycle
    ]
    assert chain(company, links, date(2020, 7, 1)) == [company, regiment_a, ministry]
    assert chain(company, links, date(2020, 8, 10)) == [company, regiment_b, ministry]
    chief = Posting(9, unit=ministry, person=90, span=Span(date(2019, 1, 1), "year"))
    levels = chain_of_command(company, date(2020, 8, 10), links, [chief])
    assert [level.unit for level in levels] == [company, regiment_b, ministry]
    assert levels[0].gap == Gap(None, None) and levels[2].commanders == [chief]
    assert levels[2].gap is None


def test_a_date_is_written_as_far_as_it_is_known() -> None:
    from docket.analysis.command import written

    day = date(2020, 8, 10)
    assert [written(day, p) for p in ("day", "month", "year", "estimate")] == [
        "2020-08-10", "2020-08", "2020", "2020-08-10",
    ]  # fmt: skip
    assert written(None, "unknown") == ""
