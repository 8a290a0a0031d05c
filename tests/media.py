"""Real media files made at test time with the programs Docket's users' files come from:
a JPEG photo and an MP4 video by ffmpeg, spoken words by espeak-ng in an Ogg Opus voice
message (as Telegram sends them), a PDF document."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

_SAMPLES = Path(__file__).resolve().parent.parent / "scripts" / "make_samples.py"


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120
    )


def jpeg(path: Path, size: str = "640x480") -> bytes:
    _ffmpeg("-f", "lavfi", "-i", f"testsrc=size={size}", "-frames:v", "1", str(path))
    return path.read_bytes()


def mp4(path: Path, seconds: int = 2) -> bytes:
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=25",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path.read_bytes()


def voice(path: Path, words: str) -> bytes:
    """`words` spoken by espeak-ng, as an Ogg Opus voice message."""
    wav = path.with_suffix(".wav")
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), words], check=True, timeout=60)
    _ffmpeg("-i", str(wav), "-c:a", "libopus", "-b:a", "24k", str(path))
    return path.read_bytes()


def pdf(text: str) -> bytes:
    spec = importlib.util.spec_from_file_location("make_samples", _SAMPLES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return bytes(module.pdf(text))
