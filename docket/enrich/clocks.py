"""When a picture or recording was made, from the clocks its metadata holds (docs/enrichment.md,
"Capture time").

In order, the first that a file has:
1. a clock with its offset: EXIF DateTimeOriginal with OffsetTimeOriginal (or CreateDate with
   OffsetTimeDigitized, or a date written with its offset), QuickTime's
   com.apple.quicktime.creationdate, and a recording's container creation time
   (`creation_time`, QuickTime CreateDate: UTC by the QuickTime specification);
2. the GPS date and time (UTC by the GPS specification, not assumed);
3. a local clock without an offset (EXIF DateTimeOriginal, CreateDate, XMP, PDF), read in a
   zone that is then assumed: an analyst's zone for the item, else for its import, else the
   instance's (DOCKET_TIME_ZONE). The item's page and every match say it was assumed.

The clock's digits as written (`clock`) and the zone read in (`clock_zone`) are kept, so a zone
set later — the instance's changed, an analyst's for one item or one import — reads them again
(`reread`) without the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from docket.lib import zones

if TYPE_CHECKING:
    from docket.enrich.models import Capture
    from docket.vault.models import Item

EXIF_TIME = re.compile(r"^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$")
#: The tag beside a clock that gives its offset.
OFFSET_OF = {
    "EXIF:DateTimeOriginal": "EXIF:OffsetTimeOriginal",
    "EXIF:CreateDate": "EXIF:OffsetTimeDigitized",
}
#: Where the time came from (Capture.time_evidence starts with one of these).
WITH_OFFSET, GPS, LOCAL = "offset", "gps", "local"

#: The zone an import says its files' clocks were set to (the ingest app adds its reader):
#: item -> an IANA name, or None.
IMPORT_ZONES: list[Callable[[Item], str | None]] = []


def add_import_zone(reader: Callable[[Item], str | None]) -> None:
    IMPORT_ZONES.append(reader)


#: The years a clock may say: before, "0000:00:00 00:00:00" of a camera with no clock set;
#: after, garbage, which an offset or a zone would carry past what a datetime holds.
YEARS = range(1900, 9999)


def _exif_time(value: Any) -> tuple[datetime, str] | None:
    match = EXIF_TIME.match(str(value or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if year not in YEARS:
        return None
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return moment, match.group(7) or ""


def _iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.year in YEARS else None


def _gps_time(exif: dict[str, Any]) -> datetime | None:
    date, time = exif.get("GPS:GPSDateStamp"), exif.get("GPS:GPSTimeStamp")
    if not date or time is None:
        return None
    try:
        year, month, day = (int(p) for p in str(date).split(":"))
        parts = [float(p) for p in str(time).split(":")]
        base = datetime(year, month, day, tzinfo=UTC)
        seconds = parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0]
        if year not in YEARS or not 0 <= seconds < 86401:  # 23:59:60, a leap second
            return None
        return base + timedelta(seconds=seconds)
    except (ValueError, OverflowError):  # "nan", "inf"
        return None


def _found(
    moment: datetime, clock: str, clock_zone: str, evidence: str, *, assumed: bool = False
) -> dict[str, Any]:
    return {
        "taken_at": moment.astimezone(UTC),
        "time_zone": zones.offset_text(moment),
        "time_evidence": evidence,
        "clock": str(clock).strip()[:40],
        "clock_zone": clock_zone,
        "zone_assumed": assumed,
    }


NOTHING: dict[str, Any] = {
    "taken_at": None, "time_zone": "", "time_evidence": "", "clock": "", "clock_zone": "",
    "zone_assumed": False,
}  # fmt: skip


def read(exif: dict[str, Any], probe: dict[str, Any], zone: str) -> dict[str, Any]:
    """The Capture's time columns from the tools' output; `zone` (an IANA name) is the one a
    clock without an offset is read in. Pure: tested with tables of tags."""
    tags = probe.get("format", {}).get("tags", {})
    # 1. A clock with its offset.
    for tag, offset_tag in (
        ("EXIF:DateTimeOriginal", "EXIF:OffsetTimeOriginal"),
        ("EXIF:CreateDate", "EXIF:OffsetTimeDigitized"),
        ("XMP:DateTimeOriginal", None),
        ("XMP:CreateDate", None),
        ("PDF:CreateDate", None),
    ):
        found = _exif_time(exif.get(tag))
        if not found:
            continue
        moment, inline = found
        offset = inline or str(exif.get(offset_tag or "", "") or "")
        fixed = zones.offset_zone(offset) if offset else None
        if fixed is not None:
            aware = moment.replace(tzinfo=fixed)
            said = f"{tag} with offset from {offset_tag if not inline else tag}"
            return _found(aware, exif[tag], zones.offset_text(aware), f"{WITH_OFFSET}: {said}")
    apple = tags.get("com.apple.quicktime.creationdate")
    if apple:
        parsed = _iso(apple)
        if parsed is not None and parsed.tzinfo is not None:
            return _found(
                parsed, apple, zones.offset_text(parsed),
                f"{WITH_OFFSET}: com.apple.quicktime.creationdate",
            )  # fmt: skip
    created = tags.get("creation_time")
    if created:
        parsed = _iso(created)
        if parsed is not None and parsed.year >= 1904 + 1:  # 1904: QuickTime's zero
            aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            return _found(
                aware, created, zones.offset_text(aware),
                f"{WITH_OFFSET}: container creation_time (UTC by the QuickTime specification; "
                "some cameras write local time there)",
            )  # fmt: skip
    for tag in ("QuickTime:CreateDate", "QuickTime:MediaCreateDate"):
        found = _exif_time(exif.get(tag))
        if found:
            moment, inline = found
            fixed = zones.offset_zone(inline) if inline else UTC
            aware = moment.replace(tzinfo=fixed)
            return _found(
                aware, exif[tag], zones.offset_text(aware),
                f"{WITH_OFFSET}: {tag} (UTC by the QuickTime specification)",
            )  # fmt: skip
    # 2. The GPS clock: UTC by definition.
    gps = _gps_time(exif)
    if gps is not None:
        clock = f"{exif.get('GPS:GPSDateStamp')} {exif.get('GPS:GPSTimeStamp')}"
        return _found(gps, clock, "UTC", f"{GPS}: GPS:GPSDateStamp/GPSTimeStamp (UTC)")
    # 3. A local clock without an offset, read in the zone given: assumed.
    for tag in (
        "EXIF:DateTimeOriginal", "EXIF:CreateDate", "XMP:DateTimeOriginal", "XMP:CreateDate",
        "PDF:CreateDate",
    ):  # fmt: skip
        found = _exif_time(exif.get(tag))
        if found:
            unread = str(exif.get(OFFSET_OF.get(tag, ""), "") or "").strip()
            said = (
                f"the camera's clock with an offset that could not be read ({unread[:20]})"
                if unread
                else "the camera's clock without a zone"
            )
            return local(exif[tag], zone, f"{LOCAL}: {tag}, {said}")
    return dict(NOTHING)


def local(clock: str, zone: str, evidence: str) -> dict[str, Any]:
    """A clock's digits without an offset read in `zone` (assumed)."""
    found = _exif_time(clock)
    if found is None:
        return dict(NOTHING)
    place: tzinfo = zones.zone_named(zone)
    aware = zones.localise(found[0], place)
    return _found(aware, clock, zone, evidence, assumed=True)


