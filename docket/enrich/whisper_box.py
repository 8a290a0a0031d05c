"""The speech model's own process: it runs in a sandbox box of its own for as long as its
worker lives (docket/enrich/whisper.py starts it), loads the model once, and transcribes the
raw samples the worker sends. It never sees a file of the recording: ffmpeg decoded that in
another box. No Django here; it talks over stdin and stdout only.

    python -m docket.enrich.whisper_box MODEL_DIR DEVICE COMPUTE_TYPE THREADS

Started, it answers {"ready": true} once the model is loaded. Then, for each request — a JSON
line {"samples": N, "language": "be" or null, "fallback": "ru" or null, "beam_size": 5,
"best_of": 1} followed by N float32 samples at 16 kHz, little-endian — it answers JSON lines:
{"language", "probability"} (detected among be/ru/en when none was given, its probability among
those three — the fallback instead when that is under MIN_PROBABILITY, as for a piece with few
words; probability null when given), then one {"start", "end", "text"} per segment as soon as
it is transcribed, then {"done": true, "cpu_seconds"}, its CPU time so far. A request it cannot
serve gets {"error": "..."} instead; a malformed header ends it.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
from collections.abc import Callable
from typing import IO, Any

import numpy

LANGUAGES = ("be", "ru", "en")
#: Below this (its share of the three's probability), a piece's detected language is not
#: trusted over the fallback (the last piece's).
MIN_PROBABILITY = 0.6
#: The most samples one request may carry (10 minutes; the worker sends 30 s at most).
MAX_SAMPLES = 16000 * 600


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def say(out: IO[bytes], message: dict[str, Any]) -> None:
    out.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
    out.flush()


def read_exactly(source: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = source.read(left)
        if not chunk:
            raise EOFError(f"{size - left} of {size} bytes of samples came")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def detect(model: Any, samples: numpy.ndarray) -> tuple[str, float]:
    """The likeliest of be/ru/en, with its probability among those three: detected on the
    piece's first 30 s exactly as its transcription will encode them (faster-whisper's own
    detection takes one frame more), so that `remember_encoding` spares the second encoding."""
    features = model.feature_extractor(samples)
    frames = max(1, min(model.feature_extractor.nb_max_frames, features.shape[-1] - 1))
    _, _, ranked = model.detect_language(features=features[:, :frames])
    scores = dict(ranked)
    best = max(LANGUAGES, key=lambda code: scores.get(code, 0.0))
    among = sum(scores.get(code, 0.0) for code in LANGUAGES)
    return best, float(scores.get(best, 0.0) / among) if among > 0 else 0.0


def remember_encoding(model: Any) -> Callable[[], None]:
    """The model's encoder remembers its last input and output: a piece's language is detected
    from the same encoding of its first 30 s that its transcription then starts from, instead
    of encoding them twice (about a sixth of a piece's time on a CPU). Returns `forget`, which
    drops what it remembers: `serve` calls it after each request, so that nothing of one
    recording stays in the process past its request."""
    encode = model.encode
    last: list[Any] = [None, None]

    def encode_once(features: numpy.ndarray) -> Any:
        contiguous = numpy.ascontiguousarray(features)
        key = (contiguous.shape, contiguous.dtype.str, hashlib.sha256(contiguous.data).digest())
        if last[0] != key:
            last[:] = [key, encode(features)]
        return last[1]

    def forget() -> None:
        last[:] = [None, None]

    model.encode = encode_once
    return forget


def choose(model: Any, samples: numpy.ndarray, fallback: str | None) -> tuple[str, float]:
    """A piece's language: the likeliest of be/ru/en, or `fallback` when that is unsure."""
    language, probability = detect(model, samples)
    if probability < MIN_PROBABILITY and fallback in LANGUAGES:
        return str(fallback), probability
    return language, probability


def serve(
    model: Any, source: IO[bytes], out: IO[bytes], forget: Callable[[], None] = lambda: None
) -> None:
    while line := source.readline():
        header = json.loads(line)
        count = int(header["samples"])
        if not 0 < count <= MAX_SAMPLES:
            raise ValueError(f"a request of {count} samples (at most {MAX_SAMPLES})")
        samples = numpy.frombuffer(read_exactly(source, count * 4), dtype="<f4")
        language = header.get("language")
        beam, best_of = int(header.get("beam_size", 5)), int(header.get("best_of", 1))
        try:
            if language is None:
                language, probability = choose(model, samples, header.get("fallback"))
                say(out, {"language": language, "probability": probability})
            elif language in LANGUAGES:
                say(out, {"language": language, "probability": None})
            else:
                raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
            segments, _ = model.transcribe(
                samples, language=language, beam_size=beam, best_of=best_of
            )
            for segment in segments:
                say(out, {"start": segment.start, "end": segment.end, "text": segment.text})
        except Exception as exc:  # this request failed; the next may not
            say(out, {"error": f"{type(exc).__name__}: {exc}"[:1000]})
            continue
        finally:
            forget()
        say(out, {"done": True, "cpu_seconds": round(cpu_seconds(), 3)})


def main(argv: list[str]) -> None:
    path, device, compute_type, threads = argv
    # Answers go to the pipe the worker reads; anything a library prints goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    from faster_whisper import WhisperModel

    model = WhisperModel(
        path, device=device, compute_type=compute_type, cpu_threads=int(threads),
        local_files_only=True,
    )  # fmt: skip
    forget = remember_encoding(model)
    say(out, {"ready": True, "cpu_seconds": round(cpu_seconds(), 3)})
    serve(model, sys.stdin.buffer, out, forget)


if __name__ == "__main__":
    main(sys.argv[1:])
