"""A filtered list of events downloads as CSV or XLSX in the import's own columns, so an
export can be corrected in a spreadsheet and imported again."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.accounts.models import AuditEvent, Compartment, Grant, Role, User
from docket.register.csv_import import COLUMNS, import_csv
from docket.register.models import Act, Event, Place
from tests.support.personas import log_in

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "register-import-template.csv"


def test_an_export_imports_again_into_the_same_register(db: None) -> None:
    source = Compartment.objects.create(name="okrestina")
    copy = Compartment.objects.create(name="copy")
    import_csv(TEMPLATE.open(encoding="utf-8"), source, actor=None, dry_run=False)
    analyst = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=analyst, compartment=source, role=Role.ANALYST)
    client = Client()
    log_in(client, analyst)

    response = client.get("/register/events/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and list(rows[0]) == COLUMNS
    report = import_csv(io.StringIO(text), copy, actor=None, dry_run=False)
    assert report.errors == [] and report.acts_created == 3
    assert Act.objects.filter(compartment=copy).count() == 3
    assert AuditEvent.objects.get(action="event.export").details["format"] == "csv"

    grodno = Place.objects.get(code="BY-HR")
    narrowed = client.get("/register/events/export.xlsx", {"region": grodno.pk})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(narrowed.streaming_content))).active
    values = list(sheet.values)
    assert list(values[0]) == COLUMNS and len(values) == 2
    assert (
        values[1][COLUMNS.index("event_title")]
        == Event.objects.get(place__code="city.grodno", compartment=source).title
    )
    assert client.get("/register/events/export.pdf").status_code == 404


PAYLOADS = [
    '=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1",
    "\uff1dHYPERLINK(\"http://x\",\"y\")", "\uff0b1+1", "\uff0d1+1", "\uff20SUM(A1)",
    "'=1", "''+1", "-",
]  # fmt: skip


def _exported_csv(client: Client) -> str:
    response = client.get("/register/events/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]


def test_it_exports_no_cell_a_spreadsheet_would_run_and_imports_it_back_unchanged(
    db: None,
) -> None:
    """Olga's compartment holds events whose titles came from anonymous senders (the draft
    event of an intake submission takes the sender's first words) and people named by them."""
    from openpyxl import load_workbook

    from docket.register.models import Change, Person

    okrestina = Compartment.objects.create(name="okrestina")
    olga = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=olga, compartment=okrestina, role=Role.ANALYST)
    source = io.StringIO()
    writer = csv.DictWriter(source, fieldnames=COLUMNS)
    writer.writeheader()
    for number, payload in enumerate(PAYLOADS):
        named = payload.lstrip("'") or "-"
        writer.writerow(
            {"event_ref": f"e{number}", "event_title": f"report {number}", "act_type": "10.10",
             "victim": named, "perpetrator": named, "unit": named, "degree": "10",
             "badge_number": named, "notes": named, "place_detail": named}
        )  # fmt: skip
    source.seek(0)
    first = import_csv(source, okrestina, actor=olga, dry_run=False)
    assert first.errors == [] and first.acts_created == len(PAYLOADS)
    for number, payload in enumerate(PAYLOADS):
        Event.objects.filter(import_ref=f"e{number}").update(title=payload)
    changes, people = Change.objects.count(), Person.objects.count()
    client = Client()
    log_in(client, olga)

    text = _exported_csv(client)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["event_title"] for row in rows) == sorted("'" + p for p in PAYLOADS)
    for row in rows:
        for column in ("victim", "perpetrator", "unit", "badge_number", "notes", "place_detail"):
            assert row[column].startswith("'"), (column, row[column])

    response = client.get("/register/events/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = list(sheet.iter_rows(min_row=2))
    assert len(cells) == len(PAYLOADS)
    for row_cells in cells:
        for cell in row_cells:
            assert cell.data_type == ("s" if cell.value else "inlineStr"), cell.coordinate
    titles = [row_cells[COLUMNS.index("event_title")] for row_cells in cells]
    # XML parsers read a carriage return in text as a line feed; the cell stays text either way
    assert sorted(c.value for c in titles) == sorted(p.replace("\r", "\n") for p in PAYLOADS)
    assert all(c.quotePrefix for c in titles)

    again = import_csv(io.StringIO(text), okrestina, actor=olga, dry_run=False)
    assert again.errors == []
    assert (again.events_created, again.events_updated, again.acts_created) == (0, 0, 0)
    assert again.acts_unchanged == len(PAYLOADS)
    assert Change.objects.count() == changes and Person.objects.count() == people
    assert sorted(Event.objects.values_list("title", flat=True)) == sorted(PAYLOADS)
    assert _exported_csv(client) == text


def test_it_quotes_every_value_a_spreadsheet_could_run_and_restores_each_exactly() -> None:
    from docket.lib.cells import neutralise, restore

    harmless = ["", "Okrestina", "a=b", "'", "'quoted'", "' =1", "2020-08-11", "0417", " -1"]
    for value in [*PAYLOADS, "-0.12", "-3", "'''@x", "\uff0d"]:
        assert neutralise(value).startswith("'") and restore(neutralise(value)) == value
    for value in harmless:
        assert neutralise(value) == value and restore(value) == value


def test_an_export_imported_into_its_own_compartment_changes_nothing(db: None) -> None:
    """Events made in a form have no import reference: the export names each `docket-N`, and
    the import finds event N of that compartment instead of creating it again. An event
    without acts comes back as one row with empty act fields."""
    from docket.register import history

    mine = Compartment.objects.create(name="okrestina")
    other = Compartment.objects.create(name="hrodna")
    import_csv(TEMPLATE.open(encoding="utf-8"), mine, actor=None, dry_run=False)
    made = history.save(
        Event(compartment=mine, title="A search of a flat", place=Place.objects.get(code="BY-HR")),
        actor=None,
    )
    stranger = history.save(Event(compartment=other, title="Not theirs"), actor=None)
    analyst = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=analyst, compartment=mine, role=Role.ANALYST)
    client = Client()
    log_in(client, analyst)
    text = _exported_csv(client)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["event_ref"] for r in rows} >= {f"docket-{made.pk}"}
    assert f"docket-{stranger.pk}" not in text

    again = import_csv(io.StringIO(text), mine, actor=None, dry_run=False)
    assert again.errors == []
    assert (again.events_created, again.events_updated, again.acts_created) == (0, 0, 0)
    assert again.acts_unchanged == 3
    assert Event.objects.filter(compartment=mine).count() == 3

    # In another compartment, `docket-N` never reaches this one's event N.
    elsewhere = import_csv(io.StringIO(text), other, actor=None, dry_run=False)
    assert elsewhere.events_created == 3
    assert Event.objects.get(pk=stranger.pk).title == "Not theirs"


