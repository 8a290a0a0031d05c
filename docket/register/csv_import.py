"""Importing events with their acts, victims and perpetrators from a CSV file (one row per act;
docs/register-import.md describes the columns, docs/register-import-template.csv shows them).

Policy: every row is checked before anything is written, and every error is reported at once
with its row and column (spreadsheet numbering: the header is row 1). A file with any error
writes nothing. Re-running the same file writes nothing new: events are matched by their
`event_ref` within the compartment (`docket-N`, as an export writes it, is event N of that
compartment), acts by `act_ref` (`docket-act-N`, as an export writes it: act N of that
compartment, which the row must describe as it stands) or else by a hash of what their row
says. A row with no act fields is an event without acts. Several perpetrators of one act are
written `;`-separated in `perpetrator`, `badge_number`, `unit`, `degree` and `confidence`, in
the same order. A cell's leading `'`
that the export added to keep a spreadsheet from running it as a formula is removed
(docket/lib/cells.py), so an export imports again unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from docket.accounts.models import Compartment, User
from docket.analysis import names, pairs
from docket.lib import zones
from docket.lib.cells import restore
from docket.register import duplicates, history
from docket.register.models import Act, Event, Involvement, Person, Place, Precision, Term
from docket.register.records import add_badge, person_named, tidy, unit_named
from docket.register.vocabulary import titles

COLUMNS = [
    "event_ref", "act_ref", "event_title", "event_start", "event_precision", "event_end",
    "event_end_precision", "place", "place_detail", "latitude", "longitude",
    "violation_status", "act_type", "methods", "injuries", "victim", "perpetrator",
    "badge_number", "unit", "degree", "confidence", "notes",
]  # fmt: skip
REQUIRED = ("event_ref", "event_title")
#: The columns of an act: a row that fills none of them describes only its event.
ACT_COLUMNS = ("act_ref", "act_type", "methods", "injuries", "victim", "perpetrator",
               "badge_number", "unit", "degree", "confidence", "notes")  # fmt: skip
#: How an export names an event that came from no import: its number in the compartment.
OWN_REF = re.compile(r"docket-(\d{1,18})")
OWN_ACT_REF = re.compile(r"docket-act-(\d{1,18})")


def event_ref_of(event: Event) -> str:
    """How a row names an event: its import reference, or `docket-N`."""
    return event.import_ref or f"docket-{event.pk}"


def act_ref_of(act: Act) -> str:
    return f"docket-act-{act.pk}"


#: The columns that hold one value per perpetrator of an act, `;`-separated.
INVOLVEMENT_COLUMNS = ("perpetrator", "badge_number", "unit", "degree", "confidence")
EVENT_COLUMNS = ("event_title", "event_start", "event_precision", "event_end",
                 "event_end_precision", "place", "place_detail", "latitude", "longitude",
                 "violation_status")  # fmt: skip
MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class PossibleDuplicate:
    """A name of the file no person of the compartment has, which may be one who is there."""

    row: int
    column: str
    name: str
    person: int
    score: float

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "name": self.name,
                "person": self.person, "score": round(self.score, 4)}  # fmt: skip


@dataclass(frozen=True)
class InFile:
    """Two names of the file, each new to the compartment, that may be one person."""

    row: int
    column: str
    name: str
    other_row: int
    other_column: str
    other_name: str
    score: float

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "name": self.name,
                "other_row": self.other_row, "other_column": self.other_column,
                "other_name": self.other_name, "score": round(self.score, 4)}  # fmt: skip


@dataclass
class Report:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)
    duplicates_in_file: list[InFile] = field(default_factory=list)
    dry_run: bool = True
    events_created: int = 0
    events_updated: int = 0
    acts_created: int = 0
    acts_unchanged: int = 0

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rows": self.rows,
            "errors": [e.as_json() for e in self.errors],
            "possible_duplicates": [p.as_json() for p in self.possible_duplicates],
            "duplicates_in_file": [p.as_json() for p in self.duplicates_in_file],
        }
        if not self.dry_run:
            data.update(
                events_created=self.events_created, events_updated=self.events_updated,
                acts_created=self.acts_created, acts_unchanged=self.acts_unchanged,
            )  # fmt: skip
        return data


@dataclass(frozen=True)
class Perpetrator:
    """One involvement of an act: a person, a unit or both."""

    person: str
    badge: str
    unit: str
    degree: Term | None
    confidence: str


@dataclass
class Row:
    number: int
    event_ref: str
    event: dict[str, Any]
    act_type: Term | None  # None: the row describes an event without acts
    methods: list[Term]
    injuries: list[Term]
    victim: str
    perpetrators: list[Perpetrator]
    notes: str
    key: str
    act: Act | None = None  # the act of the compartment its act_ref names


def act_key(
    event_ref: str, act_type: str, victim: str, perpetrators: list[Perpetrator],
    methods: Iterable[str], injuries: Iterable[str],
) -> str:  # fmt: skip
    """What an act says, as a hash: the same for a row and for the act it describes. (A row
    with one perpetrator hashes as the import always has.)"""
    if perpetrators:
        columns = [
            ";".join(tidy(p.person) for p in perpetrators),
            ";".join(p.badge for p in perpetrators),
            ";".join(tidy(p.unit) for p in perpetrators),
            ";".join(p.degree.code if p.degree else "" for p in perpetrators),
            ";".join(p.confidence for p in perpetrators),
        ]
    else:
        columns = ["", "", "", "", Involvement.Confidence.ALLEGED]
    said = [
        event_ref, act_type, tidy(victim), *columns,
        ";".join(sorted(methods)), ";".join(sorted(injuries)),
    ]  # fmt: skip
    return hashlib.sha256("\x1f".join(said).encode()).hexdigest()


def key_of(act: Act) -> str:
    """The hash of an act as the register holds it now, under its own event's reference (so a
    row that moved the act to another event_ref no longer matches it)."""
    perpetrators = [
        Perpetrator(
            person=i.person.display_name if i.person else "",
            badge=next((b.value for b in i.person.identifiers.order_by("id")), "")
            if i.person
            else "",
            unit=i.unit.name if i.unit else "",
            degree=i.degree,
            confidence=i.confidence,
        )
        for i in act.involvements.order_by("id").select_related("person", "unit", "degree")
    ]
    return act_key(
        event_ref_of(act.event), act.act_type.code, act.victim.display_name if act.victim else "",
        perpetrators, (t.code for t in act.methods.all()), (t.code for t in act.injuries.all()),
    )  # fmt: skip


class _Vocabulary:
    """Codes and labels (any of the three languages) of every term, for one file's checks."""

    def __init__(self) -> None:
        self.by_code: dict[tuple[str, str], Term] = {}
        self.by_label: dict[tuple[str, str], Term] = {}
        for term in Term.objects.filter(retired=False):
            self.by_code[(term.vocabulary, term.code.lower())] = term
            for label in (term.label_en, term.label_be, term.label_ru):
                self.by_label[(term.vocabulary, label.lower())] = term
        self.titles = {name: title.lower() for name, title in titles().items()}

    def find(self, vocabulary: str, value: str) -> Term:
        key = (vocabulary, value.strip().lower())
        term = self.by_code.get(key) or self.by_label.get(key)
        if term is None:
            examples = [c for (v, c) in self.by_code if v == vocabulary][:4]
            raise ValueError(
                f"unknown {self.titles.get(vocabulary, vocabulary)} {value.strip()!r}: use a code "
                f"or a label the Vocabularies page lists (codes such as {', '.join(examples)})"
            )
        return term


