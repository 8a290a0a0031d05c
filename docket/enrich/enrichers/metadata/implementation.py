"""What `metadata` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from docket.enrich import sealed
from docket.enrich.base import Context, Outcome, program_version
from docket.enrich.enrichers.metadata import DECLARATION
from docket.enrich.models import Capture

EXIF_TIME = re.compile(r"^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$")
BOX_TAGS = {
    "SourceFile", "File:FileName", "File:Directory", "File:FileModifyDate", "File:FileAccessDate",
    "File:FileInodeChangeDate", "File:FilePermissions",
}  # fmt: skip
ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/?$")


def enrich(context: Context) -> Outcome:
    exif = _exiftool(context)
    probe = _ffprobe(context) if context.kind in ("video", "audio") else {}
    fields = normalise(exif, probe)
    if sealed.from_intake(context.item):
        secret = {**sealed.identifying(exif, probe), **{k: fields[k] for k in sealed.PLACE}}
        kept = {**fields, **dict.fromkeys(sealed.PLACE), "raw": {}, "sealed": sealed.seal(secret)}
    else:
        kept = {**fields, "raw": {"exiftool": exif, "ffprobe": probe}, "sealed": None}
    Capture.objects.update_or_create(item=context.item, defaults=kept)
    tool = "exiftool+ffprobe" if probe else "exiftool"
    return Outcome(tool, program_version(DECLARATION.version_argv))


def _exiftool(context: Context) -> dict[str, Any]:
    done = context.box.run(
        ["exiftool", "-json", "-n", "-G", "-api", "LargeFileSupport=1", context.original.name]
    )
    found = json.loads(done.stdout)
    tags = found[0] if found else {}
    # The box's own name, dates and permissions say nothing about the file (the sender's name
    # was never kept).
    return {k: v for k, v in tags.items() if k not in BOX_TAGS and not k.startswith("ExifTool:")}


def _ffprobe(context: Context) -> dict[str, Any]:
    done = context.box.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         context.original.name]
    )  # fmt: skip
    probe: dict[str, Any] = json.loads(done.stdout)
    probe.get("format", {}).pop("filename", None)
    return probe


def normalise(exif: dict[str, Any], probe: dict[str, Any]) -> dict[str, Any]:
    """The Capture columns from the tools' output (pure: tested with tables of tags)."""
    fields: dict[str, Any] = {}
    fields.update(_time(exif, probe))
    fields.update(_place(exif, probe))
    fields["device"] = _device(exif, probe)
    fields.update(_size(exif, probe))
    return fields


