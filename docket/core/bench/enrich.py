"""`docket bench enrich`: the enrichment pipeline against the same tools run directly.

1. pipeline: N mixed files (pictures, and one-second videos with sound) made by ffmpeg, stored
   in a fresh instance, then enriched by `docket worker --until-idle --processes 2` with the
   metadata, thumbnail and PDQ enrichers (type detection always runs). Baseline in the same
   run: exiftool on every file, ffprobe on every video, and ffmpeg making the same thumbnails,
   keyframes and raw frames, two at a time. pipeline_ratio = the baseline's time / Docket's.
2. OCR: distinct rendered pages through the OCR enricher (one worker) against `tesseract` on
   the same pages with OMP_THREAD_LIMIT=1, as the sandbox runs it; ocr_ratio = Docket's pages
   per second / tesseract's. tesseract with its default OpenMP threads is reported beside it:
   on small machines it is several times slower than one thread.
3. speech: espeak-ng speech through the speech enricher (one worker, CPU):
   stt_realtime_cpu = worker seconds / seconds of audio (model loading included).
Everything runs in the sandbox as in production: the ratios show what isolation, encryption,
the queue and the database cost over the bare tools.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

SPOKEN = (
    "On the night of the tenth of August riot police detained people near the metro station. "
    "They were taken to the detention centre on Akrestsina street and held for three days. "
    "Witnesses said the officers wore no badges and refused to give their names. "
)


def _quiet(*argv: str, cwd: Path | None = None) -> None:
    subprocess.run(argv, check=True, capture_output=True, cwd=cwd, timeout=1800)


def make_files(target: Path, count: int) -> tuple[list[Path], list[Path]]:
    """About 70 % pictures and 30 % one-second videos, each distinct."""
    pictures_dir, videos_dir = target / "pictures", target / "videos"
    pictures_dir.mkdir(parents=True, exist_ok=True)
    videos_dir.mkdir(exist_ok=True)
    pictures = count * 7 // 10
    videos = count - pictures
    _quiet("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25",
           "-frames:v", str(pictures), "-q:v", "4", str(pictures_dir / "p-%05d.jpg"))  # fmt: skip
    _quiet("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
           f"testsrc2=size=320x240:rate=25:duration={videos}", "-f", "lavfi", "-i",
           f"sine=frequency=330:duration={videos}", "-c:v", "libx264", "-g", "25",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "segment", "-segment_time", "1",
           "-reset_timestamps", "1", str(videos_dir / "v-%05d.mp4"))  # fmt: skip
    return sorted(pictures_dir.iterdir()), sorted(videos_dir.iterdir())


DIRECTIVE = (
    "ПРИКАЗ № {n}",
    "командира отдельной бригады особого назначения",  # noqa: RUF001
    "г. Минск, 9 августа 2020 г.",  # noqa: RUF001
    "1. Очистить площадь Независимости до полуночи.",
    "2. Задержанных доставлять на улицу Окрестина.",
    "3. Личные номера и нагрудные знаки не носить.",
    "Загад № {n} камандзіра асобнай брыгады",
    "Order {n}: clear the square before midnight.",
)


def make_pages(target: Path, count: int) -> list[Path]:
    """Distinct A4-shaped pages of typed text, one per file, rendered by ffmpeg."""
    target.mkdir(parents=True)
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    paths = []
    for n in range(1, count + 1):
        text_file = target / f"text-{n:03d}.txt"
        text_file.write_text("\n".join(line.format(n=n) for line in DIRECTIVE), encoding="utf-8")
        path = target / f"page-{n:03d}.png"
        _quiet("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=white:size=1654x2339",
               "-frames:v", "1", "-vf",
               f"drawtext=fontfile={font}:textfile={text_file}:fontsize=36:fontcolor=black:"
               "x=120:y=160:line_spacing=28",
               str(path))  # fmt: skip
        text_file.unlink()
        paths.append(path)
    return paths


def _baseline_one(path: Path, scratch: Path, video: bool) -> None:
    out = scratch / path.stem
    out.mkdir(exist_ok=True)
    _quiet("exiftool", "-json", "-n", "-G", str(path))
    scale = "scale=320:320:force_original_aspect_ratio=decrease"
    if not video:
        _quiet("ffmpeg", "-v", "error", "-y", "-i", str(path), "-frames:v", "1", "-vf", scale,
               str(out / "thumb.jpg"))  # fmt: skip
        _quiet("ffmpeg", "-v", "error", "-y", "-i", str(path), "-frames:v", "1",
               "-vf", "scale=512:512", "-f", "rawvideo", "-pix_fmt", "rgb24",
               str(out / "raw"))  # fmt: skip
        return
    _quiet("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           str(path))  # fmt: skip
    for n in range(1, 7):
        at = f"{(n - 0.5) / 6:.3f}"
        _quiet("ffmpeg", "-v", "error", "-y", "-ss", at, "-i", str(path), "-frames:v", "1",
               "-vf", "scale=1280:1280:force_original_aspect_ratio=decrease",
               str(out / f"k-{n}.jpg"))  # fmt: skip
        _quiet("ffmpeg", "-v", "error", "-y", "-ss", at, "-i", str(path), "-frames:v", "1",
               "-vf", "scale=512:512", "-f", "rawvideo", "-pix_fmt", "rgb24",
               str(out / f"raw-{n}"))  # fmt: skip
    _quiet("ffmpeg", "-v", "error", "-y", "-i", str(out / "k-%d.jpg"), "-vf",
           "scale=320:-2,tile=3x2:padding=4", "-frames:v", "1", str(out / "sheet.jpg"))  # fmt: skip


def _tesseract(pages: list[Path], threads: int | None) -> float:
    """Seconds for the tesseract CLI on every page; threads=None leaves OpenMP its default."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    if threads is not None:
        env["OMP_THREAD_LIMIT"] = str(threads)
    started = time.monotonic()
    for path in pages:
        subprocess.run(["tesseract", str(path), "stdout", "-l", "bel+rus+eng"], check=True,
                       capture_output=True, env=env, timeout=600)  # fmt: skip
    return time.monotonic() - started