def zone_for(item: Item, capture: Capture | None = None) -> str:
    """The zone a clock without an offset is read in: the analyst's for this item, else its
    import's, else the instance's."""
    if capture is not None and capture.zone_set:
        return capture.zone_set
    for reader in IMPORT_ZONES:
        found = reader(item)
        if found:
            return found
    return zones.instance_zone().key


def reread(capture: Capture, zone: str | None = None) -> bool:
    """Read an assumed clock again in the zone that applies now; True when the time changed.
    A clock with an offset or from the GPS stays as it is."""
    if not capture.zone_assumed or not capture.clock:
        return False
    wanted = zone or zone_for(capture.item, capture)
    if wanted == capture.clock_zone:
        return False
    evidence = capture.time_evidence or f"{LOCAL}: the camera's clock without a zone"
    fields = local(capture.clock, wanted, evidence)
    if fields["taken_at"] is None:
        return False
    changed = fields["taken_at"] != capture.taken_at
    for name, value in fields.items():
        setattr(capture, name, value)
    capture.save(update_fields=list(fields))
    return changed


def reread_stale() -> int:
    """Captures whose clock was read in an instance zone that is no longer the instance's
    (DOCKET_TIME_ZONE changed), read again; how many."""
    from docket.enrich.models import Capture

    current = zones.instance_zone().key
    stale = Capture.objects.filter(zone_assumed=True, zone_set="").exclude(clock="")
    count = 0
    for capture in stale.exclude(clock_zone=current).select_related("item"):
        if zone_for(capture.item, capture) != capture.clock_zone and reread(capture):
            count += 1
    return count