def _exif_time(value: Any) -> tuple[datetime, str] | None:
    match = EXIF_TIME.match(str(value or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if year < 1900:
        return None  # "0000:00:00 00:00:00": a camera with no clock set
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return moment, match.group(7) or ""


def _offset(text: str) -> timezone | None:
    match = re.match(r"^([+-])(\d\d):(\d\d)$", text.strip())
    if text.strip() == "Z":
        return UTC
    if not match:
        return None
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    return timezone(-delta if match.group(1) == "-" else delta)


def _time(exif: dict[str, Any], probe: dict[str, Any]) -> dict[str, Any]:
    # 1. The camera's clock with the offset it wrote (EXIF 2.31 OffsetTimeOriginal).
    for tag, offset_tag in (
        ("EXIF:DateTimeOriginal", "EXIF:OffsetTimeOriginal"),
        ("EXIF:CreateDate", "EXIF:OffsetTimeDigitized"),
        ("XMP:DateTimeOriginal", None),
    ):
        found = _exif_time(exif.get(tag))
        if not found:
            continue
        moment, inline = found
        zone = _offset(inline or str(exif.get(offset_tag or "", "")))
        if zone is not None:
            aware = moment.replace(tzinfo=zone)
            evidence = f"{tag} with offset from {offset_tag if not inline else tag}"
            return _when(aware, _zone_text(aware), evidence)
        # 2. No offset: the GPS clock is UTC by definition, and beats a local clock.
        gps = _gps_time(exif)
        if gps is not None:
            return _when(gps, "", "GPS:GPSDateStamp/GPSTimeStamp (UTC); no local offset")
        naive = moment.replace(tzinfo=UTC)
        return _when(naive, "", f"{tag}: the camera's local clock, time zone unknown")
    gps = _gps_time(exif)
    if gps is not None:
        return _when(gps, "", "GPS:GPSDateStamp/GPSTimeStamp (UTC)")
    # 3. Recordings: QuickTime's creation time is UTC by its specification, but some cameras
    # write their local clock there, which the evidence says.
    apple = probe.get("format", {}).get("tags", {}).get("com.apple.quicktime.creationdate")
    if apple:
        parsed = _iso(apple)
        if parsed is not None and parsed.tzinfo is not None:
            return _when(parsed, _zone_text(parsed), "com.apple.quicktime.creationdate")
    created = probe.get("format", {}).get("tags", {}).get("creation_time")
    if created:
        parsed = _iso(created)
        if parsed is not None:
            return _when(
                parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC),
                "",
                "container creation_time (UTC by the QuickTime specification; "
                "some cameras write local time)",
            )
    for tag in ("QuickTime:CreateDate", "PDF:CreateDate", "XMP:CreateDate"):
        found = _exif_time(exif.get(tag))
        if found:
            moment, inline = found
            zone = _offset(inline) if inline else None
            if zone is not None:
                aware = moment.replace(tzinfo=zone)
                return _when(aware, _zone_text(aware), tag)
            return _when(moment.replace(tzinfo=UTC), "", f"{tag}, time zone unknown")
    return {"taken_at": None, "time_zone": "", "time_evidence": ""}


def _when(moment: datetime, zone: str, evidence: str) -> dict[str, Any]:
    return {"taken_at": moment.astimezone(UTC), "time_zone": zone, "time_evidence": evidence}


def _zone_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _gps_time(exif: dict[str, Any]) -> datetime | None:
    date, time = exif.get("GPS:GPSDateStamp"), exif.get("GPS:GPSTimeStamp")
    if not date or time is None:
        return None
    try:
        year, month, day = (int(p) for p in str(date).split(":"))
        parts = [float(p) for p in str(time).split(":")]
        base = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0]
    return base + timedelta(seconds=seconds)


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _place(exif: dict[str, Any], probe: dict[str, Any]) -> dict[str, Any]:
    lat, lon = exif.get("Composite:GPSLatitude"), exif.get("Composite:GPSLongitude")
    alt = exif.get("Composite:GPSAltitude")
    if lat is None or lon is None:
        tags = probe.get("format", {}).get("tags", {})
        text = tags.get("location") or tags.get("com.apple.quicktime.location.ISO6709") or ""
        match = ISO6709.match(str(text).strip())
        if match:
            lat, lon = match.group(1), match.group(2)
            alt = match.group(3)
    try:
        latitude, longitude = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {"latitude": None, "longitude": None, "altitude": None}
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude, longitude) == (0, 0):
        return {"latitude": None, "longitude": None, "altitude": None}
    try:
        altitude = float(alt) if alt is not None else None
    except (TypeError, ValueError):
        altitude = None
    return {"latitude": latitude, "longitude": longitude, "altitude": altitude}


def _device(exif: dict[str, Any], probe: dict[str, Any]) -> str:
    tags = probe.get("format", {}).get("tags", {})
    make = (
        exif.get("EXIF:Make")
        or exif.get("QuickTime:Make")
        or tags.get("com.apple.quicktime.make", "")
    )
    model = (
        exif.get("EXIF:Model")
        or exif.get("QuickTime:Model")
        or tags.get("com.apple.quicktime.model", "")
    )
    make, model = str(make or "").strip(), str(model or "").strip()
    if make and model.lower().startswith(make.lower()):
        make = ""
    return " ".join(p for p in (make, model) if p)[:200]


def _size(exif: dict[str, Any], probe: dict[str, Any]) -> dict[str, Any]:
    width = exif.get("File:ImageWidth") or exif.get("EXIF:ExifImageWidth")
    height = exif.get("File:ImageHeight") or exif.get("EXIF:ExifImageHeight")
    duration = None
    for stream in probe.get("streams", []):
        if stream.get("codec_type") == "video" and stream.get("width"):
            width, height = stream["width"], stream["height"]
            break
    try:
        duration = float(probe["format"]["duration"])
    except (KeyError, TypeError, ValueError):
        duration = None
    composite = exif.get("Composite:ImageSize")
    if (width is None or height is None) and composite:
        parts = str(composite).replace("x", " ").split()
        if len(parts) == 2:
            width, height = parts
    try:
        return {
            "width": int(width) if width is not None else None,
            "height": int(height) if height is not None else None,
            "duration_seconds": duration,
        }
    except (TypeError, ValueError):
        return {"width": None, "height": None, "duration_seconds": duration}