def test_acts_made_in_a_form_come_back_unchanged_with_every_perpetrator(db: None) -> None:
    from docket.register import history
    from docket.register.models import Involvement, Person, Term, Unit

    mine = Compartment.objects.create(name="okrestina")
    event = history.save(Event(compartment=mine, title="Beatings in the yard"), actor=None)
    beating = Term.objects.get(vocabulary="act_type", code="20.10")
    act = history.save(Act(event=event, compartment=mine, act_type=beating), actor=None)
    carried_out = Term.objects.get(vocabulary="involvement_degree", code="10")
    ordered = Term.objects.get(vocabulary="involvement_degree", code="20")
    officer = history.save(Person(compartment=mine, display_name="Ofitser Adin"), actor=None)
    officer.identifiers.create(kind="badge number", value="0417")
    commander = history.save(Person(compartment=mine, display_name="Kamandzir Dva"), actor=None)
    unit = history.save(Unit(compartment=mine, name="OMON, Minsk"), actor=None)
    for person, degree, confidence in (
        (officer, carried_out, "probable"), (commander, ordered, "alleged"),
    ):  # fmt: skip
        history.save(
            Involvement(act=act, compartment=mine, person=person, unit=unit, degree=degree,
                        confidence=confidence),
            actor=None,
        )  # fmt: skip
    analyst = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=analyst, compartment=mine, role=Role.ANALYST)
    client = Client()
    log_in(client, analyst)
    text = _exported_csv(client)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["act_ref"] == f"docket-act-{act.pk}"
    assert row["perpetrator"] == "Ofitser Adin;Kamandzir Dva"
    assert (row["badge_number"], row["unit"]) == ("0417;", "OMON, Minsk;OMON, Minsk")
    assert (row["degree"], row["confidence"]) == ("10;20", "probable;alleged")

    again = import_csv(io.StringIO(text), mine, actor=None, dry_run=False)
    assert again.errors == []
    assert (again.events_created, again.events_updated, again.acts_created) == (0, 0, 0)
    assert again.acts_unchanged == 1 and Act.objects.count() == 1

    # Another compartment gets a copy with both perpetrators.
    copy = Compartment.objects.create(name="copy")
    copied = import_csv(io.StringIO(text), copy, actor=None, dry_run=False)
    assert (copied.events_created, copied.acts_created) == (1, 1)
    involved = Involvement.objects.filter(compartment=copy).order_by("id")
    assert [(i.person.display_name, i.degree.code, i.confidence) for i in involved] == [
        ("Ofitser Adin", "10", "probable"), ("Kamandzir Dva", "20", "alleged"),
    ]  # fmt: skip

    # A row changed in the spreadsheet is not silently dropped: it is refused, with the reason.
    changed = text.replace("Kamandzir Dva", "Kamandzir Try")
    refused = import_csv(io.StringIO(changed), mine, actor=None, dry_run=False)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "act_ref")]
    assert "correct it on its event's page" in refused.errors[0].message
    # Nor is a row that moves the act to another event.
    moved = text.replace(f"docket-{event.pk},", "another-event,")
    refused = import_csv(io.StringIO(moved), mine, actor=None, dry_run=True)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "act_ref")]


