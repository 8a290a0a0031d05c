"""A filtered list of events downloads as CSV or XLSX in the import's own columns, so an
export can be corrected in a spreadsheet and imported again."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.test import Client

from docket.accounts.models import AuditEvent, Compartment, Grant, Role, User
from docket.register.csv_import import COLUMNS, import_csv
from docket.register.models import Act, Event, Place
from tests.conftest import log_in

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
