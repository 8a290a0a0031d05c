"""Read every capture's time again from its tools' raw output, in the order of
docket/enrich/clocks.py (a clock with an offset, the GPS clock, a local clock read in
DOCKET_TIME_ZONE), keeping the clock's digits and the zone used. Before this a clock without an
offset was stored as if it were UTC. A capture whose raw output is empty (an original from the
public intake, whose raw output is never kept) keeps what it has."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations


def reread(apps: Any, schema_editor: Any) -> None:
    from docket.enrich import clocks

    Capture = apps.get_model("enrich", "Capture")
    zone = settings.DOCKET_TIME_ZONE
    for capture in Capture.objects.exclude(raw={}).iterator():
        raw = capture.raw or {}
        exif, probe = raw.get("exiftool") or {}, raw.get("ffprobe") or {}
        if not exif and not probe:
            continue
        for name, value in clocks.read(exif, probe, zone).items():
            setattr(capture, name, value)
        capture.save(
            update_fields=[
                "taken_at", "time_zone", "time_evidence", "clock", "clock_zone", "zone_assumed"
            ]
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("enrich", "0005_capture_clocks")]

    operations = [migrations.RunPython(reread, migrations.RunPython.noop)]
