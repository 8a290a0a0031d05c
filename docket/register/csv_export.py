"""Exporting a filtered list of events, one row per act, in the import's own columns (so an
export can be corrected in a spreadsheet and imported again), as CSV or XLSX. Each event and
act is named (`event_ref`: its import reference or `docket-N`; `act_ref`: `docket-act-N`), so
the export imported into its own compartment finds what it holds instead of copying it.

Streams: the CSV is written row by row as it is sent; the XLSX is built in openpyxl's
write-only mode, which keeps one row in memory, in a temporary file.

No cell can run as a formula (docket/lib/cells.py): CSV cells that a spreadsheet would evaluate
start with `'`, which the import removes; XLSX cells are all explicit strings.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from docket.lib import zones
from docket.lib.cells import needs_quote, neutralise
from docket.register.csv_import import COLUMNS, act_ref_of, event_ref_of
from docket.register.models import Act, Event

BATCH = 2000


def rows(events: QuerySet[Event]) -> Iterator[dict[str, str]]:
    """One row per act (one per event without acts), events newest first."""
    ids = list(events.order_by("-start", "-id").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        by_pk = Event.objects.select_related("place", "violation_status").in_bulk(chunk)
        acts: dict[int, list[Act | None]] = {}
        for found in (
            Act.objects.filter(event_id__in=chunk)
            .select_related("act_type", "victim")
            .prefetch_related(
                "methods",
                "injuries",
                "involvements__person__identifiers",
                "involvements__unit",
                "involvements__degree",
            )
            .order_by("start", "id")
        ):
            acts.setdefault(found.event_id, []).append(found)
        for pk in chunk:
            for act in acts.get(pk) or [None]:
                yield _row(by_pk[pk], act)


def _row(event: Event, act: Act | None) -> dict[str, str]:
    row = {
        "event_ref": event_ref_of(event),
        "event_title": event.title,
        # ISO 8601 in the instance's zone with its offset, to the minute (to the second when
        # it has seconds): what any spreadsheet or program reads, and the import reads back.
        "event_start": zones.iso(event.start),
        "event_precision": event.start_precision,
        "event_end": zones.iso(event.end),
        "event_end_precision": event.end_precision if event.end else "",
        "place": (event.place.code or event.place.name_en) if event.place else "",
        "place_detail": event.place_detail,
        "latitude": repr(event.latitude) if event.latitude is not None else "",
        "longitude": repr(event.longitude) if event.longitude is not None else "",
        "violation_status": event.violation_status.code if event.violation_status else "",
    }
    if act is not None:
        # Every perpetrator of the act, `;`-separated, in the same order in each column.
        involvements = sorted(act.involvements.all(), key=lambda i: i.pk)
        people = [i.person for i in involvements]
        row.update(
            act_ref=act_ref_of(act),
            act_type=act.act_type.code,
            methods=";".join(t.code for t in act.methods.all()),
            injuries=";".join(t.code for t in act.injuries.all()),
            victim=act.victim.display_name if act.victim else "",
            perpetrator=";".join(p.display_name if p else "" for p in people),
            badge_number=";".join(_first_badge(p) if p else "" for p in people),
            unit=";".join(i.unit.name if i.unit else "" for i in involvements),
            degree=";".join(i.degree.code for i in involvements),
            confidence=";".join(i.confidence for i in involvements),
            notes=act.notes,
        )
    return {column: row.get(column, "") for column in COLUMNS}


def _first_badge(person: Any) -> str:
    badges = sorted(person.identifiers.all(), key=lambda b: b.pk)
    return badges[0].value if badges else ""


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(events: QuerySet[Event]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=COLUMNS)
    yield "\ufeff"  # spreadsheets read UTF-8 correctly only with the byte-order mark
    yield writer.writeheader()
    for row in rows(events):
        yield writer.writerow({column: neutralise(value) for column, value in row.items()})


def xlsx_file(events: QuerySet[Event]) -> IO[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("events")

    def text(value: str) -> WriteOnlyCell:
        # openpyxl turns any string that starts with "=" into a formula unless told otherwise
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        if needs_quote(value):
            cell.quotePrefix = True
        return cell

    sheet.append(COLUMNS)
    for row in rows(events):
        sheet.append([text(row[c]) for c in COLUMNS])
    handle: Any = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle
