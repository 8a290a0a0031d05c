"""`docket import csv`: every row error at once with its row and column, nothing written when
anything is wrong, and a second run of the same file adds nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from docket.accounts.models import AuditEvent, Compartment
from docket.register.csv_import import COLUMNS, import_csv
from docket.register.models import Act, Change, Event, Involvement, Person, Unit
from tests.support.instance import Instance

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "register-import-template.csv"


def table(*rows: dict[str, str]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    out.seek(0)
    return out


def good(ref: str = "e1", **changes: str) -> dict[str, str]:
    row = {
        "event_ref": ref, "event_title": "Detentions at a march (fictional)",
        "event_start": "2020-08-10", "place": "Гродна", "act_type": "10.10",
        "victim": "Вераніка Пырскал", "unit": "OMON, Grodno", "degree": "10",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def compartment(db: None) -> Compartment:
    return Compartment.objects.create(name="okrestina")


def test_the_template_imports_and_a_second_run_adds_nothing(compartment: Compartment) -> None:
    first = import_csv(TEMPLATE.open(encoding="utf-8"), compartment, actor=None, dry_run=False)
    assert first.errors == [] and first.rows == 3
    assert (first.events_created, first.acts_created) == (2, 3)
    yard = Event.objects.get(import_ref="2020-08-11-okrestina-yard")
    assert yard.acts.count() == 2 and yard.place.code == "facility.okrestina"
    officer = Involvement.objects.get(person__isnull=False).person
    assert officer.identifiers.get().value == "0417"
    assert Unit.objects.filter(compartment=compartment).count() == 2
    assert Change.objects.filter(model="act").count() == 3

    again = import_csv(TEMPLATE.open(encoding="utf-8"), compartment, actor=None, dry_run=False)
    assert (again.events_created, again.acts_created, again.acts_unchanged) == (0, 0, 3)
    assert Act.objects.count() == 3 and Person.objects.count() == 4


def test_every_error_is_reported_at_once_with_row_and_column(compartment: Compartment) -> None:
    report = import_csv(
        table(
            good("e1"),
            good("e2", act_type="99.99", event_start="10/08/2020"),
            good("e3", place="Atlantis", methods="10.10;nonsense", confidence="sure"),
            good("e4", event_title="", perpetrator="Someone", degree=""),
            good("e1", event_start="2020-08-11"),
        ),
        compartment, actor=None, dry_run=True,
    )  # fmt: skip
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "act_type"), (3, "event_start"),
        (4, "place"), (4, "methods"), (4, "confidence"),
        (5, "event_title"), (5, "degree"),
        (6, "event_start"),
    }  # fmt: skip
    message = next(e.message for e in report.errors if e.column == "act_type")
    assert "unknown type of act '99.99'" in message and "Vocabularies page" in message
    assert not any(".toml" in e.message or "docs/" in e.message for e in report.errors), (
        "errors name what a user sees, never a file of the repository"
    )
    assert "differs from row 2" in next(e.message for e in report.errors if e.row == 6)
    assert report.as_json()["rows"] == 5
    written = import_csv(
        table(good("e1"), good("e2", act_type="99.99")), compartment, actor=None, dry_run=False
    )
    assert written.errors and not Event.objects.exists(), "a file with errors writes nothing"


def test_a_missing_column_is_named(compartment: Compartment) -> None:
    report = import_csv(io.StringIO("event_ref,title\nx,y\n"), compartment, actor=None,
                        dry_run=True)  # fmt: skip
    assert {(e.row, e.column) for e in report.errors} == {(1, "event_title"), (1, "title")}


def test_labels_in_any_language_are_accepted(compartment: Compartment) -> None:
    report = import_csv(
        table(good("e1", act_type="Збіццё", injuries="Fracture;Гематомы и травмы мягких тканей")),
        compartment, actor=None, dry_run=False,
    )  # fmt: skip
    assert report.errors == []
    act = Act.objects.get()
    assert act.act_type.code == "20.10" and act.injuries.count() == 2


def test_the_command_prints_the_dry_run_report_as_json(instance: Instance, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(table(good("e1"), good("e2", act_type="nope")).getvalue(), encoding="utf-8")
    instance.run("compartments", "add", "okrestina")
    result = instance.run(
        "import", "csv", str(path), "--compartment", "okrestina", "--dry-run", "--json",
        check=False,
    )  # fmt: skip
    import json

    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["rows"] == 2 and [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "act_type")
    ]
    ok = instance.json("import", "csv", str(TEMPLATE), "--compartment", "okrestina", "--json")
    assert ok["errors"] == [] and ok["acts_created"] == 3


def test_the_import_page_checks_then_imports(compartment: Compartment) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from docket.accounts.models import Grant, Role, User
    from tests.support.personas import log_in

    analyst = User.objects.create_user("olga", password="x" * 20)
    Grant.objects.create(user=analyst, compartment=compartment, role=Role.ANALYST)
    client = Client()
    log_in(client, analyst)
    data = TEMPLATE.read_bytes()
    checked = client.post(
        "/register/import/",
        {"compartment": compartment.pk, "dry_run": "1",
         "file": SimpleUploadedFile("t.csv", data, "text/csv")},
    )  # fmt: skip
    assert "3 rows, no problems" in checked.content.decode() and not Event.objects.exists()
    done = client.post(
        "/register/import/",
        {"compartment": compartment.pk, "file": SimpleUploadedFile("t.csv", data, "text/csv")},
    )
    assert "2 events created" in done.content.decode() and Event.objects.count() == 2
    assert AuditEvent.objects.filter(action="register.import").count() == 2


def test_a_row_without_act_fields_is_an_event_without_acts(compartment: Compartment) -> None:
    only_event = {"event_ref": "e9", "event_title": "A search of a flat (fictional)",
                  "event_start": "2020-09-01", "place": "Гродна"}  # fmt: skip
    report = import_csv(table(only_event), compartment, actor=None, dry_run=False)
    assert report.errors == [] and (report.events_created, report.acts_created) == (1, 0)
    assert Event.objects.get(import_ref="e9").acts.count() == 0

    half = dict(only_event, event_ref="e10", victim="Вераніка Пырскал")
    refused = import_csv(table(half), compartment, actor=None, dry_run=True)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "act_type")]
    assert "describes an act" in refused.errors[0].message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2020-08-11T22:30+03:00", "2020-08-11T19:30:00+00:00"),
        ("2020-08-11T22:30:15+00:00", "2020-08-11T22:30:15+00:00"),
        # Without an offset: local time in DOCKET_TIME_ZONE (Europe/Minsk, +03:00).
        ("2020-08-11 22:30", "2020-08-11T19:30:00+00:00"),
        ("2020-08-11T22:30", "2020-08-11T19:30:00+00:00"),
        ("2020-08-10T23:40:00+03:00", "2020-08-10T20:40:00+00:00"),
        ("2020-08-10 23:40:00", "2020-08-10T20:40:00+00:00"),
        ("2020-08-10T20:40Z", "2020-08-10T20:40:00+00:00"),
        ("2020-08-10 20:40:30Z", "2020-08-10T20:40:30+00:00"),
    ],
)
def test_a_time_with_its_offset_is_read_as_the_same_instant(
    compartment: Compartment, written: str, expected: str
) -> None:
    report = import_csv(table(good("t", event_start=written)), compartment, actor=None,
                        dry_run=False)  # fmt: skip
    assert report.errors == []
    event = Event.objects.get(import_ref="t")
    assert (event.start.isoformat(), event.start_precision) == (expected, "exact")


@pytest.mark.parametrize("spelled", ["Акрэсціна", "Akrestsina", "Okrestina", "Окрестина"])
def test_a_place_is_found_by_any_of_its_spellings(compartment: Compartment, spelled: str) -> None:
    report = import_csv(table(good("p", place=spelled)), compartment, actor=None, dry_run=False)
    assert report.errors == []
    assert Event.objects.get(import_ref="p").place.code == "facility.okrestina"


def test_an_event_end_and_its_own_point_are_read_and_written_back(
    compartment: Compartment,
) -> None:
    from datetime import UTC, datetime

    from docket.register.csv_export import rows as exported

    row = good("corner", event_start="2020-08-10 23:40", event_end="2020-08-11",
               event_end_precision="day", latitude="53.8611", longitude="27.4472")  # fmt: skip
    report = import_csv(table(row), compartment, actor=None, dry_run=False)
    assert report.errors == []
    event = Event.objects.get(import_ref="corner")
    assert event.start == datetime(2020, 8, 10, 20, 40, tzinfo=UTC)
    # A date alone is its local midnight (Minsk, +03:00).
    assert (event.end, event.end_precision) == (datetime(2020, 8, 10, 21, 0, tzinfo=UTC), "day")
    assert (event.latitude, event.longitude) == (53.8611, 27.4472)
    [written] = list(exported(Event.objects.filter(pk=event.pk)))
    assert written["event_start"] == "2020-08-10T23:40+03:00"
    assert (written["event_end"], written["event_end_precision"]) == (
        "2020-08-11T00:00+03:00",
        "day",
    )
    assert (written["latitude"], written["longitude"]) == ("53.8611", "27.4472")
    again = import_csv(table(written), compartment, actor=None, dry_run=False)
    assert (again.errors, again.events_created, again.events_updated) == ([], 0, 0)


def test_a_wrong_end_or_point_is_reported_with_its_column(compartment: Compartment) -> None:
    report = import_csv(
        table(
            good("a", event_start="2020-08-11", event_end="2020-08-10 12:00"),
            good("b", latitude="53.9"),
            good("c", latitude="91", longitude="27.5"),
            good("d", event_end_precision="day"),
            good("e", latitude="5_3.9", longitude="2_7"),
            good("f", latitude="53,9", longitude="200"),
        ),
        compartment, actor=None, dry_run=True,
    )  # fmt: skip
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "event_end"), (3, "longitude"), (4, "latitude"), (5, "event_end_precision"),
        (6, "latitude"), (6, "longitude"), (7, "longitude"),
    ]  # fmt: skip
    assert report.errors[-1].message.endswith("such as 27.56")


def test_a_time_utc_cannot_hold_is_an_error_of_its_row(compartment: Compartment) -> None:
    # The first moment of year 1 in Minsk, or with an offset east of Greenwich, is before
    # 0001-01-01 in UTC; the last of 9999 west of it is after 9999-12-31: a clear error each.
    report = import_csv(
        table(
            good("a", event_start="0001-01-01T00:00+14:00"),
            good("b", event_start="9999-12-31T23:59-14:00"),
            good("c", event_start="0001-01-01 00:00"),
            good("d", event_start="0001"),
            good("e", event_end="9999-12-31T23:59:59-01:00"),
        ),
        compartment, actor=None, dry_run=True,
    )  # fmt: skip
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "event_start"), (3, "event_start"), (4, "event_start"), (5, "event_start"),
        (6, "event_end"),
    ]  # fmt: skip
    assert "is not a date" in report.errors[0].message
