"""Capture time with its time-zone evidence, GPS position and device, from exiftool (every
picture, recording and PDF) and ffprobe (recordings), normalised into `Capture` columns the
register can match on. Metadata is what the file claims; the evidence column says which tag
said it, so an analyst can weigh it. For an original sent through the intake the raw output is
not kept and the position, serial number, owner and artist are sealed (docket/enrich/sealed.py);
it runs only once triage has moved such an item out of the intake compartment."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="metadata",
    summary="capture time, place and device (exiftool, ffprobe)",
    kinds=("picture", "video", "audio", "pdf"),
    outputs=("Capture",),
    programs=("exiftool", "ffprobe"),
    version_argv=("exiftool", "-ver"),
    quick=("picture", "video", "audio", "pdf"),
)
