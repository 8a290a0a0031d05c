"""`docket bench ingest` and `docket bench verify`.

ingest: generate files of mixed sizes (many small, three large), time `docket import files` on
them in a fresh instance, and as the baseline `sha256sum` over the same files plus `cp` of them
to a directory on the same disk; both sides several times, in alternating order, each from the
same state of the disk (`settle`). verify: time `docket verify` on that instance against
`sha256sum` over its blobs. Both report the peak RSS of Docket's process (from wait4).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1024 * 1024


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: bytes


def generate(target: Path, total_mb: int, *, seed: int = 20200809) -> tuple[int, int]:
    """Three large files of a quarter of the total each, the rest in small files (16 KiB to 1 MiB).
    Random bytes: nothing compresses or deduplicates."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    total = total_mb * MB
    sizes = [total // 4] * 3
    remaining = total - sum(sizes)
    while remaining > 0:
        size = min(remaining, rng.randint(16 * 1024, MB))
        sizes.append(size)
        remaining -= size
    block = os.urandom(MB)
    for number, size in enumerate(sizes):
        folder = target / f"batch-{number % 16:02d}"
        folder.mkdir(exist_ok=True)
        with (folder / f"file-{number:05d}.bin").open("wb") as out:
            written = 0
            while written < size:
                # A fresh prefix per block keeps every block (and so every file) distinct.
                piece = os.urandom(32) + block[32 : min(MB, size - written)]
                out.write(piece[: size - written])
                written += len(piece)
    subprocess.run(["sync"], check=True)
    return len(sizes), total


def timed_with_rss(argv: list[str], env: dict[str, str]) -> Run:
    """Run a command alone and return its wall time and its own peak RSS (wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Drain both pipes while it runs (a full pipe would stall it), then reap it with wait4.
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []

    def drain(stream: Any, sink: list[bytes]) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            sink.append(chunk)

    threads = [
        threading.Thread(target=drain, args=(process.stdout, out_chunks)),
        threading.Thread(target=drain, args=(process.stderr, err_chunks)),
    ]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    for thread in threads:
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(b"".join(err_chunks).decode(errors="replace"))
        raise SystemExit(f"{argv[0]} failed with exit code {process.returncode}")
    return Run(seconds, usage.ru_maxrss / 1024, b"".join(out_chunks))


def sha256sum(paths: list[str]) -> None:
    """The baseline hasher: coreutils sha256sum, in batches well under ARG_MAX."""
    for start in range(0, len(paths), 500):
        subprocess.run(
            ["sha256sum", "--", *paths[start : start + 500]], check=True, stdout=subprocess.DEVNULL
        )


def instance_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(workdir / "instance")
    env["DOCKET_VAULT_PASSPHRASE"] = "benchmark-passphrase"  # noqa: S105 (throw-away instance)
    return env


def docket_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "docket", *args]


def settle(env: dict[str, str], *, drop_caches: bool = True) -> str:
    """Bring the disk to the same state before each timed side: write back what is dirty (and,
    on a disk mounted with `discard`, let the blocks a removal freed be trimmed), then drop the
    page cache when allowed (root), so that both sides read their files from the disk. The
    programs themselves are read back in (untimed): Docket's Python code and libraries, the
    baseline's sha256sum and cp, as a machine that imports often has them."""
    subprocess.run(["sync"], check=True)
    if not drop_caches:
        return "synced"
    try:
        with open("/proc/sys/vm/drop_caches", "w") as control:
            control.write("3\n")
    except OSError:
        return "synced"
    for argv in (docket_argv("import", "files", "--help"), ["sha256sum", "/dev/null"]):
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cp", "--version"], check=True, stdout=subprocess.DEVNULL)
    return "synced, page cache dropped, programs read back in"


def _baseline(files: Path, copy: Path) -> float:
    """The yardstick: coreutils sha256sum over the files, then cp -r of them (seconds)."""
    start = time.perf_counter()
    sha256sum(sorted(str(p) for p in files.rglob("*") if p.is_file()))
    subprocess.run(["cp", "-r", str(files), str(copy)], check=True)
    return time.perf_counter() - start


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 3), "max": round(max(values), 3)}


def ingest(
    workdir: Path, total_mb: int, repeat: int = 3, *, drop_caches: bool = True
) -> dict[str, Any]:
    """Docket's import and the baseline, `repeat` times each in alternating order (baseline
    first in the odd runs, Docket first in the even ones), each side after `settle()`; the
    figures are the medians, with each run's. drop_caches=False leaves the page cache (of the
    whole machine) alone."""
    if workdir.exists():
        shutil.rmtree(workdir)
    files = workdir / "files"
    count, total = generate(files, total_mb)
    env = instance_env(workdir)
    docket: list[Run] = []
    baseline: list[float] = []
    synced: list[float] = []  # the baseline's cp followed by a sync: context only
    settled = ""

    def time_docket() -> None:
        nonlocal settled
        shutil.rmtree(workdir / "instance", ignore_errors=True)
        subprocess.run(
            docket_argv("init", "--scrypt-work-factor", "10"),
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        settled = settle(env, drop_caches=drop_caches)
        docket.append(timed_with_rss(docket_argv("import", "files", str(files), "--json"), env))

    def time_baseline() -> None:
        nonlocal settled
        copy = workdir / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        settled = settle(env, drop_caches=drop_caches)
        seconds = _baseline(files, copy)
        start = time.perf_counter()
        subprocess.run(["sync"], check=True)
        baseline.append(seconds)
        synced.append(seconds + time.perf_counter() - start)
        shutil.rmtree(copy)

    for n in range(max(1, repeat)):
        sides = [time_baseline, time_docket] if n % 2 == 0 else [time_docket, time_baseline]
        for side in sides:
            side()
    seconds = statistics.median(run.seconds for run in docket)
    baseline_seconds = statistics.median(baseline)
    return {
        "benchmark": "ingest",
        "files": count,
        "bytes": total,
        "repeat": len(docket),
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(baseline_seconds / seconds, 3),
        "peak_rss_mb": round(max(run.peak_rss_mb for run in docket), 1),
        "mb_per_second": round(total / MB / seconds, 1),
        "seconds_runs": [round(run.seconds, 3) for run in docket],
        "baseline_seconds_runs": [round(value, 3) for value in baseline],
        "ratio_runs": [round(b / run.seconds, 3) for b, run in zip(baseline, docket, strict=True)],
        "seconds_spread": _spread([run.seconds for run in docket]),
        "baseline_seconds_spread": _spread(baseline),
        "baseline_then_sync_seconds": round(statistics.median(synced), 3),
        "before_each_side": settled,
        "baseline": "sha256sum over the files + cp -r to the same disk",
    }


def verify(workdir: Path, total_mb: int) -> dict[str, Any]:
    if not (workdir / "instance").exists():
        ingest(workdir, total_mb, repeat=1)
    env = instance_env(workdir)
    vault = workdir / "instance" / "vault"
    blobs = [str(p) for p in vault.rglob("*.age")]
    start = time.perf_counter()
    sha256sum(blobs)
    baseline = time.perf_counter() - start
    run = timed_with_rss(docket_argv("verify", "--json"), env)
    total = sum(os.path.getsize(p) for p in blobs)
    return {
        "benchmark": "verify",
        "blobs": len(blobs),
        "bytes": total,
        "seconds": round(run.seconds, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(baseline / run.seconds, 3),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "mb_per_second": round(total / MB / run.seconds, 1),
        "baseline": "sha256sum over the encrypted blobs",
    }
