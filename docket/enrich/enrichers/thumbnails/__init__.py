"""A thumbnail for every picture and video; for videos also keyframes spread over the whole
recording and a contact sheet of them (ffmpeg). Each is a vault item of its own."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="thumbnails",
    summary="thumbnails; keyframes and a contact sheet for videos (ffmpeg)",
    kinds=("picture", "video"),
    outputs=("Derivative: thumbnail, keyframe, contact-sheet",),
    programs=("ffmpeg", "ffprobe"),
    version_argv=("ffmpeg", "-version"),
    before_triage=True,
    quick=("picture",),
)
