"""What `speech` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import json
from importlib import metadata

import numpy
from django.db import transaction

from docket.enrich import whisper
from docket.enrich.base import Context, NotApplicable, Outcome
from docket.enrich.models import Segment, Transcript

LANGUAGES = ("be", "ru", "en")
SAMPLE_RATE = 16000


def enrich(context: Context) -> Outcome:
    samples = decode(context)
    path = whisper.model_dir()
    on, compute_type = whisper.device()
    model = whisper.model(str(path), on, compute_type)
    language, probability = detect_language(model, samples)
    segments, _ = model.transcribe(samples, language=language, beam_size=5)
    rows = [(s.start, s.end, s.text.strip()) for s in segments]
    with transaction.atomic():
        Transcript.objects.filter(item=context.item).delete()
        transcript = Transcript.objects.create(
            item=context.item,
            language=language,
            language_probability=probability,
            model=f"{whisper.model_label(path)} {whisper.fingerprint(path)}",
            device=on,
            duration_seconds=len(samples) / SAMPLE_RATE,
        )
        Segment.objects.bulk_create(
            Segment(transcript=transcript, index=n, start=start, end=end, text=text)
            for n, (start, end, text) in enumerate(rows)
            if text
        )
    return Outcome("faster-whisper", metadata.version("faster-whisper"))


def decode(context: Context) -> numpy.ndarray:
    box, name = context.box, context.original.name
    probe = json.loads(
        box.run(
            ["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries",
             "stream=index", "-print_format", "json", name]
        ).stdout
    )  # fmt: skip
    if not probe.get("streams"):
        raise NotApplicable("no sound")
    box.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", name, "-vn", "-ac", "1",
         "-ar", str(SAMPLE_RATE), "-f", "f32le", "-y", "sound.f32"]
    )  # fmt: skip
    samples = numpy.fromfile(box.output("sound.f32"), dtype=numpy.float32)
    if samples.size == 0:
        raise NotApplicable("no sound")
    return samples


def detect_language(model: object, samples: numpy.ndarray) -> tuple[str, float]:
    """The likeliest of be/ru/en, with its probability among all languages."""
    _, _, ranked = model.detect_language(samples)  # type: ignore[attr-defined]
    scores = dict(ranked)
    best = max(LANGUAGES, key=lambda code: scores.get(code, 0.0))
    return best, float(scores.get(best, 0.0))
