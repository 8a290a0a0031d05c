"""Exporting a filtered list of events, one row per act, in the import's own columns (so an
export can be corrected in a spreadsheet and imported again), as CSV or XLSX.

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

from docket.lib.cells import needs_quote, neutralise
from docket.register.csv_import import COLUMNS
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
        "event_ref": event.import_ref or f"docket-{event.pk}",
        "event_title": event.title,
        # ISO 8601 with its offset, to the minute: what any spreadsheet or program reads.
        "event_start": event.start.isoformat(timespec="minutes") if event.start else "",
        "event_precision": event.start_precision,
        "place": (event.place.code or event.place.name_en) if event.place else "",
        "place_detail": event.place_detail,
        "violation_status": event.violation_status.code if event.violation_status else "",
    }
    if act is not None:
        involvement = next(iter(act.involvements.all()), None)
        person = involvement.person if involvement else None
        badges = [i.value for i in person.identifiers.all()] if person else []
        row.update(
            act_type=act.act_type.code,
            methods=";".join(t.code for t in act.methods.all()),
            injuries=";".join(t.code for t in act.injuries.all()),
            victim=act.victim.display_name if act.victim else "",
            perpetrator=person.display_name if person else "",
            badge_number=badges[0] if badges else "",
            unit=involvement.unit.name if involvement and involvement.unit else "",
            degree=involvement.degree.code if involvement else "",
            confidence=involvement.confidence if involvement else "",
            notes=act.notes,
        )
    return {column: row.get(column, "") for column in COLUMNS}


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
