"""`docket bench names`: how well and how fast Docket tells one person's names across scripts
(docket/analysis/names.py), against nomenklatura's logic-v2 (OpenSanctions' matcher) on the
same pairs in the same run.

Every pair of the development set (bench/data/names-dev.tsv: clusters of one person's
renderings, with look-alikes that are other people) is scored; a pair of one cluster is a true
pair. The baseline runs in its own virtual environment, .venv-baseline, which the benchmark
makes on first use from bench/baseline/requirements.lock (hashed; it cannot share the
project's lock), and is called as a subprocess.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from docket.analysis import names, pairs

ROOT = Path(__file__).resolve().parents[3]
DEV_SET = ROOT / "bench" / "data" / "names-dev.tsv"
BASELINE = ROOT / "bench" / "baseline"


def read(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cluster, name = line.split("\t")
            rows.append((cluster, name))
    return rows


def measure(rows: list[tuple[str, str]], threshold: float) -> dict[str, Any]:
    start = time.perf_counter()
    parsed = [(cluster, names.parse(name)) for cluster, name in rows]
    tp = fp = fn = 0
    for (ca, a), (cb, b) in itertools.combinations(parsed, 2):
        hit = names.score(a, b).value >= threshold
        tp += hit and ca == cb
        fp += hit and ca != cb
        fn += (not hit) and ca == cb
    seconds = time.perf_counter() - start
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pairs = len(parsed) * (len(parsed) - 1) // 2
    return {
        "pairs": pairs, "threshold": threshold, "precision": round(precision, 4),
        "recall": round(recall, 4), "f1": round(f1, 4),
        "pairs_per_second": round(pairs / seconds, 1),
    }  # fmt: skip


def baseline_python(venv: Path) -> Path:
    """The baseline's interpreter, its environment made first if missing."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"making {venv} for the baseline (once)…", file=sys.stderr)
        _icu()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--require-hashes", "-r", str(BASELINE / "requirements.lock")],
            check=True,
        )  # fmt: skip
    return python


def _icu() -> None:
    """nomenklatura needs PyICU, built here against Debian's ICU: install it as root, or say
    what is missing."""
    if (
        shutil.which("pkg-config")
        and not subprocess.run(["pkg-config", "--exists", "icu-uc"], check=False).returncode
    ):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "libicu-dev", "pkg-config", "g++"], check=True
        )
        return
    raise SystemExit(
        "the baseline needs Debian's libicu-dev, pkg-config and g++ to build PyICU: "
        "`sudo apt-get install libicu-dev pkg-config g++`, or run with --no-baseline"
    )


def dedupe(persons: int, sample: int, seed: int = 20) -> dict[str, Any]:
    """Candidate duplicates among `persons` generated names (2-5 spellings of about
    persons / 3.5 people, and look-alike decoys): seconds to parse, block and score them all;
    and which share of the pairs all-pairs scoring of a `sample` puts at or above the
    threshold the blocked run found too."""
    from docket.core.bench import names_generate

    people = int(persons / 3.5 * 0.95)
    spelt = len(names_generate.people(people, decoys=0, seed=seed))
    rows = names_generate.people(people, decoys=max(0, persons - spelt), seed=seed)
    start = time.perf_counter()
    entries = [pairs.Entry(str(n), names.parse(name)) for n, (_, name) in enumerate(rows)]
    found = {frozenset((p.a, p.b)) for p in pairs.pairs(entries)}
    seconds = time.perf_counter() - start
    chosen = random.Random(seed).sample(entries, min(sample, len(entries)))
    wanted = {
        frozenset((a.id, b.id))
        for a, b, score in pairs.all_pairs(chosen)
        if score.value >= names.THRESHOLD
    }
    kept = len(wanted & found) / len(wanted) if wanted else 1.0
    true = {frozenset((str(i), str(j))) for cluster in _clusters(rows).values()
            for i, j in itertools.combinations(cluster, 2)}  # fmt: skip
    return {
        "persons": len(entries), "people": people, "seconds": round(seconds, 1),
        "candidate_pairs_found": len(found), "sample": len(chosen),
        "sample_pairs_above_threshold": len(wanted), "candidate_recall": round(kept, 4),
        "precision": round(len(found & true) / len(found), 4) if found else 1.0,
        "recall": round(len(found & true) / len(true), 4) if true else 1.0,
    }  # fmt: skip


def _clusters(rows: list[tuple[str, str]]) -> dict[str, list[int]]:
    clusters: dict[str, list[int]] = {}
    for n, (cluster, _) in enumerate(rows):
        clusters.setdefault(cluster, []).append(n)
    return clusters


def run(
    file: Path | None,
    *,
    baseline: bool,
    venv: Path,
    dedupe_persons: int = 100_000,
    dedupe_sample: int = 2_000,
) -> dict[str, Any]:
    path = file or DEV_SET
    result = measure(read(path), names.THRESHOLD)
    if baseline:
        done = subprocess.run(
            [str(baseline_python(venv)), str(BASELINE / "score_nomenklatura.py"), str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result["baseline"] = json.loads(done.stdout.strip().splitlines()[-1])
        result["speed_ratio"] = round(
            result["pairs_per_second"] / result["baseline"]["pairs_per_second"], 1
        )
    if dedupe_persons:
        result["dedupe"] = dedupe(dedupe_persons, dedupe_sample)
    return result
