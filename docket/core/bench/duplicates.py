"""`docket bench duplicates`: how fast one PDQ hash finds its near-duplicates among a million
(docket/analysis/neardup.py), against a linear scan with numpy's popcount in the same run.

The hashes are uniform random (real PDQ hashes are not quite, see bench/README.md) plus 1,000
planted near-duplicates, copies of random hashes with 1 to 40 bits flipped. Each of the 1,000
queries is the hash a copy was made from: what it must find is itself and, when the copy is
within 31 bits, the copy. `identical` says whether the index gave the linear scan's answer,
rows and distances, for every query.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from docket.analysis import neardup

PLANTED = 1000
QUERIES = 1000


def _p95(seconds: list[float]) -> float:
    return round(float(np.percentile(np.array(seconds), 95)) * 1000, 3)


def hashes(total: int, *, seed: int = 20200809) -> tuple[neardup.Hashes, list[int]]:
    """`total` hashes, the last PLANTED of them copies of earlier ones 1 to 40 bits away;
    returns them and the rows the copies were made from."""
    rng = np.random.default_rng(seed)
    planted = min(PLANTED, total // 2)
    found = rng.integers(0, 2**64, size=(total, 4), dtype=np.uint64)
    bases = rng.choice(total - planted, size=planted, replace=False).tolist()
    for k, base in enumerate(bases):
        copy = found[base].copy()
        for bit in rng.choice(256, size=1 + k % 40, replace=False):
            copy[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
        found[total - planted + k] = copy
    return found, bases


def run(total: int = 1_000_000) -> dict[str, Any]:
    found, bases = hashes(total)
    index = neardup.Index(found)
    queries = [found[row] for row in (bases * QUERIES)[:QUERIES]]
    fast, slow, identical = [], [], True
    for query in queries:
        started = time.perf_counter()
        rows, distances = index.near(query)
        fast.append(time.perf_counter() - started)
        started = time.perf_counter()
        want_rows, want_distances = neardup.linear(found, query)
        slow.append(time.perf_counter() - started)
        identical = identical and (
            np.array_equal(rows, want_rows) and np.array_equal(distances, want_distances)
        )
    return {
        "hashes": total,
        "p95_ms": _p95(fast),
        "linear_p95_ms": _p95(slow),
        "identical": bool(identical),
    }