def _places() -> dict[str, list[Place]]:
    found: dict[str, list[Place]] = {}
    for place in Place.objects.all():
        for name in {place.code or "", place.name_en, place.name_be, place.name_ru}:
            if name:
                found.setdefault(name.lower(), []).append(place)
    return found


def _places_spelled(text: str) -> list[Place]:
    """Places whose names match `text` in any script or spelling, as search finds them
    (Акрэсціна, Akrestsina, Okrestina); the shared gazetteer only."""
    from docket.register import search

    ids = [h.id for h in search.search(text, compartments=set(), limit=10) if h.type == "place"]
    return list(Place.objects.filter(pk__in=ids))


def _when(text: str) -> tuple[datetime | None, str]:
    """A date as people write it, and the precision it implies. A time without an offset is
    local time in DOCKET_TIME_ZONE; a date, a month or a year starts at its local midnight."""
    text = text.strip()
    if not text:
        return None, Precision.UNKNOWN
    found = zones.parse(text)
    if found is not None:
        return found, Precision.EXACT
    for pattern, precision in (
        ("%Y-%m-%d", Precision.DAY), ("%Y-%m", Precision.MONTH), ("%Y", Precision.YEAR),
    ):  # fmt: skip
        try:
            naive = datetime.strptime(text, pattern)
        except ValueError:
            continue
        found = zones.in_utc(zones.localise(naive, zones.instance_zone()))
        if found is not None:
            return found, precision
    raise ValueError(
        f"{text!r} is not a date: write 2020-08-11, 2020-08-11 22:30 (local time in "
        f"{zones.instance_zone().key}), 2020-08-11T22:30+03:00, 2020-08 or 2020"
    )


