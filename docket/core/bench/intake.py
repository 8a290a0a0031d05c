"""`docket bench intake`: concurrent senders against `docket serve --intake-only` on loopback.

1. A fresh instance in WORKDIR/intake; the intake server runs without the vault passphrase,
   as in production, with the production receipt cost unless told otherwise.
2. SENDERS threads post SUBMISSIONS reports through the plain (no-JavaScript) form, each with
   one file of random bytes (16-256 KiB), and keep each receipt and its file's SHA-256.
3. The server stops; a process that holds the passphrase opens every receipt, finds its
   submission and item, decrypts the item and compares its hash. `lost` counts receipts
   that open nothing, or whose file is missing or differs.
The baseline is the same requests against a page that stores nothing (the form's GET), so
the ratio shows what storing costs over serving at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from docket.intake.channels.web.client import submit
from docket.lib.loopback import free_port, wait_until_served


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(
    workdir: Path, *, submissions: int, senders: int, argon2_memory_kib: int | None
) -> dict[str, Any]:
    root = workdir / "intake"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    root.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(root)
    env["DOCKET_INTAKE_SUBMISSIONS_PER_HOUR"] = str(max(3600, submissions * 2))
    env["DOCKET_INTAKE_DISK_RESERVE_MB"] = "0"
    if argon2_memory_kib:
        env["DOCKET_RECEIPT_ARGON2_MEMORY_KIB"] = str(argon2_memory_kib)
    staff = {**env, "DOCKET_VAULT_PASSPHRASE": secrets.token_urlsafe(16)}
    docket = [sys.executable, "-m", "docket"]
    subprocess.run([*docket, "init"], env=staff, check=True, capture_output=True)

    # 1. The intake server, without the passphrase.
    port = free_port()
    server = subprocess.Popen(
        [*docket, "serve", "--intake-only", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    rng = random.Random(20200809)
    payloads = [rng.randbytes(rng.randint(16 * 1024, 256 * 1024)) for _ in range(submissions)]
    try:
        wait_until_served(f"http://127.0.0.1:{port}/intake/en/")

        # Baseline: the same number of requests for the form page, which stores nothing.
        def fetch(_: int) -> float:
            started = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/intake/en/", timeout=60).read()
            return time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(fetch, range(submissions)))
        baseline_seconds = time.perf_counter() - started

        # 2. The senders.
        def send(number: int) -> tuple[float, str | None]:
            return submit(
                port, f"Report {number}: detained at night, beaten in the van.", payloads[number]
            )

        started = time.perf_counter()
        with ThreadPoolExecutor(senders) as pool:
            results = list(pool.map(send, range(submissions)))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)

    # 3. Open every receipt where the key is, and check its file.
    expected = [
        {"receipt": receipt, "sha256": hashlib.sha256(payload).hexdigest()}
        for (_, receipt), payload in zip(results, payloads, strict=True)
        if receipt is not None
    ]
    check_file = root / "receipts.json"
    check_file.write_text(json.dumps(expected))
    checked = subprocess.run(
        [*docket, "bench", "intake", "--check", str(check_file)],
        env=staff, check=True, capture_output=True,
    )  # fmt: skip
    verified = json.loads(checked.stdout)["verified"]
    check_file.unlink()
    latencies = [s for s, _ in results]
    return {
        "submissions": submissions,
        "senders": senders,
        "per_second": round(submissions / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "lost": submissions - verified,
        "baseline_page_per_second": round(submissions / baseline_seconds, 1),
        "ratio": round(baseline_seconds / seconds, 3),
        "argon2_memory_kib": argon2_memory_kib or 65536,
    }


def check(path: Path) -> dict[str, int]:
    """Inside the instance, with the passphrase: how many receipts map to their intact file."""
    from django.db import connection

    from docket.intake import conversation
    from docket.intake.inbox import triage
    from docket.vault import store

    expected = json.loads(path.read_text())

    def one(row: dict[str, str]) -> bool:
        try:
            found = conversation.find(row["receipt"])
            if found is None:
                return False
            items = triage.items_of(found.submission)
            if len(items) != 1 or items[0].sha256 != row["sha256"]:
                return False
            digest = hashlib.sha256()
            for chunk in store.read(items[0], actor="bench"):
                digest.update(chunk)
            return digest.hexdigest() == row["sha256"]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:  # Argon2 runs outside the GIL
        verified = sum(pool.map(one, expected))
    return {"verified": verified}
