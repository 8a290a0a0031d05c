"""What `pdq` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

from importlib import metadata

import numpy
import pdqhash

from docket.enrich import frames, neardup
from docket.enrich.base import Context, Outcome
from docket.enrich.models import PerceptualHash
from docket.lib.sandbox import SandboxError


def hash_pixels(raw: bytes, side: int = frames.PDQ_SIDE) -> tuple[str, int]:
    """(256-bit hash as hex, quality 0 to 100) of square RGB pixels."""
    if len(raw) != side * side * 3:
        raise SandboxError(f"ffmpeg gave {len(raw)} bytes for a {side}x{side} frame")
    image = numpy.frombuffer(raw, dtype=numpy.uint8).reshape((side, side, 3))
    bits, quality = pdqhash.compute(image)
    packed = numpy.packbits(numpy.asarray(bits, dtype=numpy.uint8))
    return packed.tobytes().hex(), int(quality)


def distance(a: str, b: str) -> int:
    """Hamming distance of two PDQ hashes; 31 or less is the usual "same picture" bound."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def enrich(context: Context) -> Outcome:
    box, name = context.box, context.original.name
    times: list[float | None] = [None]
    if context.kind == "video":
        times = list(frames.keyframe_times(frames.video_duration(box, name)))
    rows = []
    for at in times:
        digest, quality = hash_pixels(frames.rgb(box, name, at))
        rows.append(PerceptualHash(item=context.item, at_seconds=at, pdq=digest, quality=quality))
    PerceptualHash.objects.filter(item=context.item).delete()
    PerceptualHash.objects.bulk_create(rows)
    neardup.queue_item(context.item)  # the same picture elsewhere in the compartment
    return Outcome("pdqhash", metadata.version("pdqhash"))
