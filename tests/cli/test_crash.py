"""Kill the import with SIGKILL at random moments: every item it reported must be intact and
`docket verify` clean afterwards (docs/design.md §2.1: acknowledged only once durable)."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import time
from pathlib import Path

import pytest

from tests.support.instance import Instance
from tests.support.media import write_files

pytestmark = pytest.mark.served

ROUNDS = 10
FILES = 40


READ_BACK = """
import hashlib, json, sys
from docket.vault.models import Item
from docket.vault.store import read
found = {}
for pk in json.loads(sys.argv[-1]):
    digest = hashlib.sha256()
    for chunk in read(Item.objects.get(pk=pk), actor="test"):
        digest.update(chunk)
    found[pk] = digest.hexdigest()
print(json.dumps(found))
"""


def read_back(instance: Instance, items: list[int]) -> dict[str, str]:
    """The SHA-256 of each item's decrypted original, read in one `docket shell`."""
    code = READ_BACK.replace("sys.argv[-1]", repr(json.dumps(items)))
    found: dict[str, str] = json.loads(instance.run("shell", "-c", code).stdout.splitlines()[-1])
    return found


def test_items_reported_before_a_sigkill_survive_it(instance: Instance, tmp_path: Path) -> None:
    rng = random.Random(9)
    sizes = {
        f"batch/{n:03d}.bin": rng.choice([1_000, 50_000, 400_000, 3_000_000]) for n in range(FILES)
    }
    made = write_files(tmp_path / "in", sizes)
    expected = {hashlib.sha256(data).hexdigest() for data in made.values()}
    reported: dict[int, str] = {}
    killed = 0

    for _ in range(ROUNDS):
        process = instance.popen("import", "files", str(tmp_path / "in"), "--jsonl")
        assert process.stdout is not None
        # Let it report a random number of items, then kill it a random instant later: the
        # kill lands while it writes a blob, fsyncs, commits, or seals.
        wanted = rng.randint(0, FILES - 5)
        for _ in range(wanted):
            line = process.stdout.readline()
            if not line:
                break
            record = json.loads(line)
            reported[record["item"]] = record["sha256"]
        time.sleep(rng.uniform(0, 0.08) if wanted else rng.uniform(0.4, 1.0))
        process.send_signal(signal.SIGKILL)
        killed += process.wait() == -signal.SIGKILL
        for line in process.stdout.read().splitlines(keepends=True):
            if line.endswith(b"\n"):  # a line cut by the kill was never fully reported
                record = json.loads(line)
                reported[record["item"]] = record["sha256"]

    assert killed >= ROUNDS - 1, "the kills must interrupt running imports"
    assert reported, "the import never got far enough to report an item"
    assert set(reported.values()) <= expected
    # Every reported item reads back whole: two through `docket cat`, all of them in one
    # process through the same read (a process per item would cost a second each).
    for item in (min(reported), max(reported)):
        assert hashlib.sha256(instance.run("cat", str(item)).stdout).hexdigest() == reported[item]
    assert read_back(instance, sorted(reported)) == {str(k): v for k, v in reported.items()}

    # A final uninterrupted run completes the import without storing anything twice.
    final = instance.json("import", "files", str(tmp_path / "in"), "--json")
    assert final["failed"] == []
    report = instance.json("verify", "--json")
    assert report["ok"], report["problems"]
    assert report["items"] == len(expected)
