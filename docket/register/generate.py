"""A clearly fictional register for the demo and the benchmark: events from August to December
2020 in real places of Belarus, attributed to real kinds of institution, with victims and
officers whose names are invented (surnames built from roots that are not Belarusian names,
so no real person is named). Every generated person carries a note saying so.

Written with bulk inserts (no per-row signals), so the search index and the change history
are written here in bulk too; a million rows take minutes, not hours.

`add_anchors` adds, apart from the random draws, the few events the demo's sample photos and
videos were taken at (docket/register/anchors.py), so that their media leads show at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from docket.accounts.models import Compartment
from docket.analysis.spelling import fold
from docket.register import search, tally
from docket.register.anchors import ANCHORS, DESCRIPTION, SITES
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Involvement,
    Membership,
    ParentLink,
    Person,
    PersonIdentifier,
    PersonName,
    Place,
    Precision,
    SearchEntry,
    Term,
    Unit,
)

FIRST = [
    ("Аляксандр", "male"), ("Сяргей", "male"), ("Андрэй", "male"), ("Дзмітрый", "male"),
    ("Мікалай", "male"), ("Павел", "male"), ("Зміцер", "male"), ("Алесь", "male"),
    ("Ігар", "male"), ("Віктар", "male"), ("Янка", "male"), ("Рыгор", "male"),
    ("Вольга", "female"), ("Ганна", "female"), ("Марына", "female"), ("Таццяна", "female"),
    ("Наталля", "female"), ("Алена", "female"), ("Святлана", "female"), ("Кацярына", "female"),
    ("Юлія", "female"), ("Ірына", "female"), ("Дар'я", "female"), ("Вераніка", "female"),
]  # fmt: skip
# Invented roots: none is a Belarusian or Russian surname, whatever suffix follows.
ROOTS = [
    "Брумк", "Жвітл", "Кардзюл", "Лумпав", "Мрыжал", "Пуцвел", "Сквірл", "Трызбал", "Фляшк",
    "Хрумкав", "Цвірканд", "Шпунтав", "Бзылёв", "Гульдзяр", "Дрымбал", "Жмуркал", "Квацял",
    "Пырскал", "Тарабарк", "Шмыгал",
]  # fmt: skip
SUFFIXES = {"male": ["евіч", "оўскі", "ёнак", "ук", "еня"], "female": ["евіч", "оўская", "ук"]}
TITLES = [
    ("Detentions at a march in {city}", "10.10"),
    ("Beatings on arrival at {facility}", "20.10"),
    ("Detainees forced to kneel in the yard of {facility}", "20.30"),
    ("Stun grenades used against a crowd in {city}", "30.22"),
    ("Rubber bullets fired at protesters in {city}", "30.21"),
    ("Journalist detained while reporting in {city}", "10.10"),
    ("Night search of a flat in {city}", "50.10"),
    ("Women's solidarity chain dispersed in {city}", "30.10"),
    ("Students detained outside a university in {city}", "10.10"),
    ("Torture during interrogation at {facility}", "20.20"),
    ("Medical care refused to detainees at {facility}", "20.60"),
    ("Forced \"repentance\" video recorded in {city}", "40.10"),
]  # fmt: skip
RANKS = ["sergeant", "senior sergeant", "lieutenant", "senior lieutenant", "captain", "major"]
START, END = date(2020, 8, 9), date(2020, 12, 31)


@dataclass
class Counts:
    events: int = 0
    acts: int = 0
    persons: int = 0
    units: int = 0
    parent_links: int = 0
    commanders: int = 0

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def _latin(cyrillic: str) -> str:
    return " ".join(word.capitalize() for word in fold(cyrillic).split())


def _day(rng: random.Random) -> datetime:
    """Weighted like the record: the week after the election, then Sundays' marches."""
    if rng.random() < 0.35:
        day = START + timedelta(days=rng.randint(0, 7))
    else:
        day = START + timedelta(days=rng.randint(0, (END - START).days))
        if rng.random() < 0.5:
            day += timedelta(days=(6 - day.weekday()) % 7)  # to the next Sunday
            day = min(day, END)
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return moment + timedelta(minutes=rng.randint(14 * 60, 24 * 60 - 1))


#: the victims' ages in August 2020, as (youngest, oldest, share): mostly young adults, as
#: among those detained then, and every age group of the statistics some
AGES = ((14, 17, 0.06), (18, 29, 0.36), (30, 44, 0.32), (45, 59, 0.14), (60, 78, 0.04))
UNKNOWN_BIRTH = 0.08  # the rest: no date of birth known