def _instance(root: Path, enrichers: str) -> dict[str, str]:
    """A fresh instance in ROOT: the first is made by `docket init`, the others are copies of
    it made before anything was stored (migrating costs seconds and measures nothing)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env.update({
        "DOCKET_DATA_DIR": str(root),
        "DOCKET_VAULT_PASSPHRASE": "bench passphrase, not a secret",
        "DOCKET_ENRICH_ON_STORE": "true",
        "DOCKET_ENRICHERS": enrichers,
        "DOCKET_WHISPER_DEVICE": "cpu",
        "DOCKET_MODELS_DIR": str(root.parent / "models"),
    })  # fmt: skip
    blank = root.parent / "blank-instance"
    if not blank.exists():
        subprocess.run([sys.executable, "-m", "docket", "init", "--scrypt-work-factor", "10"],
                       env={**env, "DOCKET_DATA_DIR": str(blank)}, check=True,
                       capture_output=True)  # fmt: skip
    shutil.copytree(blank, root)
    return env


def _import_then_work(root: Path, enrichers: str, paths: list[Path], processes: int) -> float:
    env = _instance(root, enrichers)
    docket = [sys.executable, "-m", "docket"]
    subprocess.run([*docket, "import", "files", *map(str, paths), "--json"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    started = time.monotonic()
    subprocess.run([*docket, "worker", "--until-idle", "--processes", str(processes)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    seconds = time.monotonic() - started
    status = subprocess.run([*docket, "import", "status", "--json"], env=env, check=True,
                            capture_output=True).stdout  # fmt: skip
    progress = json.loads(status)["imports"][0]
    given = sum(1 if p.is_file() else sum(f.is_file() for f in p.rglob("*")) for p in paths)
    if progress["stored"] != given:  # identical inputs would be stored once and measure nothing
        raise RuntimeError(f"{given} files given but {progress['stored']} stored")
    if progress["runs"]["failed"]:
        raise RuntimeError(f"enrichment failed during the benchmark: {progress['failures'][:3]}")
    return seconds


def run(
    workdir: Path, *, files: int = 1000, pages: int = 10, speech_repeats: int = 2
) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = str(int(time.time()))
    base = workdir / f"enrich-{stamp}"
    pictures, videos = make_files(base / "files", files)

    # 1. The pipeline against exiftool, ffprobe and ffmpeg, two at a time.
    scratch = base / "baseline"
    scratch.mkdir()
    started = time.monotonic()
    jobs = [(p, False) for p in pictures] + [(v, True) for v in videos]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: _baseline_one(job[0], scratch, job[1]), jobs))
    baseline = time.monotonic() - started
    pipeline = _import_then_work(base / "pipeline", "metadata,thumbnails,pdq",
                                 [base / "files"], processes=2)  # fmt: skip

    # 2. OCR: rendered pages, one worker against one tesseract.
    page_paths = make_pages(base / "pages", pages)
    tesseract = _tesseract(page_paths, threads=1)  # as the sandbox runs it
    tesseract_default = _tesseract(page_paths, threads=None)
    docket_ocr = _import_then_work(base / "ocr", "ocr", [base / "pages"], processes=1)

    # 3. Speech-to-text on the CPU.
    speech_dir = base / "speech"
    speech_dir.mkdir()
    wav = speech_dir / "speech.wav"
    _quiet("espeak-ng", "-v", "en", "-w", str(wav), SPOKEN * speech_repeats)
    seconds_of_audio = float(
        subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                        "csv=p=0", str(wav)], capture_output=True, check=True).stdout
    )  # fmt: skip
    speech = _import_then_work(base / "stt", "speech", [wav], processes=1)

    return {
        "files": len(jobs),
        "pipeline_seconds": round(pipeline, 2),
        "baseline_seconds": round(baseline, 2),
        "pipeline_ratio": round(baseline / pipeline, 3),
        "ocr_pages": pages,
        "ocr_pages_per_second": round(pages / docket_ocr, 3),
        "tesseract_pages_per_second": round(pages / tesseract, 3),
        "ocr_ratio": round((pages / docket_ocr) / (pages / tesseract), 3),
        "tesseract_default_threads_pages_per_second": round(pages / tesseract_default, 3),
        "audio_seconds": round(seconds_of_audio, 1),
        "stt_seconds": round(speech, 2),
        "stt_realtime_cpu": round(speech / seconds_of_audio, 3),
    }