@pytest.mark.slow
def test_an_xlsx_export_imports_like_the_csv_and_a_hostile_workbook_is_refused(
    db: None, settings: Any, sandbox_dir: Path, tmp_path: Path
) -> None:
    """A workbook is read in the sandbox (docket/lib/sheet.py): the XLSX export comes back
    unchanged into its compartment; a zip that is no workbook, a workbook with an entity bomb
    and one over the size cap are refused with a reason, and nothing is written."""
    import zipfile

    from docket.register.csv_import import read_upload

    settings.SANDBOX_DIR = sandbox_dir
    mine = Compartment.objects.create(name="okrestina")
    import_csv(TEMPLATE.open(encoding="utf-8"), mine, actor=None, dry_run=False)
    analyst = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=analyst, compartment=mine, role=Role.ANALYST)
    client = Client()
    log_in(client, analyst)
    book = b"".join(client.get("/register/events/export.xlsx").streaming_content)

    again = import_csv(read_upload(book), mine, actor=None, dry_run=False)
    assert again.errors == [] and again.rows == 3
    assert (again.events_created, again.events_updated, again.acts_created) == (0, 0, 0)
    assert again.acts_unchanged == 3

    not_a_book = io.BytesIO()
    with zipfile.ZipFile(not_a_book, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValueError, match="the workbook cannot be imported: not a workbook"):
        read_upload(not_a_book.getvalue())

    # The same workbook with an entity that expands a billion times in its shared strings.
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(bomb, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.endswith(".xml") and b"<sheetData" in data:
                lol = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 9))
                doctype = f'<!DOCTYPE worksheet [<!ENTITY l0 "lol">{lol}]>'.encode()
                data = doctype + data.replace(b"<sheetData>", b"<sheetData>&l8;", 1)
            target.writestr(entry, data)
    with pytest.raises(ValueError, match=r"not a workbook Docket can read \(\w*(Entities|DTD)"):
        read_upload(bomb.getvalue())

    with pytest.raises(ValueError, match="larger than 20 MB"):
        read_upload(b"PK\x03\x04" + bytes(21 * 1024**2))
    assert Event.objects.filter(compartment=mine).count() == 2


def test_the_generated_register_comes_back_unchanged_through_its_export(db: None) -> None:
    """The demo's register (events, acts and perpetrators made as the pages make them) exports
    and imports into its own compartment without a copy, a change or an error."""
    from docket.register.generate import Generator

    mine = Compartment.objects.create(name="okrestina")
    Generator(mine, seed=11).run(events=25, persons=40)
    before = (Event.objects.count(), Act.objects.count())
    analyst = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=analyst, compartment=mine, role=Role.ANALYST)
    client = Client()
    log_in(client, analyst)
    text = _exported_csv(client)

    again = import_csv(io.StringIO(text), mine, actor=None, dry_run=False)
    assert again.errors == []
    assert (again.events_created, again.events_updated, again.acts_created) == (0, 0, 0)
    assert again.acts_unchanged == Act.objects.filter(compartment=mine).count() > 0
    assert (Event.objects.count(), Act.objects.count()) == before