def _coordinate(text: str, limit: float) -> float:
    """Degrees written with a point or a decimal comma; not "5_3.9", which float() reads as
    53.9, nor "nan", "inf" or "0x1p5"."""
    if not re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]*)?", text.strip()):
        raise ValueError(text)
    value = float(text.strip().replace(",", "."))
    if not -limit <= value <= limit:
        raise ValueError
    return value


def import_csv(
    text: Iterable[str], compartment: Compartment, *, actor: User | None, dry_run: bool
) -> Report:
    """1. read the header  2. check every row, collecting every error  3. stop on any error or
    on a dry run  4. write events, persons, units, acts and involvements in one transaction."""
    report = Report(dry_run=dry_run)
    reader = csv.DictReader(text)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    for column in missing:
        report.errors.append(RowError(1, column, "this column is missing from the header"))
    for column in (c for c in header if c not in COLUMNS):
        report.errors.append(RowError(1, column, f"unknown column (known: {', '.join(COLUMNS)})"))
    if missing:
        return report
    rows = _check(reader, report, compartment)
    if report.errors:
        return report
    index = duplicates.index_of(compartment.pk)
    report.possible_duplicates, report.duplicates_in_file = _possible_duplicates(
        rows, compartment, index
    )
    if dry_run:
        return report
    with transaction.atomic():
        _write(rows, compartment, actor, report, index)
    return report


def _possible_duplicates(
    rows: list[Row], compartment: Compartment, index: pairs.Index
) -> tuple[list[PossibleDuplicate], list[InFile]]:
    """Each name that would make a new person and may be one already there, at its first row;
    and the pairs of such names that may be one person between them."""
    people = Person.objects.filter(compartment=compartment)
    known = {n.lower() for n in people.values_list("display_name", flat=True)} | {
        n.lower() for n in people.values_list("names__name", flat=True) if n
    }
    found, new = [], []
    for row in rows:
        named = [("victim", row.victim)] + [("perpetrator", p.person) for p in row.perpetrators]
        for column, name in named:
            name = tidy(name)
            if not name or name.lower() in known:
                continue
            known.add(name.lower())
            new.append((row.number, column, name))
            found += [
                PossibleDuplicate(row.number, column, name, alike.person, alike.score)
                for alike in duplicates.similar(index, name)
            ]
    entries = []
    for at, (_, _, name) in enumerate(new):
        with suppress(ValueError):
            entries.append(pairs.Entry(str(at), names.parse(name)))
    within = [
        InFile(*new[int(pair.a)], *new[int(pair.b)], pair.score) for pair in pairs.pairs(entries)
    ]
    return found, within


