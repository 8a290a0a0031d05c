"""Where to cut a long recording for speech-to-text: at the quietest moment of each stretch.

Whisper hears 30 seconds at a time. A recording of an hour is cut into pieces of at most
`longest` seconds, each ending at the quietest point (lowest energy over a short frame, averaged
with its neighbours so that a pause wins over a single quiet frame inside a word) between
`shortest` and `longest` seconds after the piece began. Cutting in a pause keeps words whole;
pieces of known length let the transcript come piece by piece, with progress.
"""

from __future__ import annotations

import numpy

#: 20 ms frames at 16 kHz.
FRAME = 320
#: Frames averaged around each one (100 ms).
SMOOTHING = 5


def energy(samples: numpy.ndarray, frame: int = FRAME) -> numpy.ndarray:
    """Mean square of each whole frame (a last partial frame is left out)."""
    count = len(samples) // frame
    frames = numpy.asarray(samples[: count * frame], dtype=numpy.float32).reshape(count, frame)
    power = numpy.einsum("ij,ij->i", frames, frames, dtype=numpy.float64) / frame
    if count >= SMOOTHING:
        power = numpy.convolve(power, numpy.ones(SMOOTHING) / SMOOTHING, mode="same")
    return power


def pieces(
    samples: numpy.ndarray,
    rate: int = 16000,
    *,
    longest: float = 30.0,
    shortest: float = 20.0,
    frame: int = FRAME,
) -> list[tuple[int, int]]:
    """(start, end) sample offsets that cover the recording in order, each piece at most
    `longest` seconds, each cut but the last at the quietest frame's middle that lies between
    `shortest` and `longest` seconds after its piece began."""
    total = len(samples)
    most, least = int(longest * rate), int(shortest * rate)
    if not 0 < least <= most or most < frame:
        raise ValueError("need 0 < shortest <= longest, and longest of a frame at least")
    power = energy(samples, frame)
    cuts: list[tuple[int, int]] = []
    start = 0
    while total - start > most:
        # Frames whose middle falls within [start + least, start + most].
        first = max(0, -(-(start + least - frame // 2) // frame))
        last = min((start + most - frame // 2) // frame, len(power) - 1)
        if last < first:  # a window narrower than a frame: cut at the longest
            end = start + most
        else:
            quietest = first + int(numpy.argmin(power[first : last + 1]))
            end = quietest * frame + frame // 2
        cuts.append((start, end))
        start = end
    if start < total or not cuts:
        cuts.append((start, total))
    return cuts
