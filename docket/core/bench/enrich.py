"""`docket bench enrich`: the enrichment pipeline against the same tools run directly.

1. pipeline: N mixed files (pictures, and one-second videos with sound) made by ffmpeg, stored
   in a fresh instance, then enriched by `docket worker --until-idle --processes 2` with the
   metadata, thumbnail and PDQ enrichers (type detection always runs). Baseline in the same
   run: exiftool on every file, ffprobe on every video, and ffmpeg making the same thumbnails,
   keyframes and raw frames, two at a time. pipeline_ratio = the baseline's time / Docket's.
2. OCR: distinct rendered pages through the OCR enricher (one worker) against `tesseract` on
   the same pages with OMP_THREAD_LIMIT=1, as the sandbox runs it; ocr_ratio = Docket's pages
   per second / tesseract's. tesseract with its default OpenMP threads is reported beside it:
   on small machines it is several times slower than one thread. Then the same pages as one
   scanned PDF: ocr_document_ratio = pdftoppm rendering each page as Docket does and one
   tesseract (one thread) over them all, as Docket runs them in the document's one box, against
   Docket's worker.
3. speech: at least --speech-minutes (10) of espeak-ng speech, Belarusian, Russian and
   English segments with short pauses, as one file through the speech enricher (one worker,
   CPU); stt_speed_cpu = seconds of audio / worker seconds (model loading included), and
   stt_ratio = that / bare faster-whisper's over the same samples (same model, threads, beam,
   candidates and language handling, model loading included) in this process.
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

#: What the generated recording says, in turn, with each language's espeak-ng voice.
SPOKEN = {
    "be": (
        "У ноч на дзесятае жніўня амапаўцы затрымалі людзей каля станцыі метро. "  # noqa: RUF001
        "Іх адвезлі ў ізалятар на вуліцы Акрэсціна і трымалі тры дні без ежы. ",  # noqa: RUF001
        "Сведкі кажуць, што супрацоўнікі не мелі нагрудных знакаў і не называлі прозвішчаў. ",  # noqa: RUF001
    ),
    "ru": (
        "В ночь на десятое августа сотрудники ОМОН задержали людей у станции метро. "  # noqa: RUF001
        "Их доставили в изолятор на улице Окрестина и держали там трое суток. ",
        "Свидетели говорят, что сотрудники были без жетонов и отказывались назвать фамилии. ",
    ),
    "en": (
        "On the night of the tenth of August riot police detained people near the metro station. "
        "They were taken to the detention centre on Akrestsina street and held for three days. ",
        "Witnesses said the officers wore no badges and refused to give their names. ",
    ),
}
SAMPLE_RATE = 16000
BEAM_SIZE = 5
BEST_OF = 1


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


def make_document(pages: list[Path], path: Path) -> Path:
    """The pages as one scanned PDF: pictures only (no text layer), at 200 dpi, as a scanner
    makes them."""
    from PIL import Image

    images = [Image.open(page).convert("L") for page in pages]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=200.0)
    return path


def _tesseract_document(pdf: Path, count: int, scratch: Path) -> float:
    """Seconds for what OCR of a scanned PDF takes by hand, run as the sandbox runs it: each
    page rendered by pdftoppm as Docket renders it, then one tesseract (one thread) over the
    list of pages."""
    from docket.enrich.enrichers.ocr.implementation import RENDER_DPI

    scratch.mkdir()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.monotonic()
    for n in range(1, count + 1):
        _quiet("pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", "-singlefile", "-f", str(n),
               "-l", str(n), str(pdf), str(scratch / f"page-{n}"))  # fmt: skip
    listing = scratch / "pages.txt"
    listing.write_text("".join(f"{scratch / f'page-{n}.png'}\n" for n in range(1, count + 1)))
    subprocess.run(["tesseract", str(listing), str(scratch / "text"), "-l", "bel+rus+eng"],
                   check=True, capture_output=True, env=env, timeout=1800)  # fmt: skip
    return time.monotonic() - started


def _check_ocr(root: Path, pages: int) -> None:
    """Stops the benchmark unless the instance in ROOT read every page by OCR (a document
    taken for text, or skipped, would be fast and measure nothing)."""
    import sqlite3

    database = sqlite3.connect(f"file:{root / 'docket.sqlite3'}?mode=ro", uri=True)
    try:
        read = database.execute(
            "SELECT count(*) FROM enrich_textpage WHERE method = 'ocr' AND text != ''"
        ).fetchone()[0]
    finally:
        database.close()
    if read != pages:
        raise RuntimeError(f"the scanned document's {pages} pages gave {read} pages of OCR text")


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


def _import_then_work(
    root: Path,
    enrichers: str,
    paths: list[Path],
    processes: int,
    extra: dict[str, str] | None = None,
    idle: list[float] | None = None,
) -> float:
    """Seconds for `docket worker --until-idle` over the files imported, its start included
    (as for a worker started for them); with `idle`, also appends the seconds of the same
    worker started again with nothing left to do (its start and its stop)."""
    env = {**_instance(root, enrichers), **(extra or {})}
    docket = [sys.executable, "-m", "docket"]
    subprocess.run([*docket, "import", "files", *map(str, paths), "--json"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    started = time.monotonic()
    subprocess.run([*docket, "worker", "--until-idle", "--processes", str(processes)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    seconds = time.monotonic() - started
    if idle is not None:  # the same start and stop with nothing to do: what no file costs
        started = time.monotonic()
        subprocess.run([*docket, "worker", "--until-idle", "--processes", str(processes)],
                       env=env, check=True, capture_output=True)  # fmt: skip
        idle.append(time.monotonic() - started)
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
    workdir: Path, *, files: int = 1000, pages: int = 10, speech_minutes: float = 10.0
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
    idle: list[float] = []
    pipeline = _import_then_work(base / "pipeline", "metadata,thumbnails,pdq",
                                 [base / "files"], processes=2, idle=idle)  # fmt: skip

    # 2. OCR: rendered pages, one worker against one tesseract.
    page_paths = make_pages(base / "pages", pages)
    tesseract = _tesseract(page_paths, threads=1)  # as the sandbox runs it
    tesseract_default = _tesseract(page_paths, threads=None)
    docket_ocr = _import_then_work(base / "ocr", "ocr", [base / "pages"], processes=1, idle=idle)
    # The same pages as one scanned PDF: one box, one tesseract over all its pages.
    pdf = make_document(page_paths, base / "scanned.pdf")
    document_baseline = _tesseract_document(pdf, pages, base / "document-baseline")
    document = _import_then_work(base / "ocr-document", "ocr", [pdf], processes=1)
    _check_ocr(base / "ocr-document", pages)

    figures = {
        "files": len(jobs),
        "pipeline_seconds": round(pipeline, 2),
        "baseline_seconds": round(baseline, 2),
        "pipeline_ratio": round(baseline / pipeline, 3),
        "ocr_pages": pages,
        "ocr_pages_per_second": round(pages / docket_ocr, 3),
        "tesseract_pages_per_second": round(pages / tesseract, 3),
        "ocr_ratio": round((pages / docket_ocr) / (pages / tesseract), 3),
        "tesseract_default_threads_pages_per_second": round(pages / tesseract_default, 3),
        "ocr_document_seconds": round(document, 2),
        "ocr_document_baseline_seconds": round(document_baseline, 2),
        "ocr_document_ratio": round(document_baseline / document, 3),
        # Beside the ratios above: the same without the worker's own start and stop (a
        # production worker starts once and runs for days), timed as a worker that finds
        # nothing to do.
        "worker_idle_seconds": [round(s, 2) for s in idle],
        "pipeline_ratio_started": round(baseline / max(pipeline - idle[0], 1e-3), 3),
        "ocr_ratio_started": round(tesseract / max(docket_ocr - idle[1], 1e-3), 3),
    }
    # 3. Speech-to-text on the CPU.
    if speech_minutes > 0:
        figures.update(speech(base, speech_minutes))
    return figures


def make_speech(target: Path, minutes: float) -> tuple[Path, float]:
    """At least MINUTES of espeak-ng speech, Belarusian, Russian and English in turn, with
    short pauses between the segments, as one 16 kHz WAV file; and its length in seconds."""
    import wave

    import numpy

    target.mkdir(parents=True)
    spoken: dict[tuple[str, int, int], numpy.ndarray] = {}
    parts, length, n = [], 0, 0
    rng = numpy.random.default_rng(2020)
    while length < minutes * 60 * SAMPLE_RATE:
        voice = ("be", "ru", "en")[n % 3]
        text, speed = n // 3 % len(SPOKEN[voice]), (150, 165, 180)[n // 6 % 3]
        key = (voice, text, speed)
        if key not in spoken:
            segment = target / "segment.wav"
            _quiet("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(segment),
                   SPOKEN[voice][text])  # fmt: skip
            spoken[key] = _pcm(segment)
        pause = numpy.zeros(int(rng.uniform(0.3, 1.2) * SAMPLE_RATE), dtype=numpy.float32)
        parts += [spoken[key], pause]
        length += len(spoken[key]) + len(pause)
        n += 1
    sound = numpy.concatenate(parts)
    path = target / "speech.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((numpy.clip(sound, -1, 1) * 32767).astype("<i2").tobytes())
    return path, len(sound) / SAMPLE_RATE


def _pcm(path: Path) -> Any:
    """A recording as Docket's speech enricher decodes it: 16 kHz mono float32."""
    import numpy

    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vn", "-ac", "1",
         "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"],
        capture_output=True, check=True, timeout=600,
    ).stdout  # fmt: skip
    return numpy.frombuffer(raw, dtype="<f4")