def _check(reader: csv.DictReader[str], report: Report, compartment: Compartment) -> list[Row]:
    checker = _Checker(report, compartment)
    rows: list[Row] = []
    for number, raw in enumerate(reader, start=2):
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.errors.append(RowError(number, "", f"more than {MAX_ROWS} rows: split the file"))
            break
        cells = {k.strip(): restore((v or "").strip()) for k, v in raw.items() if k}
        row = checker.row(number, cells)
        if row is not None:
            rows.append(row)
    return rows


class _Checker:
    """Checks one row at a time, adding an error per problem found to the report."""

    def __init__(self, report: Report, compartment: Compartment) -> None:
        self.report = report
        self.compartment = compartment
        self.vocabulary = _Vocabulary()
        self.places = _places()
        self.first_seen: dict[str, tuple[int, dict[str, str]]] = {}
        self.number = 0
        self.cells: dict[str, str] = {}

    def error(self, column: str, message: str) -> None:
        self.report.errors.append(RowError(self.number, column, message))

    def term(self, column: str, vocabulary: str) -> Term | None:
        if not self.cells.get(column):
            return None
        try:
            return self.vocabulary.find(vocabulary, self.cells[column])
        except ValueError as exc:
            self.error(column, str(exc))
            return None

    def terms(self, column: str, vocabulary: str) -> list[Term]:
        found = []
        for part in filter(None, (p.strip() for p in self.cells.get(column, "").split(";"))):
            try:
                found.append(self.vocabulary.find(vocabulary, part))
            except ValueError as exc:
                self.error(column, str(exc))
        return found

    def row(self, number: int, cells: dict[str, str]) -> Row | None:
        self.number, self.cells = number, cells
        for column in REQUIRED:
            if not cells.get(column):
                self.error(column, "required, and empty")
        ref = cells.get("event_ref", "")
        if len(ref) > 100:
            self.error("event_ref", "at most 100 characters")
        self._same_event(ref)
        event = self._event()
        describes_act = any(cells.get(column) for column in ACT_COLUMNS)
        if describes_act and not cells.get("act_type"):
            self.error("act_type", "required for a row that describes an act")
        act_type = self.term("act_type", "act_type")
        methods, injuries = self.terms("methods", "method"), self.terms("injuries", "injury")
        perpetrators = self._perpetrators()
        if act_type is None and describes_act:
            return None
        key = act_key(
            ref, act_type.code if act_type else "", cells.get("victim", ""), perpetrators,
            (t.code for t in methods), (t.code for t in injuries),
        )  # fmt: skip
        return Row(
            number, ref, event, act_type, methods, injuries, cells.get("victim", ""),
            perpetrators, cells.get("notes", ""), key, self._named_act(key),
        )  # fmt: skip

    def _perpetrators(self) -> list[Perpetrator]:
        """One per `;`-separated position of the involvement columns."""
        split = {
            c: [v.strip() for v in self.cells.get(c, "").split(";")] for c in INVOLVEMENT_COLUMNS
        }
        count = max(len(values) for values in split.values())
        found = []
        for n in range(count):
            at = {c: values[n] if n < len(values) else "" for c, values in split.items()}
            where = f" (perpetrator {n + 1})" if count > 1 else ""
            if not any(at.values()):
                continue
            degree = None
            if at["degree"]:
                try:
                    degree = self.vocabulary.find("involvement_degree", at["degree"])
                except ValueError as exc:
                    self.error("degree", str(exc) + where)
            named = at["perpetrator"] or at["unit"]
            if named and not at["degree"]:
                self.error("degree", "say how the perpetrator was involved (a code such as 10, "
                           "or 90)" + where)  # fmt: skip
            if at["degree"] and not named:
                self.error(
                    "perpetrator",
                    "name a perpetrator or a unit for this degree of involvement" + where,
                )
            if at["badge_number"] and not at["perpetrator"]:
                self.error(
                    "badge_number",
                    "a badge number belongs to a person: fill perpetrator too" + where,
                )
            confidence = at["confidence"] or Involvement.Confidence.ALLEGED
            if confidence not in Involvement.Confidence.values:
                self.error("confidence", f"one of {', '.join(Involvement.Confidence.values)}"
                           + where)  # fmt: skip
            found.append(
                Perpetrator(at["perpetrator"], at["badge_number"], at["unit"], degree, confidence)
            )
        return found

    def _named_act(self, key: str) -> Act | None:
        """The act `act_ref` names in this compartment, which the row must describe as it is
        (an export from another compartment names none here: its acts are new)."""
        own = OWN_ACT_REF.fullmatch(self.cells.get("act_ref", ""))
        if own is None:
            return None
        act = Act.objects.filter(compartment=self.compartment, pk=int(own.group(1))).first()
        if act is None:
            return None
        if key_of(act) != key:
            self.error(
                "act_ref", f"the row no longer says what act {act.pk} says: an import does not "
                "change an act yet; correct it on its event's page, or clear act_ref to add "
                "the row as a new act",
            )  # fmt: skip
        return act

    def _same_event(self, ref: str) -> None:
        """Rows of one event_ref must not contradict each other about the event."""
        same = {c: self.cells.get(c, "") for c in EVENT_COLUMNS}
        if ref in self.first_seen:
            first_row, seen = self.first_seen[ref]
            for column, value in same.items():
                if value and seen[column] and value != seen[column]:
                    self.error(column, f"differs from row {first_row} of the same event_ref")
        elif ref:
            self.first_seen[ref] = (self.number, same)

    def _point(self, event: dict[str, Any]) -> None:
        """The event's own latitude and longitude, both or neither."""
        cells = self.cells
        latitude, longitude = cells.get("latitude", "").strip(), cells.get("longitude", "").strip()
        if bool(latitude) != bool(longitude):
            self.error("longitude" if latitude else "latitude", "give both latitude and longitude")
            return
        for column, text, limit, example in (
            ("latitude", latitude, 90, "53.9"), ("longitude", longitude, 180, "27.56"),
        ):  # fmt: skip
            if not text:
                continue
            try:
                event[column] = _coordinate(text, limit)
            except ValueError:
                self.error(
                    column, f"a number of degrees from -{limit} to {limit}, such as {example}"
                )

    def _event(self) -> dict[str, Any]:
        cells = self.cells
        event: dict[str, Any] = {"title": cells.get("event_title", "")[:300]}
        try:
            event["start"], event["start_precision"] = _when(cells.get("event_start", ""))
        except ValueError as exc:
            self.error("event_start", str(exc))
        if cells.get("event_precision"):
            if cells["event_precision"] not in Precision.values:
                self.error("event_precision", f"one of {', '.join(Precision.values)}")
            else:
                event["start_precision"] = cells["event_precision"]
        if cells.get("event_end", "").strip():  # an empty cell leaves the end as it is
            try:
                event["end"], event["end_precision"] = _when(cells["event_end"])
            except ValueError as exc:
                self.error("event_end", str(exc))
        if cells.get("event_end_precision"):
            if cells["event_end_precision"] not in Precision.values:
                self.error("event_end_precision", f"one of {', '.join(Precision.values)}")
            elif event.get("end") is None:
                self.error("event_end_precision", "needs an event_end")
            else:
                event["end_precision"] = cells["event_end_precision"]
        start, end = event.get("start"), event.get("end")
        if start is not None and end is not None and end < start:
            self.error("event_end", "is before event_start")
        self._point(event)
        if cells.get("place"):
            key = cells["place"].lower()
            if key not in self.places:  # looked up once per spelling in a file
                self.places[key] = _places_spelled(cells["place"])
            matches = self.places[key]
            if len(matches) == 1:
                event["place"] = matches[0]
            elif not matches:
                self.error(
                    "place", f"unknown place {cells['place']!r}: use a place's code (such as "
                    "facility.okrestina) or one of its names in English, Belarusian or Russian",
                )  # fmt: skip
            else:
                named = ", ".join(f"{m.code or m.pk} ({m.name_en})" for m in matches[:5])
                self.error(
                    "place", f"{cells['place']!r} names {len(matches)} places: use the code of "
                    f"the one you mean ({named})",
                )  # fmt: skip
        event["place_detail"] = cells.get("place_detail", "")[:300]
        event["violation_status"] = self.term("violation_status", "violation_status")
        return event


