"""Transcripts as SubRip (.srt) and WebVTT (.vtt) subtitles. Pure: no Django import."""

from __future__ import annotations

from collections.abc import Iterable


def _stamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt(segments: Iterable[tuple[float, float, str]]) -> str:
    blocks = []
    for number, (start, end, text) in enumerate(segments, start=1):
        blocks.append(f"{number}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{text.strip()}\n")
    return "\n".join(blocks)


def vtt(segments: Iterable[tuple[float, float, str]]) -> str:
    blocks = ["WEBVTT\n"]
    for start, end, text in segments:
        # "-->" inside a cue would end it early.
        cue = text.strip().replace("-->", "->")
        blocks.append(f"{_stamp(start, '.')} --> {_stamp(end, '.')}\n{cue}\n")
    return "\n".join(blocks)