def bare_whisper(
    model_dir: Path, samples: Any, threads: int, beam_size: int, best_of: int
) -> float:
    """Seconds for faster-whisper alone, in this process, with the same model, threads, beam,
    candidates and language handling as Docket — the recording cut in the same pauses, each
    piece's language the likeliest of be/ru/en unless unsure, detected from the encoding its
    transcription reuses — and model loading included as on Docket's side: what Docket adds is
    the vault, the boxes, the pipe and the queue."""
    from faster_whisper import WhisperModel

    from docket.analysis import silences
    from docket.enrich.whisper_box import choose, remember_encoding

    started = time.monotonic()
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads,
                         local_files_only=True)  # fmt: skip
    forget = remember_encoding(model)  # as Docket's model process: one encoding a piece
    language = None
    for start, end in silences.pieces(samples, SAMPLE_RATE):
        piece = samples[start:end]
        language, _ = choose(model, piece, language)
        segments, _ = model.transcribe(
            piece, language=language, beam_size=beam_size, best_of=best_of
        )
        for _segment in segments:
            pass
        forget()
    return time.monotonic() - started


def _gpu() -> dict[str, Any] | None:
    """The CUDA devices CTranslate2 sees here; None when there are none."""
    import ctranslate2

    count = ctranslate2.get_cuda_device_count()
    return {"cuda_devices": count} if count else None


