"""What `metadata` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import json
import re
from typing import Any

from docket.enrich import clocks, media_leads, sealed
from docket.enrich.base import Context, Outcome, program_version
from docket.enrich.enrichers.metadata import DECLARATION
from docket.enrich.models import Capture

BOX_TAGS = {
    "SourceFile", "File:FileName", "File:Directory", "File:FileModifyDate", "File:FileAccessDate",
    "File:FileInodeChangeDate", "File:FilePermissions",
}  # fmt: skip
ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/?$")


def enrich(context: Context) -> Outcome:
    exif = _exiftool(context)
    probe = _ffprobe(context) if context.kind in ("video", "audio") else {}
    existing = Capture.objects.filter(item=context.item).first()
    fields = normalise(exif, probe, clocks.zone_for(context.item, existing))
    if sealed.from_intake(context.item):
        secret = {**sealed.identifying(exif, probe), **{k: fields[k] for k in sealed.PLACE}}
        kept = {**fields, **dict.fromkeys(sealed.PLACE), "raw": {}, "sealed": sealed.seal(secret)}
    else:
        kept = {**fields, "raw": {"exiftool": exif, "ffprobe": probe}, "sealed": None}
    Capture.objects.update_or_create(item=context.item, defaults=kept)
    media_leads.captured(context.item)
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


def normalise(exif: dict[str, Any], probe: dict[str, Any], zone: str) -> dict[str, Any]:
    """The Capture columns from the tools' output, a clock without an offset read in `zone`
    (pure: tested with tables of tags)."""
    fields: dict[str, Any] = {}
    fields.update(clocks.read(exif, probe, zone))
    fields.update(_place(exif, probe))
    fields["device"] = _device(exif, probe)
    fields.update(_size(exif, probe))
    return fields


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
