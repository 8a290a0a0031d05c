"""Reading pictures and frames through ffmpeg in the sandbox: shared by the thumbnail and PDQ
enrichers, which must agree on where a video's keyframes are."""

from __future__ import annotations

import json

from docket.enrich.base import NotApplicable
from docket.lib.sandbox import Box

KEYFRAMES = 6
#: Frames are decoded to this many pixels a side for PDQ.
PDQ_SIDE = 512


def video_duration(box: Box, name: str) -> float:
    """Seconds of the first video stream; NotApplicable for a file with no picture."""
    done = box.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=codec_type,duration:format=duration", "-print_format", "json", name]
    )  # fmt: skip
    probe = json.loads(done.stdout)
    if not probe.get("streams"):
        raise NotApplicable("no video stream")
    for value in (probe["streams"][0].get("duration"), probe.get("format", {}).get("duration")):
        try:
            return max(0.0, float(value))
        except (TypeError, ValueError):
            continue
    return 0.0


def keyframe_times(duration: float) -> list[float]:
    """Evenly spread frame times, never the very first frame (often black) nor past the end."""
    if duration <= 0:
        return [0.0]
    count = KEYFRAMES if duration >= KEYFRAMES else max(1, int(duration))
    return [round(duration * (n + 0.5) / count, 3) for n in range(count)]


def grab(box: Box, name: str, at: float | None, out: str, *, side: int) -> None:
    """One frame (a picture's only one, or a video's at `at` seconds) scaled to fit `side`."""
    seek = ["-ss", f"{at:.3f}"] if at is not None else []
    box.run(
        ["ffmpeg", "-nostdin", "-v", "error", *seek, "-i", name, "-frames:v", "1",
         "-vf", f"scale={side}:{side}:force_original_aspect_ratio=decrease", "-y", out]
    )  # fmt: skip


def rgb(box: Box, name: str, at: float | None) -> bytes:
    """Raw RGB pixels of one frame at PDQ_SIDE x PDQ_SIDE (PDQ ignores the aspect ratio: it
    reduces every picture to 64x64 luminance anyway)."""
    seek = ["-ss", f"{at:.3f}"] if at is not None else []
    return box.run(
        ["ffmpeg", "-nostdin", "-v", "error", *seek, "-i", name, "-frames:v", "1",
         "-vf", f"scale={PDQ_SIDE}:{PDQ_SIDE}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    ).stdout  # fmt: skip