def _write(
    rows: list[Row],
    compartment: Compartment,
    actor: User | None,
    report: Report,
    index: pairs.Index,
) -> None:
    events: dict[str, Event] = {}
    for row in rows:
        event = events.get(row.event_ref)
        if event is None:
            event = _event(row, compartment, actor, report)
            events[row.event_ref] = event
        if row.act_type is None:
            continue  # an event without acts
        if row.act is not None or Act.objects.filter(event=event, import_key=row.key).exists():
            report.acts_unchanged += 1
            continue
        act = history.save(
            Act(
                event=event, compartment=compartment, act_type=row.act_type,
                victim=person_named(row.victim, compartment.pk, actor, index=index),
                notes=row.notes, import_key=row.key,
            ),
            actor=actor, m2m={"methods": row.methods, "injuries": row.injuries},
        )  # fmt: skip
        report.acts_created += 1
        for said in row.perpetrators:
            perpetrator = person_named(said.person, compartment.pk, actor, index=index)
            add_badge(perpetrator, said.badge)
            unit = unit_named(said.unit, compartment.pk, actor)
            if perpetrator is not None or unit is not None:
                assert said.degree is not None  # checked in _check
                history.save(
                    Involvement(
                        act=act, compartment=compartment, person=perpetrator, unit=unit,
                        degree=said.degree, confidence=said.confidence,
                    ),
                    actor=actor,
                )  # fmt: skip


