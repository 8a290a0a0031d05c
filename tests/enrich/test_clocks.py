"""Capture time: a clock with an offset first, then the GPS clock (UTC), then a local clock read
in an assumed zone (an analyst's for the item, its import's, the instance's), which the item's
page says; the digits and the zone are kept, so a zone set later reads them again."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from docket.enrich import clocks
from docket.enrich.models import Capture
from docket.ingest.models import Batch, BatchItem
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.personas import Team, log_in

LOCAL = {"EXIF:DateTimeOriginal": "2020:08:10 23:40:00"}
GPS = {"GPS:GPSDateStamp": "2020:08:10", "GPS:GPSTimeStamp": "20:41:30"}


@pytest.mark.parametrize(
    ("exif", "probe", "taken", "assumed", "source"),
    [
        # 1. A clock with its offset, however it is written.
        ({**LOCAL, "EXIF:OffsetTimeOriginal": "+03:00", **GPS}, {},
         datetime(2020, 8, 10, 20, 40, tzinfo=UTC), False, "offset"),
        ({"XMP:DateTimeOriginal": "2020:08:10 23:40:00+02:00"}, {},
         datetime(2020, 8, 10, 21, 40, tzinfo=UTC), False, "offset"),
        ({}, {"format": {"tags": {"creation_time": "2020-08-10T20:40:05.000000Z"}}},
         datetime(2020, 8, 10, 20, 40, 5, tzinfo=UTC), False, "offset"),
        ({}, {"format": {"tags": {"com.apple.quicktime.creationdate": "2020-08-10T23:40:05+0300"}}},
         datetime(2020, 8, 10, 20, 40, 5, tzinfo=UTC), False, "offset"),
        ({"QuickTime:CreateDate": "2020:08:10 20:40:00"}, {},
         datetime(2020, 8, 10, 20, 40, tzinfo=UTC), False, "offset"),
        # 2. The GPS clock (UTC) beats a local clock without an offset.
        ({**LOCAL, **GPS}, {}, datetime(2020, 8, 10, 20, 41, 30, tzinfo=UTC), False, "gps"),
        # 3. A local clock alone: read in the zone given, and said to be assumed.
        (LOCAL, {}, datetime(2020, 8, 10, 20, 40, tzinfo=UTC), True, "local"),
        ({"EXIF:DateTimeOriginal": "0000:00:00 00:00:00"}, {}, None, False, ""),
        # 4. Garbage is no time, not an error: a year past what an offset can carry, a GPS
        # clock of 100 hours or of "nan".
        ({"EXIF:DateTimeOriginal": "9999:12:31 23:59:59", "EXIF:OffsetTimeOriginal": "-14:00"},
         {}, None, False, ""),
        ({"XMP:DateTimeOriginal": "9999:12:31 23:59:59-05:00"}, {}, None, False, ""),
        ({}, {"format": {"tags": {"com.apple.quicktime.creationdate": "9999-12-31T23:59:59-0500"}}},
         None, False, ""),
        ({"GPS:GPSDateStamp": "9999:12:31", "GPS:GPSTimeStamp": "100:40:39"}, {}, None, False, ""),
        ({"GPS:GPSDateStamp": "2020:08:10", "GPS:GPSTimeStamp": "nan"}, {}, None, False, ""),
        ({"GPS:GPSDateStamp": "2020:08:10", "GPS:GPSTimeStamp": "inf"}, {}, None, False, ""),
        ({**LOCAL, "GPS:GPSDateStamp": "2020:08:10", "GPS:GPSTimeStamp": "25:00:00"}, {},
         datetime(2020, 8, 10, 20, 40, tzinfo=UTC), True, "local"),
    ],
)  # fmt: skip
def test_the_clock_is_taken_in_order(
    exif: dict[str, Any], probe: dict[str, Any], taken: datetime | None, assumed: bool,
    source: str,
) -> None:  # fmt: skip
    found = clocks.read(exif, probe, "Europe/Minsk")
    assert found["taken_at"] == taken
    assert found["zone_assumed"] is assumed
    assert found["time_evidence"].startswith(source)


def test_a_local_clock_keeps_its_digits_and_zone_and_reads_across_dst() -> None:
    found = clocks.read(LOCAL, {}, "Europe/Minsk")
    assert (found["clock"], found["clock_zone"], found["time_zone"]) == (
        "2020:08:10 23:40:00", "Europe/Minsk", "+03:00"
    )  # fmt: skip
    summer = clocks.read(LOCAL, {}, "Europe/Berlin")
    winter = clocks.read({"EXIF:DateTimeOriginal": "2020:12:10 23:40:00"}, {}, "Europe/Berlin")
    assert summer["taken_at"] == datetime(2020, 8, 10, 21, 40, tzinfo=UTC)
    assert winter["taken_at"] == datetime(2020, 12, 10, 22, 40, tzinfo=UTC)
    # An offset that is no offset ("+99:00") leaves the clock read in the zone, and says so.
    odd = clocks.read({**LOCAL, "EXIF:OffsetTimeOriginal": "+99:00"}, {}, "Europe/Minsk")
    assert odd["zone_assumed"] and odd["taken_at"] == found["taken_at"]
    assert "an offset that could not be read (+99:00)" in odd["time_evidence"]


def a_capture(team: Team, exif: dict[str, Any]) -> Capture:
    item = store(io.BytesIO(json.dumps(exif).encode()), actor="t", compartment=team.a).item
    fields = clocks.read(exif, {}, "Europe/Minsk")
    return Capture.objects.create(item=item, raw={"exiftool": exif, "ffprobe": {}}, **fields)


def test_an_analyst_sets_the_zone_of_one_items_clock(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    capture = a_capture(team, LOCAL)
    with_offset = a_capture(team, {**LOCAL, "EXIF:OffsetTimeOriginal": "+03:00"})
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{capture.item_id}/").content.decode()
    assert "Zone assumed" in page and "2020:08:10 23:40:00" in page
    assert "2020-08-10 23:40:00 +03:00" in page
    # The offset shown is the assumed zone's, not one the file gave.
    assert "the file's own offset" not in page
    given = client.get(f"/vault/items/{with_offset.item_id}/").content.decode()
    assert "the file's own offset +03:00" in given
    # The list of items says the same time, in the same zone.
    assert "2020-08-10 23:40 +03:00" in client.get("/vault/items/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/vault/items/{capture.item_id}/clock-zone", {"zone": "Europe/Warsaw"}
        )
    assert answer.status_code == 302
    capture.refresh_from_db()
    assert capture.taken_at == datetime(2020, 8, 10, 21, 40, tzinfo=UTC)
    assert (capture.zone_set, capture.clock_zone, capture.zone_assumed) == (
        "Europe/Warsaw", "Europe/Warsaw", True
    )  # fmt: skip
    client.post(f"/vault/items/{capture.item_id}/clock-zone", {"zone": "Mars/Olympus"})
    capture.refresh_from_db()
    assert capture.zone_set == "Europe/Warsaw"  # refused, unchanged
    # A clock with its offset is not read again.
    client.post(f"/vault/items/{with_offset.item_id}/clock-zone", {"zone": "Europe/Warsaw"})
    with_offset.refresh_from_db()
    assert with_offset.taken_at == datetime(2020, 8, 10, 20, 40, tzinfo=UTC)
    outsider = Client()
    log_in(outsider, team.outsider)
    refused = outsider.post(f"/vault/items/{capture.item_id}/clock-zone", {"zone": "UTC"})
    assert refused.status_code == 404


def test_an_imports_zone_reads_its_items_clocks_again(team: Team) -> None:
    capture = a_capture(team, LOCAL)
    gps = a_capture(team, {**LOCAL, **GPS})
    batch = Batch.objects.create(
        source="files", label="phones", compartment=team.a, actor="t",
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    for one in (capture, gps):
        BatchItem.objects.create(batch=batch, item_id=one.item_id, path="x.jpg")
    out = io.StringIO()
    call_command("import", "zone", str(batch.pk), "Europe/London", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "batch": batch.pk, "time_zone": "Europe/London", "reread": 1
    }  # fmt: skip
    capture.refresh_from_db()
    gps.refresh_from_db()
    assert capture.taken_at == datetime(2020, 8, 10, 22, 40, tzinfo=UTC)  # British summer time
    assert capture.clock_zone == "Europe/London"
    assert gps.clock_zone == "UTC" and not gps.zone_assumed
    # A new item of that import is read in its zone.
    assert clocks.zone_for(Item.objects.get(pk=capture.item_id)) == "Europe/London"


def test_a_changed_instance_zone_reads_assumed_clocks_again(team: Team, settings: Any) -> None:
    capture = a_capture(team, LOCAL)
    settings.DOCKET_TIME_ZONE = "Europe/Berlin"
    assert clocks.reread_stale() == 1
    capture.refresh_from_db()
    assert capture.taken_at == datetime(2020, 8, 10, 21, 40, tzinfo=UTC)
    assert capture.clock_zone == "Europe/Berlin"
    assert clocks.reread_stale() == 0


def test_the_migration_reads_existing_captures_again_from_their_raw_output(team: Team) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("docket.enrich.migrations.0006_reread_captures")
    old = a_capture(team, LOCAL)
    Capture.objects.filter(pk=old.pk).update(
        taken_at=datetime(2020, 8, 10, 23, 40, tzinfo=UTC), clock="", clock_zone="",
        zone_assumed=False, time_zone="",
    )  # fmt: skip
    sealed_item = store(io.BytesIO(b"sealed"), actor="t", compartment=team.a).item
    kept = Capture.objects.create(
        item=sealed_item, raw={}, taken_at=datetime(2020, 8, 10, 23, 40, tzinfo=UTC)
    )
    migration.reread(apps, None)
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.taken_at == datetime(2020, 8, 10, 20, 40, tzinfo=UTC) and old.zone_assumed
    assert kept.taken_at == datetime(2020, 8, 10, 23, 40, tzinfo=UTC)  # nothing to read
