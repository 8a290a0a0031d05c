"""Statistics for reports: counts of events, acts and distinct victims of the events the
event list's filters leave, by type of act, region, month, the victim's sex and age group,
and the perpetrating unit's type; and a victims' table by sex and age group.

What is counted (docs/guide/statistics.md says the same to users):
- An event is counted in a row when it has an act of that row (its type, its victim's sex or
  age group, a unit of that type involved); by region and by month, by the event itself, so
  an event without acts counts there too.
- A victim is a person who suffered an act (Act.victim); an act with no victim recorded is
  not a victim. Persons merged as duplicates are one row of the register already, so counting
  distinct person ids counts each victim once, whatever the number of acts or events.
- A victim's age group is their age on the day of the act (the act's start, else its event's,
  in the instance's zone). A birth date known to the month or the year only is a range of
  possible birthdays: the group is the one every birthday of the range gives, and "unknown"
  where the range straddles a boundary (born in 2002, an act in August 2020: 17 or 18).
- A row's and the total's victims and events are distinct counts, not sums of rows: a victim
  of two types of act is one victim in each of those rows and one in the total.

Published (CSV, XLSX, SVG, the public report), counts from 1 to 4 are "<5" and further counts
are withheld ("x") so that none can be worked out from the totals
(docket/analysis/suppression.py). The page shows the exact counts, to the compartment's users.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.analysis import suppression
from docket.lib import zones
from docket.register.filters import region_of
from docket.register.models import Act, Event, Involvement, Person, Place, Precision, Term

#: the measures of each table, in their order
MEASURES = (("events", _("Events")), ("acts", _("Acts")), ("victims", _("Victims")))

UNKNOWN = "unknown"
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17), ("18-29", 18, 29), ("30-44", 30, 44), ("45-59", 45, 59), ("60+", 60, None),
)  # fmt: skip
AGE_LABELS = {**{key: key.replace("-", "–") for key, _, _ in AGE_GROUPS}, UNKNOWN: _("unknown")}
SEXES = [*Person.Gender.values]

#: the tables, in the order they are shown: key -> (title, what the rows are)
TABLES: dict[str, tuple[Any, Any]] = {
    "act_type": (_("By type of act"), _("Type of act")),
    "region": (_("By region"), _("Region")),
    "month": (_("By month"), _("Month")),
    "sex": (_("By the victim's sex"), _("Sex")),
    "age": (_("By the victim's age group at the act"), _("Age group")),
    "unit_type": (_("By the type of unit involved"), _("Type of unit")),
}
CROSS = "sex_age"
CROSS_TITLE = _("Victims by sex and age group")


def years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _group_of(age: int) -> str:
    for key, low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return key
    return UNKNOWN


def age_group(born: date | None, precision: str, on: date | None) -> str:
    """The age group on a day, from a birth date as precise as it is known."""
    if born is None or on is None:
        return UNKNOWN
    if precision in (Precision.YEAR, Precision.ESTIMATE):
        earliest, latest = date(born.year, 1, 1), date(born.year, 12, 31)
    elif precision == Precision.MONTH:
        last = calendar.monthrange(born.year, born.month)[1]
        earliest, latest = born.replace(day=1), born.replace(day=last)
    else:  # exact, day, or a date given without saying how exact: taken as written
        earliest = latest = born
    if latest > on:
        return UNKNOWN  # born after the act, as recorded: an error to fix, not an age
    oldest, youngest = _group_of(years_between(earliest, on)), _group_of(years_between(latest, on))
    return oldest if oldest == youngest else UNKNOWN


@dataclass
class Row:
    key: str
    label: str
    counts: list[int]  # one per measure
    states: list[str] = field(default_factory=list)  # suppression state per measure

    @property
    def cells(self) -> list[tuple[int, str]]:
        return list(zip(self.counts, self.states, strict=True))


@dataclass
class Table:
    """One dimension: a row per value, a column per measure, and the totals."""

    key: str
    title: str
    heading: str
    rows: list[Row]
    totals: list[int]
    total_states: list[str] = field(default_factory=list)

    def protect(self, forced: dict[int, set[suppression.Var]] | None = None) -> None:
        """Withhold small counts, measure by measure: each column is a list with its total.
        `forced`: measure -> numbers to withhold whatever they are (("cell", row, 0), or
        ("column", 0, 0) for the total)."""
        self.total_states = []
        for row in self.rows:
            row.states = []
        for m in range(len(MEASURES)):
            protected = suppression.protect(
                [[row.counts[m]] for row in self.rows], column_totals=[self.totals[m]],
                forced=(forced or {}).get(m, set()),
            )  # fmt: skip
            for row, states in zip(self.rows, protected.cells, strict=True):
                row.states.append(states[0])
            self.total_states.append(protected.column_totals[0])

    @property
    def totals_cells(self) -> list[tuple[int, str]]:
        return list(zip(self.totals, self.total_states, strict=True))

    def published(self) -> list[list[str]]:
        """Heading, rows and totals as they may leave Docket (small counts withheld)."""
        lines = [[str(self.heading), *(str(label) for _, label in MEASURES)]]
        for row in self.rows:
            lines.append([row.label, *(suppression.shown(n, st) for n, st in row.cells)])
        lines.append([gettext("Total"), *(suppression.shown(n, st) for n, st in self.totals_cells)])
        return lines


@dataclass
class Cross:
    """Victims by two dimensions, with both margins."""

    key: str
    title: str
    row_heading: str
    column_heading: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    row_totals: list[int]
    column_totals: list[int]
    grand_total: int
    states: suppression.Protected | None = None

    def protect(self, forced: Iterable[suppression.Var] = ()) -> None:
        self.states = suppression.protect(
            self.cells, row_totals=self.row_totals, column_totals=self.column_totals,
            grand_total=self.grand_total, forced=forced,
        )  # fmt: skip

    def grid(self) -> list[list[tuple[int, str]]]:
        """Rows of (count, state), each with its total last, and the totals' row last."""
        assert self.states is not None
        states = self.states
        rows = [
            [*zip(cells, states.cells[i], strict=True), (self.row_totals[i], states.row_totals[i])]
            for i, cells in enumerate(self.cells)
        ]
        rows.append(
            [*zip(self.column_totals, states.column_totals, strict=True),
             (self.grand_total, states.grand_total)]
        )  # fmt: skip
        return rows

    @property
    def labelled(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """(row label, row) of the grid, the totals' row last."""
        return list(zip([*self.row_labels, gettext("Total")], self.grid(), strict=True))

    def published(self) -> list[list[str]]:
        lines = [[f"{self.row_heading} / {self.column_heading}", *self.column_labels,
                  gettext("Total")]]  # fmt: skip
        labels = [*self.row_labels, gettext("Total")]
        for label, row in zip(labels, self.grid(), strict=True):
            lines.append([label, *(suppression.shown(n, st) for n, st in row)])
        return lines


@dataclass
class Statistics:
    tables: list[Table]
    cross: Cross
    events: int
    acts: int
    victims: int
    first: datetime | None
    last: datetime | None
    zone: str

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


@dataclass
class _Act:
    pk: int
    event: int
    act_type: int
    victim: int | None
    on: date | None
    unit_types: set[int | None]


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(zones.instance_zone()).date() if moment else None


def _month(moment: datetime | None) -> str:
    return moment.astimezone(zones.instance_zone()).strftime("%Y-%m") if moment else UNKNOWN


def compute(events: QuerySet[Event]) -> Statistics:
    """Every table for these events (already filtered and limited to what the user may see)."""
    event_rows = list(events.order_by().values_list("pk", "place_id", "start"))
    starts = {pk: start for pk, _, start in event_rows}
    event_ids = list(starts)
    acts: list[_Act] = []
    for pk, event, act_type, victim, start in (
        Act.objects.filter(event_id__in=event_ids).order_by("pk")
        .values_list("pk", "event_id", "act_type_id", "victim_id", "start")
    ):  # fmt: skip
        acts.append(_Act(pk, event, act_type, victim, _local_day(start or starts[event]), set()))
    by_pk = {a.pk: a for a in acts}
    for act_id, unit_type in Involvement.objects.filter(
        act_id__in=list(by_pk), unit__isnull=False
    ).values_list("act_id", "unit__unit_type_id"):
        by_pk[act_id].unit_types.add(unit_type)
    victims = {
        p.pk: p
        for p in Person.objects.filter(pk__in={a.victim for a in acts if a.victim}).only(
            "pk", "gender", "birth_date", "birth_precision"
        )
    }

    def ages(act: _Act) -> str:
        person = victims[act.victim] if act.victim else None
        return age_group(person.birth_date, person.birth_precision, act.on) if person else UNKNOWN

    regions = region_of()
    region_of_event = {
        pk: (str(regions[place].pk) if place in regions else UNKNOWN) for pk, place, _ in event_rows
    }
    month_of_event = {pk: _month(start) for pk, _, start in event_rows}
    terms = {t.pk: t.shown for t in Term.objects.filter(vocabulary__in=["act_type", "unit_type"])}
    term_codes = dict(
        Term.objects.filter(vocabulary__in=["act_type", "unit_type"]).values_list("pk", "code")
    )
    places = {str(p.pk): p.shown for p in Place.objects.filter(kind=Place.Kind.REGION)}
    sexes = dict(Person.Gender.choices)

    # key of each act (and event) per dimension: a set, as an act may have several unit types
    dims: dict[str, Any] = {
        "act_type": lambda a: {str(a.act_type)},
        "region": lambda a: {region_of_event[a.event]},
        "month": lambda a: {month_of_event[a.event]},
        "sex": lambda a: {victims[a.victim].gender} if a.victim else set(),
        "age": lambda a: {ages(a)} if a.victim else set(),
        "unit_type": lambda a: {str(t) if t else UNKNOWN for t in a.unit_types},
    }
    labels: dict[str, Any] = {
        "act_type": lambda k: terms.get(int(k), k),
        "region": lambda k: places.get(k, gettext("Region unknown")),
        "month": lambda k: k if k != UNKNOWN else gettext("Date unknown"),
        "sex": lambda k: str(sexes.get(k, k)),
        "age": lambda k: str(AGE_LABELS.get(k, k)),
        "unit_type": lambda k: (
            terms.get(int(k), k) if k != UNKNOWN else gettext("Type not recorded")
        ),
    }
    orders: dict[str, Any] = {
        "act_type": lambda k: term_codes.get(int(k), ""),
        "region": lambda k: (k == UNKNOWN, places.get(k, "")),
        "month": lambda k: (k == UNKNOWN, k),
        "sex": lambda k: SEXES.index(k) if k in SEXES else len(SEXES),
        "age": lambda k: [g for g, _, _ in AGE_GROUPS].index(k) if k != UNKNOWN else 99,
        "unit_type": lambda k: (k == UNKNOWN, term_codes.get(int(k), "") if k != UNKNOWN else ""),
    }
    tables = []
    for key, (title, heading) in TABLES.items():
        found: dict[str, list[set[int]]] = defaultdict(lambda: [set(), set(), set()])
        counted: list[set[int]] = [set(), set(), set()]
        for act in acts:
            for value in dims[key](act):
                for sets in (found[value], counted):
                    sets[0].add(act.event)
                    sets[1].add(act.pk)
                    if act.victim:
                        sets[2].add(act.victim)
        if key in ("region", "month"):  # the event itself, acts or none
            for pk in event_ids:
                value = (region_of_event if key == "region" else month_of_event)[pk]
                found[value][0].add(pk)
                counted[0].add(pk)
        rows = [
            Row(value, str(labels[key](value)), [len(s) for s in found[value]])
            for value in sorted(found, key=orders[key])
        ]
        table = Table(key, str(title), str(heading), rows, [len(s) for s in counted])
        table.protect()
        tables.append(table)
    cross = _cross(acts, victims, ages, sexes)
    _protect_together(cross, *(t for t in tables if t.key in ("sex", "age")))
    _withhold_every_victim_total(cross, [t for t in tables if t.key in EVERY_VICTIM])
    dated = [s for s in starts.values() if s is not None]
    return Statistics(
        tables=tables, cross=cross, events=len(event_ids), acts=len(acts),
        victims=len({a.victim for a in acts if a.victim}),
        first=min(dated) if dated else None, last=max(dated) if dated else None,
        zone=str(zones.instance_zone()),
    )  # fmt: skip


#: the tables whose victims' total is every victim: the cross table's grand total
EVERY_VICTIM = ("act_type", "region", "month")


def _withhold_every_victim_total(cross: Cross, tables: list[Table]) -> None:
    """Where the cross table withholds its grand total, the tables that publish the same
    number (every victim) withhold it too: read from one of them, it would give back what
    the cross table hides (a column's total, by subtraction from the other columns')."""
    assert cross.states is not None
    if cross.states.grand_total == suppression.SHOWN:
        return
    victims = [key for key, _ in MEASURES].index("victims")
    for table in tables:
        table.protect({victims: {("column", 0, 0)}})


def _protect_together(cross: Cross, by_sex: Table, by_age: Table) -> None:
    """The cross table's margins are the victims of the tables by sex and by age group, and
    its grand total their total: a number withheld in one and published in the other would
    undo the withholding. So each is protected with what the other withholds, until
    neither withholds more."""
    victims = [key for key, _ in MEASURES].index("victims")
    margins = [
        ("row", SEXES, by_sex),
        ("column", [g for g, _, _ in AGE_GROUPS] + [UNKNOWN], by_age),
    ]
    forced: set[suppression.Var] = set()
    while True:
        cross.protect(forced)
        assert cross.states is not None
        grand_withheld = cross.states.grand_total != suppression.SHOWN
        wanted: set[suppression.Var] = set()
        for kind, keys, table in margins:
            states = cross.states.row_totals if kind == "row" else cross.states.column_totals
            withheld = {keys[n] for n, state in enumerate(states) if state != suppression.SHOWN}
            pushed: set[suppression.Var] = {
                ("cell", n, 0) for n, row in enumerate(table.rows) if row.key in withheld
            }
            if grand_withheld:
                pushed.add(("column", 0, 0))
            table.protect({victims: pushed})
            for row in table.rows:
                if row.states[victims] != suppression.SHOWN:
                    k = keys.index(row.key)
                    wanted.add(("row", k, 0) if kind == "row" else ("column", 0, k))
            if table.total_states[victims] != suppression.SHOWN:
                wanted.add(("grand", 0, 0))
        if wanted <= forced:
            return
        forced |= wanted


def _cross(acts: Iterable[_Act], victims: dict[int, Person], ages: Any, sexes: Any) -> Cross:
    groups = [g for g, _, _ in AGE_GROUPS] + [UNKNOWN]
    cells: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_sex: dict[str, set[int]] = defaultdict(set)
    by_age: dict[str, set[int]] = defaultdict(set)
    everyone: set[int] = set()
    for act in acts:
        if not act.victim:
            continue
        sex, group = victims[act.victim].gender, ages(act)
        cells[sex, group].add(act.victim)
        by_sex[sex].add(act.victim)
        by_age[group].add(act.victim)
        everyone.add(act.victim)
    return Cross(
        key=CROSS, title=str(CROSS_TITLE), row_heading=gettext("Sex"),
        column_heading=gettext("Age group"),
        row_labels=[str(sexes[s]) for s in SEXES],
        column_labels=[str(AGE_LABELS[g]) for g in groups],
        cells=[[len(cells[s, g]) for g in groups] for s in SEXES],
        row_totals=[len(by_sex[s]) for s in SEXES],
        column_totals=[len(by_age[g]) for g in groups],
        grand_total=len(everyone),
    )  # fmt: skip


def filters_in_words(params: dict[str, str]) -> list[str]:
    """The event list's filters, as a sentence's parts: what a reader of the report needs."""
    from docket.lib import ids

    words = []
    if params.get("q"):
        words.append(gettext("whose record matches the search “%(q)s”") % {"q": params["q"]})
    if params.get("region") and (
        place := Place.objects.filter(pk=ids.pk(params["region"]) or 0).first()
    ):
        words.append(gettext("in %(place)s") % {"place": place.shown})
    if params.get("act") and (term := Term.objects.filter(pk=ids.pk(params["act"]) or 0).first()):
        words.append(
            gettext("with an act of the type “%(type)s” or a type under it") % {"type": term.shown}
        )
    if params.get("status") and (
        term := Term.objects.filter(pk=ids.pk(params["status"]) or 0).first()
    ):
        words.append(gettext("whose violation status is “%(status)s”") % {"status": term.shown})
    if params.get("since"):
        words.append(gettext("starting on %(day)s or later") % {"day": params["since"]})
    if params.get("until"):
        words.append(gettext("starting on %(day)s or earlier") % {"day": params["until"]})
    return words


def methodology(
    stats: Statistics, params: dict[str, str], compartments: list[str], *, published: bool = True
) -> list[str]:
    """The methodology paragraphs, generated from the filters and what was counted. Published
    (downloads, reports), they give no count: the tables give them, small ones withheld."""
    zone = stats.zone
    chosen = filters_in_words(params)
    # A public report names no compartment: its name is the organisation's own business.
    where = ", ".join(compartments) or gettext("the register")
    which = (
        gettext("the events of %(compartments)s %(filters)s")
        % {"compartments": where, "filters": "; ".join(chosen)}
        if chosen
        else gettext("every event of %(compartments)s") % {"compartments": where}
    )
    if stats.first and stats.last:
        span = gettext("Their start dates run from %(first)s to %(last)s (time zone %(zone)s).") % {
            "first": stats.first.astimezone(zones.instance_zone()).strftime("%Y-%m-%d"),
            "last": stats.last.astimezone(zones.instance_zone()).strftime("%Y-%m-%d"),
            "zone": zone,
        }
    else:
        span = gettext("None of them has a start date.")
    if published:
        counted = gettext("Counted: %(which)s, as recorded in the register.") % {"which": which}
    else:
        counted = gettext(
            "Counted: %(which)s — %(events)s events, %(acts)s acts and %(victims)s distinct "
            "victims, as recorded in the register."
        ) % {"which": which, "events": stats.events, "acts": stats.acts, "victims": stats.victims}
    return [
        counted + " " + span,
        gettext(
            "Months are those of each event's start in the time zone %(zone)s; regions are "
            "the region of the event's place. An event counts in every row where it has an "
            "act: events and victims in a row, and in the total, are distinct counts, not sums "
            "of rows."
        ) % {"zone": zone},
        gettext(
            "A victim is a person recorded as suffering an act; acts with no victim recorded "
            "count as acts, not as victims, and are left out of the tables by sex and age. "
            "Records of one person found twice were merged in the register before counting, "
            "and each person is counted once, whatever the number of acts."
        ),
        gettext(
            "Age groups are the victim's age on the day of the act. A date of birth known "
            "only to the month or the year gives the group only where every possible birthday "
            "gives the same one; otherwise, and without a date of birth, the age is unknown."
        ),
        gettext(
            "To protect the people concerned, every count from 1 to 4 is published as “<5”, "
            "and where a total would let one be worked out by subtraction, the next smallest "
            "count in its row or column is withheld as well (“x”). Zeros are shown."
        ),
    ]  # fmt: skip