def _birth(rng: random.Random, *, officer: bool) -> tuple[date | None, str]:
    """A plausible birth date and how much of it is known: a victim's age spread over the
    statistics' age groups (some unknown), an officer's between 21 and 50."""
    if rng.random() < UNKNOWN_BIRTH:
        return None, Precision.UNKNOWN
    if officer:
        youngest, oldest = 21, 50
    else:
        weights = [share for _, _, share in AGES]
        youngest, oldest, _share = rng.choices(AGES, weights=weights)[0]
    age = rng.randint(youngest, oldest)
    # born `age` years before a day of the protests, minus up to a year: the age on that day
    born = date(2020 - age, 8, 9) - timedelta(days=rng.randint(0, 364))
    if rng.random() < 0.15:  # only the year known, as many accounts give it
        return born.replace(month=1, day=1), Precision.YEAR
    return born, Precision.DAY


class Generator:
    def __init__(self, compartment: Compartment, *, seed: int = 2020, batch: int = 5000) -> None:
        self.compartment = compartment
        self.rng = random.Random(seed)
        # Birth dates draw from their own stream, so that adding them left every other draw
        # of a seed (events, acts, the demo case's choice) as it was.
        self.births = random.Random(f"{seed}-births")
        self.batch = batch
        self.now = timezone.now()
        self.counts = Counts()
        self.terms = {
            (t.vocabulary, t.code): t for t in Term.objects.filter(builtin=True, retired=False)
        }
        places = list(Place.objects.filter(builtin=True).select_related("parent"))
        self.cities = [p for p in places if p.kind == Place.Kind.CITY]
        self.facilities = [p for p in places if p.kind == Place.Kind.FACILITY]

    def term(self, vocabulary: str, code: str) -> Term:
        return self.terms[(vocabulary, code)]

    def run(
        self, *, events: int, persons: int, progress: Callable[[str, int], None] | None = None
    ) -> Counts:
        """1. units  2. officers with memberships  3. the chain of command: parent links and
        commanders  4. victims  5. events  6. acts and involvements  7. search index and
        history rows for all of it."""
        with transaction.atomic():
            units = self._units()
            officers = self._persons(max(1, persons * 3 // 10), officer=True)
            self._memberships(officers, units)
            self._command(units, officers)
            victims = self._persons(persons - len(officers), officer=False)
            if progress:
                progress("persons", len(officers) + len(victims))
            for start in range(0, events, self.batch):
                made = self._events(min(self.batch, events - start))
                self._acts(made, victims, officers, units)
                if progress:
                    progress("events", self.counts.events)
        tally.refresh()  # its history rows were written in bulk, which queues no counting
        analyse()
        return self.counts

    def _bulk(self, model: Any, rows: list[Any]) -> list[Any]:
        created = model.objects.bulk_create(rows, batch_size=self.batch)
        if model in (Event, Person, Unit):
            SearchEntry.objects.bulk_create(
                [self._entry(obj) for obj in created], batch_size=self.batch
            )
        if model in (Event, Person, Unit, Act, Involvement, Membership, ParentLink):
            Change.objects.bulk_create(
                [self._change(obj) for obj in created], batch_size=self.batch
            )
        return created

    def _entry(self, obj: Any) -> SearchEntry:
        kind, label, texts = self._texts(obj)
        words, shapes = search.entry_values(texts)
        return SearchEntry(
            kind=kind, object_id=obj.pk, compartment_id=self.compartment.pk, label=label[:300],
            words=words, skeletons=shapes,
        )  # fmt: skip

    def _texts(self, obj: Any) -> tuple[str, str, list[str]]:
        if isinstance(obj, Person):
            return "person", obj.display_name, [obj.display_name, _latin(obj.display_name)]
        return search.texts_of(obj)

    def _change(self, obj: Any) -> Change:
        return Change(
            at=self.now, actor=None, actor_name="generator", action="create",
            model=obj._meta.model_name, object_id=obj.pk, object_label=str(obj)[:300],
            compartment_id=self.compartment.pk, before=None, after={"generated": True},
        )  # fmt: skip

    def _units(self) -> list[Unit]:
        omon = self.term("unit_type", "10.10")
        police = self.term("unit_type", "10.60")
        staff = self.term("unit_type", "40")
        rows = [
            Unit(compartment=self.compartment, name=f"OMON, {city.name_en}", unit_type=omon,
                 place=city, other_names=f"АМАП, {city.name_be}\nОМОН, {city.name_ru}")
            for city in self.cities
        ] + [
            Unit(compartment=self.compartment, name=f"Police department, {city.name_en}",
                 unit_type=police, place=city)
            for city in self.cities
        ] + [
            Unit(compartment=self.compartment, name=f"Staff of {facility.name_en}",
                 unit_type=staff, place=facility)
            for facility in self.facilities
        ]  # fmt: skip
        units = self._bulk(Unit, rows)
        self.counts.units += len(units)
        return units

    def _persons(self, count: int, *, officer: bool) -> list[Person]:
        rows = []
        for _ in range(count):
            first, gender = self.rng.choice(FIRST)
            surname = self.rng.choice(ROOTS) + self.rng.choice(SUFFIXES[gender])
            born, precision = _birth(self.births, officer=officer)
            rows.append(
                Person(
                    compartment=self.compartment,
                    display_name=f"{first} {surname}",
                    gender=gender,
                    birth_date=born,
                    birth_precision=precision,
                    notes="Fictional person generated for the demo.",
                )
            )
        created = self._bulk(Person, rows)
        PersonName.objects.bulk_create(
            [PersonName(person=p, name=_latin(p.display_name), script="Latn", language="be")
             for p in created],
            batch_size=self.batch,
        )  # fmt: skip
        if officer:
            PersonIdentifier.objects.bulk_create(
                [PersonIdentifier(person=p, kind="badge number", value=f"{p.pk % 10000:04d}")
                 for p in created],
                batch_size=self.batch,
            )  # fmt: skip
        self.counts.persons += len(created)
        return created

    def _memberships(self, officers: list[Person], units: list[Unit]) -> None:
        rows = [
            Membership(
                compartment=self.compartment,
                person=officer,
                unit=self.rng.choice(units),
                start=date(2010 + self.rng.randint(0, 9), self.rng.randint(1, 12), 1),
                start_precision="month",
                rank=self.rng.choice(RANKS),
                badge_number=f"{officer.pk % 10000:04d}",
            )
            for officer in officers
        ]
        self._bulk(Membership, rows)

    def _command(self, units: list[Unit], officers: list[Person]) -> None:
        """A chain of command to read at a date: each city's units under their region's
        directorate, the directorates under a ministry from 2010, and one unit (the first
        OMON) that moves from its directorate to the ministry itself on 1 September 2020.
        Commanders for most units, graded, some with evidence (items already in the
        compartment); the moving unit has a gap in its command from 1 August to 15 September
        2020, so the events of August show one."""
        regions = {p.pk: p for p in Place.objects.filter(kind=Place.Kind.REGION, builtin=True)}

        def region_of(place: Place | None) -> Place | None:
            while place is not None and place.pk not in regions:
                place = (
                    Place.objects.filter(pk=place.parent_id).first() if place.parent_id else None
                )
            return place

        staff = self.term("unit_type", "99")
        ministry = self._bulk(Unit, [
            Unit(compartment=self.compartment, name="Ministry of Internal Affairs",
                 unit_type=staff, notes="Top of the generated chain of command.")
        ])[0]  # fmt: skip
        by_region: dict[int, Unit] = {}
        wanted = {r.pk for u in units if (r := region_of(u.place)) is not None}
        directorates = self._bulk(Unit, [
            Unit(compartment=self.compartment, unit_type=staff, place=regions[pk],
                 name=f"Internal affairs directorate, {regions[pk].name_en}")
            for pk in sorted(wanted)
        ])  # fmt: skip
        for directorate in directorates:
            by_region[directorate.place_id] = directorate
        self.counts.units += 1 + len(directorates)
        omon = self.term("unit_type", "10.10")
        omons = [u for u in units if u.unit_type_id == omon.pk] or units
        mover = next((u for u in omons if u.place and u.place.code == "city.minsk"), omons[0])
        links = [
            ParentLink(compartment=self.compartment, unit=d, parent=ministry,
                       start=date(2010, 1, 1), start_precision="year")
            for d in directorates
        ]  # fmt: skip
        for unit in units:
            region = region_of(unit.place)
            if region is None:
                continue
            if unit is mover:
                links += [
                    ParentLink(compartment=self.compartment, unit=unit,
                               parent=by_region[region.pk], end=date(2020, 8, 31),
                               end_precision="day", notes="Until the reorganisation."),
                    ParentLink(compartment=self.compartment, unit=unit, parent=ministry,
                               start=date(2020, 9, 1), start_precision="day",
                               notes="Put directly under the ministry."),
                ]  # fmt: skip
            else:
                links.append(
                    ParentLink(compartment=self.compartment, unit=unit, parent=by_region[region.pk])
                )
        self.counts.parent_links += len(self._bulk(ParentLink, links))

        reliability = [self.term("source_reliability", c) for c in "ABBCCF"]
        credibility = [self.term("information_credibility", c) for c in "122336"]
        # The moving unit and the top of the chain first: a small demo has officers enough
        # for them, and the units left over have no commander recorded at all.
        commanded = [mover, ministry, *directorates, *(u for u in units if u is not mover)]
        successor, *chiefs = self.rng.sample(officers, min(len(officers), len(commanded) + 1))
        rows = []
        for unit, chief in zip(commanded, chiefs, strict=False):
            start = date(2014 + self.rng.randint(0, 5), self.rng.randint(1, 12), 1)
            until = date(2020, 7, 31) if unit is mover else None  # nobody until 16 September
            rows.append(self._commander(unit, chief, start, until, reliability, credibility))
        rows.append(self._commander(mover, successor, date(2020, 9, 16), None,
                                    reliability, credibility, precision="day"))  # fmt: skip
        made = self._bulk(Membership, rows)
        self.counts.commanders += len(made)
        self._posting_evidence(made)

    def _commander(
        self, unit: Unit, person: Person, start: date, until: date | None,
        reliability: list[Term], credibility: list[Term], precision: str = "month",
    ) -> Membership:  # fmt: skip
        return Membership(
            compartment=self.compartment, person=person, unit=unit, commands=True,
            start=start, start_precision=precision, end=until,
            end_precision="day" if until else "unknown",
            rank=self.rng.choice(["colonel", "lieutenant colonel", "major"]),
            position="commander" if unit.unit_type_id else "head",
            badge_number=f"{person.pk % 10000:04d}",
            reliability=self.rng.choice(reliability), credibility=self.rng.choice(credibility),
        )  # fmt: skip

    def _posting_evidence(self, postings: list[Membership]) -> None:
        """A few postings rest on items of the compartment (a page of an order, say)."""
        from docket.vault.models import Item

        items = list(Item.objects.filter(compartment=self.compartment).order_by("pk")[:20])
        if not items:
            return
        EvidenceLink.objects.bulk_create(
            EvidenceLink(compartment=self.compartment, item=self.rng.choice(items),
                         membership=posting, page=1,
                         annotation="Fictional: generated for the demo.")
            for posting in postings if self.rng.random() < 0.4
        )  # fmt: skip

    def _events(self, count: int) -> list[tuple[Event, str]]:
        """New events, each with the code of the type of act its title describes."""
        statuses = [self.term("violation_status", c) for c in ("10", "20", "20", "30")]
        rows = []
        types = []
        for _ in range(count):
            template, act_code = self.rng.choice(TITLES)
            facility = self.rng.choice(self.facilities)
            city = self.rng.choice(self.cities)
            place = facility if "{facility}" in template else city
            rows.append(
                Event(
                    compartment=self.compartment,
                    title=template.format(city=city.name_en, facility=facility.name_en),
                    description="Fictional event generated for the demo.",
                    start=_day(self.rng),
                    start_precision="exact",
                    end_precision="unknown",
                    place=place,
                    violation_status=self.rng.choice(statuses),
                )
            )
            types.append(act_code)
        created = self._bulk(Event, rows)
        self.counts.events += len(created)
        return list(zip(created, types, strict=True))

    def _acts(
        self,
        events: list[tuple[Event, str]],
        victims: list[Person],
        officers: list[Person],
        units: list[Unit],
    ) -> None:
        methods = [t for (v, _), t in self.terms.items() if v == "method"]
        injuries = [t for (v, _), t in self.terms.items() if v == "injury"]
        degrees = [self.term("involvement_degree", c) for c in ("10", "10", "20", "30", "90")]
        acts = []
        for event, act_code in events:
            for _ in range(self.rng.choice([1, 2, 3, 3, 4, 5])):
                acts.append(
                    Act(
                        compartment=self.compartment,
                        event=event,
                        victim=self.rng.choice(victims) if victims else None,
                        act_type=self.term("act_type", act_code),
                        start=event.start,
                        start_precision="exact",
                    )
                )
        created = self._bulk(Act, acts)
        self.counts.acts += len(created)
        through_methods = Act.methods.through
        through_injuries = Act.injuries.through
        through_methods.objects.bulk_create(
            [through_methods(act_id=a.pk, term_id=self.rng.choice(methods).pk)
             for a in created if self.rng.random() < 0.6],
            batch_size=self.batch,
        )  # fmt: skip
        through_injuries.objects.bulk_create(
            [through_injuries(act_id=a.pk, term_id=self.rng.choice(injuries).pk)
             for a in created if self.rng.random() < 0.4],
            batch_size=self.batch,
        )  # fmt: skip
        involvements = []
        for act in created:
            if self.rng.random() < 0.75:
                person = self.rng.choice(officers) if self.rng.random() < 0.5 else None
                involvements.append(
                    Involvement(
                        compartment=self.compartment,
                        act=act,
                        person=person,
                        unit=self.rng.choice(units),
                        degree=self.rng.choice(degrees),
                        confidence=self.rng.choice(Involvement.Confidence.values),
                    )
                )
        self._bulk(Involvement, involvements)


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load: without them PostgreSQL guesses a
    handful of rows where there are a hundred thousand, and picks nested loops. On PostgreSQL
    outside a transaction, VACUUM too: it marks the new pages all-visible, which lets the
    facet counts read the covering indexes alone (autovacuum would, some minutes later)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def add_anchors(compartment: Compartment) -> int:
    """The anchor events, each on its own spot (a place of precision "point" under a built-in
    one) with one act, saved one by one so that whatever listens for new events hears of them.
    Idempotent by import reference: a re-run adds only the missing ones. Returns how many."""
    have = set(
        Event.objects.filter(
            compartment=compartment, import_ref__in=[a.ref for a in ANCHORS]
        ).values_list("import_ref", flat=True)
    )
    missing = [a for a in ANCHORS if a.ref not in have]
    if not missing:
        return 0
    now = timezone.now()
    status = Term.objects.get(vocabulary="violation_status", code="20", builtin=True)
    omon, named = _minsk_omon(compartment)
    description = DESCRIPTION + (
        f" Witnesses name {named} as the officer in charge that night." if named else ""
    )
    changes = []
    with transaction.atomic():
        spots = {key: _spot(key) for key in {a.site for a in missing}}
        for anchor in missing:
            event = Event.objects.create(
                compartment=compartment, title=anchor.title, description=description,
                start=anchor.start_utc, start_precision="exact", end=anchor.end_utc,
                end_precision="exact", place=spots[anchor.site], violation_status=status,
                import_ref=anchor.ref,
            )  # fmt: skip
            act = Act.objects.create(
                compartment=compartment, event=event,
                act_type=Term.objects.get(vocabulary="act_type", code=anchor.act, builtin=True),
                start=event.start, start_precision="exact",
            )  # fmt: skip
            changes += [_created(compartment, obj, now) for obj in (event, act)]
            if omon is not None:  # so the event's page shows the chain of command that night
                Involvement.objects.create(
                    compartment=compartment, act=act, unit=omon,
                    degree=Term.objects.get(vocabulary="involvement_degree", code="10",
                                            builtin=True),
                    confidence=Involvement.Confidence.PROBABLE,
                )  # fmt: skip
        Change.objects.bulk_create(changes)
    return len(missing)


def _minsk_omon(compartment: Compartment) -> tuple[Unit | None, str]:
    """The generated register's OMON of Minsk (the unit whose chain moves in 2020), and the
    name of a commander above it, for the anchors' descriptions (a mention to find); nothing
    where the register was not generated."""
    omon = Unit.objects.filter(compartment=compartment, name="OMON, Minsk").first()
    if omon is None:
        return None, ""
    above = (
        Membership.objects.filter(
            compartment=compartment, commands=True, unit__child_links__unit=omon
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return omon, above.person.display_name if above is not None else ""


def _created(compartment: Compartment, obj: Event | Act, now: datetime) -> Change:
    return Change(
        at=now, actor=None, actor_name="generator", action="create",
        model=str(obj._meta.model_name), object_id=obj.pk, object_label=str(obj)[:300],
        compartment_id=compartment.pk, before=None, after={"generated": True},
    )  # fmt: skip


def _spot(key: str) -> Place:
    site = SITES[key]
    parent = Place.objects.get(code=site.parent)
    spot, _ = Place.objects.get_or_create(
        kind=Place.Kind.SITE, name_en=site.en, parent=parent,
        defaults={"name_be": site.be, "name_ru": site.ru, "latitude": site.lat,
                  "longitude": site.lon, "precision": Place.CoordinatePrecision.POINT},
    )  # fmt: skip
    return spot
