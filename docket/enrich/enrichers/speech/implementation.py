"""What `speech` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import json
from importlib import metadata

import numpy
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from docket.analysis import silences
from docket.enrich import whisper
from docket.enrich.base import Context, NotApplicable, Outcome
from docket.enrich.models import Run, Segment, Transcript

SAMPLE_RATE = 16000


def enrich(context: Context) -> Outcome:
    samples = decode(context)
    path = whisper.model_dir()
    on, compute_type = whisper.device()
    model = whisper.model_process(path, on, compute_type)
    total = len(samples) / SAMPLE_RATE
    run = Run.objects.filter(item=context.item, enricher="speech")
    run.update(heard_seconds=0.0, total_seconds=total)
    try:
        language, probability, rows = transcribe(model, samples, run)
    finally:
        run.update(heard_seconds=None, total_seconds=None)
    # A re-run replaces the transcript at once; a failed one (above) left it as it was.
    with transaction.atomic():
        Transcript.objects.filter(item=context.item).delete()
        transcript = Transcript.objects.create(
            item=context.item,
            language=language,
            language_probability=probability,
            model=f"{whisper.model_label(path)} {whisper.fingerprint(path)}",
            device=on,
            duration_seconds=total,
            beam_size=settings.WHISPER_BEAM_SIZE,
            best_of=settings.WHISPER_BEST_OF,
        )
        Segment.objects.bulk_create(
            Segment(
                transcript=transcript, index=n, start=start, end=end, text=text, language=spoken
            )
            for n, (start, end, text, spoken) in enumerate(rows)
            if text
        )
    return Outcome("faster-whisper", metadata.version("faster-whisper"))


def transcribe(
    model: whisper.ModelProcess, samples: numpy.ndarray, run: QuerySet[Run]
) -> tuple[str, float, list[tuple[float, float, str, str]]]:
    """The recording piece by piece, cut in its pauses, each piece's language detected on its
    own (a recording often mixes Belarusian and Russian; a piece too unsure of its language
    keeps the last one's); segment times are the recording's; the run's row says how far it
    has got after each piece. The transcript's language is the one most seconds were heard
    in, with the mean probability of its pieces."""
    language: str | None = None
    seconds: dict[str, float] = {}
    probabilities: dict[str, list[float]] = {}
    rows: list[tuple[float, float, str, str]] = []
    for start, end in silences.pieces(samples, SAMPLE_RATE):
        offset = start / SAMPLE_RATE
        for answer in model.transcribe(
            samples[start:end],
            language=None,
            fallback=language,
            beam_size=settings.WHISPER_BEAM_SIZE,
            best_of=settings.WHISPER_BEST_OF,
        ):
            if "language" in answer:
                language = str(answer["language"])
                seconds[language] = seconds.get(language, 0.0) + (end - start) / SAMPLE_RATE
                probabilities.setdefault(language, []).append(float(answer["probability"]))
            else:
                assert language is not None
                text = answer["text"].strip()
                rows.append((offset + answer["start"], offset + answer["end"], text, language))
        run.update(heard_seconds=end / SAMPLE_RATE)
    main = max(seconds, key=lambda code: seconds[code])
    return main, sum(probabilities[main]) / len(probabilities[main]), rows


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
    decoded = box.output("sound.f32")
    count = decoded.stat().st_size // 4
    if count == 0:
        raise NotApplicable("no sound")
    # Mapped, not read: an hour of sound is 230 MB, and only a piece at a time is needed.
    return numpy.memmap(decoded, dtype="<f4", mode="r", shape=(count,))