def _event(row: Row, compartment: Compartment, actor: User | None, report: Report) -> Event:
    values = {k: v for k, v in row.event.items() if v not in (None, "")}
    event = Event.objects.filter(compartment=compartment, import_ref=row.event_ref).first()
    own = OWN_REF.fullmatch(row.event_ref)
    if event is None and own:
        # Exported from this compartment: an event made in a form, named by its number.
        event = Event.objects.filter(compartment=compartment, pk=int(own.group(1))).first()
    if event is None:
        report.events_created += 1
        return history.save(
            Event(compartment=compartment, import_ref=row.event_ref, **values), actor=actor
        )
    if any(getattr(event, k) != v for k, v in values.items()):
        for name, value in values.items():
            setattr(event, name, value)
        history.save(event, actor=actor)
        report.events_updated += 1
    return event


#: A workbook larger than this is refused before it is opened.
MAX_WORKBOOK_BYTES = 20 * 1024**2
WORKBOOK = b"PK\x03\x04"  # an XLSX file is a zip archive


def read_upload(data: bytes) -> io.StringIO:
    """An uploaded file as CSV text: UTF-8 (with or without the BOM spreadsheets write), or an
    XLSX workbook's first sheet, read in the sandbox (docket/lib/sheet.py)."""
    if data.startswith(WORKBOOK):
        return io.StringIO(_workbook_as_csv(data), newline="")
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "the file is not UTF-8 text: save it as CSV UTF-8 from the spreadsheet"
        ) from exc


def _workbook_as_csv(data: bytes) -> str:
    from docket.lib import sandbox

    if len(data) > MAX_WORKBOOK_BYTES:
        raise ValueError(
            f"the workbook is larger than {MAX_WORKBOOK_BYTES // 1024**2} MB: split it, or save "
            "it as CSV UTF-8"
        )
    with sandbox.box() as box:
        box.put("book.xlsx", [data])
        try:
            done = box.python("docket.lib.sheet", "book.xlsx", "--max-rows", str(MAX_ROWS + 1))
        except sandbox.SandboxError as exc:
            reason = str(exc).split(": ", 1)[-1]  # what the reader said, without its name
            raise ValueError(f"the workbook cannot be imported: {reason}") from exc
    return done.stdout.decode("utf-8")
