"""Checking an export package, offline, with no database: for the court or partner who
receives one (`docket exports check PACKAGE`), and for our own tests.

What holds when it passes: the checkpoint is signed by the key in the manifest; every
original matches SHA256SUMS; every custody line is a leaf of that checkpoint's tree; every
original has its "received" entry among them and the entries name the same hash. Whether the
key is the organisation's own is for the reader to compare (the verifier key is printed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from docket.vault import merkle, notes

FORMAT = "docket-export/1"


@dataclass
class Report:
    items: int = 0
    entries: int = 0
    tree_size: int = 0
    verifier_key: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "items": self.items,
            "custody_entries": self.entries,
            "tree_size": self.tree_size,
            "verifier_key": self.verifier_key,
            "problems": self.problems,
        }


class _Package:
    """A zip file or the folder it was unpacked into, read the same way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self.zip is not None:
            with self.zip.open(name) as handle:
                yield handle
        else:
            with (self.path / name).open("rb") as handle:
                yield handle

    def text(self, name: str) -> str:
        with self.open(name) as handle:
            return handle.read().decode("utf-8")


def check(path: Path) -> Report:
    report = Report()
    if not path.exists():
        report.problems.append(f"{path}: no such file or folder")
        return report
    if path.is_file() and not zipfile.is_zipfile(path):
        report.problems.append(
            f"{path} is not a zip file (still encrypted? decrypt it first: age -d -i KEY)"
        )
        return report
    package = _Package(path)
    try:
        manifest = json.loads(package.text("manifest.json"))
        note = package.text("checkpoint.txt")
        sums = package.text("SHA256SUMS")
    except (KeyError, FileNotFoundError) as exc:
        report.problems.append(f"a required file is missing: {exc}")
        return report
    if manifest.get("format") != FORMAT:
        report.problems.append(f"unknown format {manifest.get('format')!r} (expected {FORMAT})")
        return report
    log = manifest["log"]
    public_key = base64.b64decode(log["public_key"])
    report.verifier_key = notes.verifier_key(log["origin"], public_key)
    try:
        checkpoint = notes.verify_checkpoint(note, log["origin"], public_key)
    except notes.NoteError as exc:
        report.problems.append(f"checkpoint.txt: {exc}")
        return report
    report.tree_size = checkpoint.size
    expected = _check_sums(package, sums, report)
    received = _check_custody(package, checkpoint, expected, report)
    for name in sorted(set(expected) - received):
        report.problems.append(f"{name}: no custody entry shows how the vault received it")
    if manifest.get("items") != report.items:
        report.problems.append(
            f"manifest.json says {manifest.get('items')} items, SHA256SUMS lists {report.items}"
        )
    return report


def _check_sums(package: _Package, sums: str, report: Report) -> dict[str, str]:
    """name -> sha256 of each original that matches its line in SHA256SUMS."""
    expected = {}
    for number, line in enumerate(sums.splitlines(), 1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name.startswith("items/"):
            report.problems.append(f"SHA256SUMS line {number} is malformed")
            continue
        report.items += 1
        actual = hashlib.sha256()
        try:
            with package.open(name) as handle:
                while chunk := handle.read(1 << 20):
                    actual.update(chunk)
        except (KeyError, FileNotFoundError):
            report.problems.append(f"{name}: listed in SHA256SUMS but missing")
            continue
        if actual.hexdigest() != digest:
            report.problems.append(f"{name}: SHA-256 differs from SHA256SUMS (altered)")
            continue
        expected[name] = digest
    return expected


def _check_custody(
    package: _Package, checkpoint: notes.Checkpoint, expected: dict[str, str], report: Report
) -> set[str]:
    """Check each line's proof; returns the item files whose "received" entry was seen."""
    received: set[str] = set()
    try:
        with package.open("custody.jsonl") as handle:
            for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8"), 1):
                if line.strip():
                    _check_line(number, line, checkpoint, expected, report, received)
    except (KeyError, FileNotFoundError):
        report.problems.append("custody.jsonl is missing")
    return received


def _check_line(
    number: int,
    line: str,
    checkpoint: notes.Checkpoint,
    expected: dict[str, str],
    report: Report,
    received: set[str],
) -> None:
    try:
        row = json.loads(line)
        leaf = base64.b64decode(row["leaf"], validate=True)
        proof = [bytes.fromhex(p) for p in row["proof"]]
        merkle.verify_inclusion(
            row["index"], checkpoint.size, merkle.leaf_hash(leaf), proof, checkpoint.root_hash
        )
        entry = json.loads(leaf)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        report.problems.append(f"custody.jsonl line {number}: {exc}")
        return
    report.entries += 1
    if entry.get("index") != row["index"]:
        report.problems.append(f"custody.jsonl line {number}: the leaf names another index")
    if entry.get("item") is None:
        return
    name = f"items/{entry['item']}.bin"
    if name in expected and entry.get("sha256") != expected[name]:
        report.problems.append(f"custody.jsonl line {number}: another hash for {name}")
    elif entry.get("action") == "received":
        received.add(name)
