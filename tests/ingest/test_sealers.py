"""Files of an import are sealed (hashed, encrypted, written, fsynced) in worker processes, a
few at once, while the importing process commits them: whatever order the sealing finishes in,
they are committed, logged and reported in the order they were found, each only once durable,
and the vault verifies afterwards."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import time
import zipfile
from pathlib import Path
from typing import IO, Any

import pytest

from docket.ingest import files
from docket.ingest.files import Found, Summary, import_files, walk
from docket.vault import store
from docket.vault.models import CustodyEntry, Item
from docket.vault.store import Stored, read
from docket.vault.verify import verify
from tests.support.instance import Instance
from tests.support.media import write_files


def _sealing_log(path: Path, monkeypatch: pytest.MonkeyPatch, slow: str) -> None:
    """Workers append (pid, file, start, end) of each seal to `path`; the file named `slow`
    takes a second longer, so that files after it finish sealing first."""
    real_seal = store.seal

    def seal(src: IO[bytes], handle: IO[bytes], **kwargs: Any) -> store.Sealed:
        name = Path(os.readlink(f"/proc/self/fd/{src.fileno()}")).name
        start = time.monotonic()
        if name == slow:
            time.sleep(1.0)
        sealed = real_seal(src, handle, **kwargs)
        with path.open("a") as log:
            log.write(json.dumps([os.getpid(), name, start, time.monotonic()]) + "\n")
        return sealed

    monkeypatch.setattr(store, "seal", seal)


def test_files_sealed_at_once_are_committed_and_reported_in_their_order(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "SMALL_BYTES", 100_000)  # 300 KB files go one by one
    sizes = {"in/a-large.bin": 300_000, "in/b-large.bin": 310_000, "in/c-large.bin": 320_000}
    sizes |= {f"in/d-small-{n}.bin": 5_000 + n for n in range(5)}
    made = write_files(tmp_path, sizes)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("inside.txt", "a statement inside an archive")
    (tmp_path / "in" / "e-archive.zip").write_bytes(archive.getvalue())
    (tmp_path / "in" / "f-last.bin").write_bytes(b"the file after the archive")
    log = tmp_path / "sealing.jsonl"
    _sealing_log(log, monkeypatch, slow="a-large.bin")

    found = list(walk([tmp_path / "in"], Summary()))
    reported: list[tuple[str, Stored]] = []

    def on_stored(entry: Found, result: Stored) -> None:
        # Only what is committed is reported: its row and its "received" entry exist.
        assert Item.objects.filter(pk=result.item.pk).exists()
        assert CustodyEntry.objects.filter(item=result.item, action="received").exists()
        reported.append((entry.label, result))

    summary = import_files(found, Summary(), actor="test", on_stored=on_stored)
    assert summary.failed == [] and summary.stored == 11  # 10 files, 1 archive member

    # Sealed in other processes, two at once: b was sealed while a still was, and done first.
    sealing = {name: (pid, start, end) for pid, name, start, end in map(json.loads, log.open())}
    workers = {sealing[f.path.name][0] for f in found if f.path.suffix == ".bin"}
    assert os.getpid() not in workers
    assert sealing["b-large.bin"][2] < sealing["a-large.bin"][2]
    # An archive is stored and unpacked by the importing process itself, as before.
    assert sealing["e-archive.zip"][0] == os.getpid()

    # Reported, and logged, in the order the files were found, the archive's member after it.
    labels = [label for label, _ in reported]
    assert labels == [f.label for f in found[:9]] + ["in/e-archive.zip!inside.txt", "in/f-last.bin"]
    indexes = [
        CustodyEntry.objects.get(item=result.item, action="received").index
        for _, result in reported
    ]
    assert indexes == sorted(indexes)

    # Every item reads back whole, and the log and the blobs verify.
    for name, data in made.items():
        item = Item.objects.get(sha256=hashlib.sha256(data).hexdigest())
        assert b"".join(read(item, actor="test")) == data, name
    report = verify(deep=True)
    assert report.ok, report.problems
    assert report.items == 11
    assert not list((vault / "vault" / ".staging").glob("*.part")), "staging files removed"


def test_a_file_that_cannot_be_read_fails_alone(vault: Path, tmp_path: Path) -> None:
    write_files(tmp_path, {"in/a.bin": 2_000_000, "in/b.bin": 10_000, "in/c.bin": 2_000_000})
    found = list(walk([tmp_path / "in"], Summary()))
    (tmp_path / "in" / "b.bin").unlink()  # gone between the walk and the import
    reported: list[str] = []
    summary = import_files(
        found, Summary(), actor="test", on_stored=lambda f, _: reported.append(f.label)
    )
    assert reported == ["in/a.bin", "in/c.bin"]
    assert [failure["path"] for failure in summary.failed] == [str(tmp_path / "in" / "b.bin")]
    assert verify().ok
    assert not list((vault / "vault" / ".staging").glob("*.part"))


def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(child) for child in text.split()}


@pytest.mark.served
def test_the_sealing_workers_die_with_a_killed_import(instance: Instance, tmp_path: Path) -> None:
    write_files(tmp_path / "in", {f"{n}.bin": 4_000_000 for n in range(40)})
    process = instance.popen("import", "files", str(tmp_path / "in"), "--jsonl")
    assert process.stdout is not None
    process.stdout.readline()  # it stored one file: the workers are running
    workers = _children(process.pid)
    assert workers, "the import seals in worker processes"
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    # A worker that outlived it would be a zombie of init at worst, never still running.
    alive = [pid for pid in workers if Path(f"/proc/{pid}/stat").exists()
             and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]  # fmt: skip
    assert not alive, "the sealing workers must not outlive the import"

    # What remains is finished by running the import again, and the vault verifies.
    final = instance.json("import", "files", str(tmp_path / "in"), "--json")
    assert final["failed"] == []
    report = instance.json("verify", "--json")
    assert report["ok"], report["problems"]
    assert report["items"] == 40
