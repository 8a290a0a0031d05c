"""What `thumbnails` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

from docket.enrich import frames
from docket.enrich.base import Context, Outcome, program_version
from docket.enrich.enrichers.thumbnails import DECLARATION
from docket.enrich.models import Derivative

THUMBNAIL_SIDE = 320
KEYFRAME_SIDE = 1280
SHEET_TILE = 320


def enrich(context: Context) -> Outcome:
    box, name = context.box, context.original.name
    outcome = Outcome("ffmpeg", _version())
    if context.kind == "picture":
        frames.grab(box, name, None, "thumbnail.jpg", side=THUMBNAIL_SIDE)
        context.derive(box.output("thumbnail.jpg"), Derivative.Kind.THUMBNAIL, tool="ffmpeg")
        return outcome
    times = frames.keyframe_times(frames.video_duration(box, name))
    for n, at in enumerate(times, start=1):
        frames.grab(box, name, at, f"keyframe-{n}.jpg", side=KEYFRAME_SIDE)
        context.derive(
            box.output(f"keyframe-{n}.jpg"), Derivative.Kind.KEYFRAME, position=at, tool="ffmpeg"
        )
    middle = (len(times) + 1) // 2
    frames.grab(box, f"keyframe-{middle}.jpg", None, "thumbnail.jpg", side=THUMBNAIL_SIDE)
    context.derive(box.output("thumbnail.jpg"), Derivative.Kind.THUMBNAIL, tool="ffmpeg")
    columns = min(3, len(times))
    rows = (len(times) + columns - 1) // columns
    box.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", "keyframe-%d.jpg",
         "-vf", f"scale={SHEET_TILE}:-2,tile={columns}x{rows}:padding=4",
         "-frames:v", "1", "-y", "sheet.jpg"]
    )  # fmt: skip
    context.derive(box.output("sheet.jpg"), Derivative.Kind.CONTACT_SHEET, tool="ffmpeg")
    return outcome


def _version() -> str:
    return program_version(DECLARATION.version_argv).removeprefix("ffmpeg version ").split()[0]