def speech(base: Path, minutes: float) -> dict[str, Any]:
    """One recording of MINUTES through the speech enricher (a worker, the sandbox, the
    vault) against bare faster-whisper over the same samples, both on the CPU."""
    wav, seconds_of_audio = make_speech(base / "speech", minutes)
    # As Docket's model process: every core unless told, on both sides.
    threads = int(os.environ.get("DOCKET_WHISPER_THREADS", "0")) or os.cpu_count() or 1
    beam = int(os.environ.get("DOCKET_WHISPER_BEAM_SIZE", str(BEAM_SIZE)))
    best_of = int(os.environ.get("DOCKET_WHISPER_BEST_OF", str(BEST_OF)))
    extra = {
        "DOCKET_WHISPER_THREADS": str(threads), "DOCKET_WHISPER_BEAM_SIZE": str(beam),
        "DOCKET_WHISPER_BEST_OF": str(best_of),
    }  # fmt: skip
    docket = _import_then_work(base / "stt", "speech", [wav], processes=1, extra=extra)
    bare = bare_whisper(base / "models" / "whisper-base", _pcm(wav), threads, beam, best_of)
    speed, bare_speed = seconds_of_audio / docket, seconds_of_audio / bare
    return {
        "audio_seconds": round(seconds_of_audio, 1),
        "stt_seconds": round(docket, 2),
        "stt_realtime_cpu": round(docket / seconds_of_audio, 3),
        "stt_speed_cpu": round(speed, 3),
        "stt_bare_seconds": round(bare, 2),
        "stt_bare_speed_cpu": round(bare_speed, 3),
        "stt_ratio": round(speed / bare_speed, 3),
        "stt_threads": threads,
        "stt_beam_size": beam,
        "stt_best_of": best_of,
        # The CPU figures above are measured with DOCKET_WHISPER_DEVICE=cpu either way.
        "gpu": _gpu(),
    }
