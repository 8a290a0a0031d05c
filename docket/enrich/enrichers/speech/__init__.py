"""Speech-to-text with faster-whisper for audio and video: the language is chosen among
Belarusian, Russian and English, and the transcript is kept as timed segments (downloadable as
SRT or WebVTT). ffmpeg decodes the recording in the sandbox to raw 16 kHz samples; the model
reads only those samples, here, and never sends anything anywhere."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="speech",
    summary="speech-to-text, be/ru/en (faster-whisper; GPU when present)",
    kinds=("video", "audio"),
    outputs=("Transcript", "Segment"),
    programs=("ffmpeg", "ffprobe"),
    searchable=True,
)
