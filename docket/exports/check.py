"""Checking an export package, offline, with no database: for the court or partner who
receives one (`docket exports check PACKAGE`), and for our own tests.

What holds when it passes: the checkpoint is signed by the key in the manifest; every
original matches SHA256SUMS; every custody line is a leaf of that checkpoint's tree; every
original has its "received" entry among them and the entries name the same hash. Whether the
key is the organisation's own is for the reader to compare (the verifier key is printed).

A court bundle (a zip holding one BagIt bag, the bag's folder, or the folder it was unpacked
into) is checked as a bag first (RFC 8493: bagit.txt, every payload file against both payload
manifests and no file left out, Payload-Oxum, the tag manifests; an unpacked bag by the
`bagit` library's own validator), then its checkpoint and custody proofs as above, each
original and clean copy standing for the item its name begins with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
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
    kind: str = "compartment"
    #: what was checked, in words, for the command's output
    checked: list[str] = field(default_factory=list)

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
            "kind": self.kind,
            "checked": self.checked,
        }


class _Package:
    """A zip file or the folder it was unpacked into, read the same way; `root` is a folder
    inside it that names are relative to (a bag's)."""

    def __init__(self, path: Path, root: str = "") -> None:
        self.path = path
        self.root = root
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def _name(self, name: str) -> str:
        return f"{self.root}/{name}" if self.root else name

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self.zip is not None:
            with self.zip.open(self._name(name)) as handle:
                yield handle
        else:
            with (self.path / self._name(name)).open("rb") as handle:
                yield handle

    def files(self) -> list[str]:
        """Every file's name, relative to the root."""
        if self.zip is not None:
            prefix = f"{self.root}/" if self.root else ""
            return [
                n[len(prefix) :]
                for n in self.zip.namelist()
                if n.startswith(prefix) and not n.endswith("/")
            ]
        base = self.path / self.root
        return [p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()]

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
    root = _bag_root(path)
    if root is not None:
        report.kind = "case"
        _check_bag(_Package(path, root), report)
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
    name_of: Callable[[int], str] = lambda item: f"items/{item}.bin",
    arrivals: tuple[str, ...] = ("received",),
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
    name = name_of(entry["item"])
    if name in expected and entry.get("sha256") != expected[name]:
        report.problems.append(f"custody.jsonl line {number}: another hash for {name}")
    elif entry.get("action") in arrivals:
        received.add(name)


# Court bundles: a BagIt bag ---------------------------------------------------------------

ARRIVALS = ("received", "copied")  # how an item enters the vault (a copy: when it moved)


def _bag_root(path: Path) -> str | None:
    """The bag's folder inside the package ("" when `path` is the bag), or None."""
    if path.is_dir():
        if (path / "bagit.txt").is_file():
            return ""
        found = [p.name for p in path.iterdir() if (p / "bagit.txt").is_file()]
        return found[0] if len(found) == 1 else None
    with zipfile.ZipFile(path) as package:
        tops = {n.split("/", 1)[0] for n in package.namelist()}
        if len(tops) == 1 and f"{next(iter(tops))}/bagit.txt" in package.namelist():
            return next(iter(tops))
    return None


def _decoded(path: str) -> str:
    """A manifest's path with RFC 8493's percent-encoding undone (CR, LF and %)."""
    return path.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _manifest_lines(package: _Package, name: str, report: Report) -> dict[str, str]:
    listed = {}
    for number, line in enumerate(package.text(name).splitlines(), 1):
        digest, _, path = line.partition(" ")
        path = path.lstrip(" ").lstrip("*")
        if not digest or not path:
            report.problems.append(f"{name} line {number} is malformed")
            continue
        listed[_decoded(path)] = digest.lower()
    return listed


def _check_bag(package: _Package, report: Report) -> None:
    where = package.root or package.path.name
    if package.zip is None:
        _validate_with_bagit(package.path / package.root, report)
    else:
        _validate_zipped_bag(package, report)
    report.checked.append(f"BagIt bag {where}: {'valid' if not report.problems else 'INVALID'}")
    try:
        manifest = json.loads(package.text("data/manifest.json"))
        note = package.text("data/checkpoint.txt")
        sums = _manifest_lines(package, "manifest-sha256.txt", Report())
    except (KeyError, FileNotFoundError, ValueError) as exc:
        report.problems.append(f"a required file is missing: {exc}")
        return
    if manifest.get("format") != FORMAT:
        report.problems.append(f"unknown format {manifest.get('format')!r}")
        return
    log = manifest["log"]
    public_key = base64.b64decode(log["public_key"])
    report.verifier_key = notes.verifier_key(log["origin"], public_key)
    try:
        checkpoint = notes.verify_checkpoint(note, log["origin"], public_key)
    except notes.NoteError as exc:
        report.problems.append(f"data/checkpoint.txt: {exc}")
        return
    report.tree_size = checkpoint.size
    report.checked.append(f"checkpoint of {checkpoint.size} entries: signature good")
    # Each packed file stands for the item its name begins with (a clean copy's second id).
    names: dict[int, str] = {}
    for path in sums:
        parts = path.split("/")
        if len(parts) == 3 and parts[1] in ("originals", "clean"):
            ids = [int(p) for p in parts[2].split(".")[0].split("-") if p.isdigit()]
            if ids:
                names[ids[-1] if parts[1] == "clean" else ids[0]] = path
    report.items = len(names)
    expected = {path: sums[path] for path in names.values()}
    received: set[str] = set()
    try:
        with package.open("data/custody.jsonl") as handle:
            for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8"), 1):
                if line.strip():
                    _check_line(
                        number, line, checkpoint, expected, report, received,
                        name_of=lambda item: names.get(item, f"item {item}"), arrivals=ARRIVALS,
                    )  # fmt: skip
    except (KeyError, FileNotFoundError):
        report.problems.append("data/custody.jsonl is missing")
    for name in sorted(set(expected) - received):
        report.problems.append(f"{name}: no custody entry shows how the vault received it")
    report.checked.append(
        f"{report.entries} custody entries: every proof leads to the checkpoint"
        if not any("custody" in p for p in report.problems)
        else f"{report.entries} custody entries checked, some FAIL"
    )
    if manifest.get("items") != len([n for n in names.values() if "/originals/" in n]):
        report.problems.append(
            f"data/manifest.json says {manifest.get('items')} items, the bag holds "
            f"{len([n for n in names.values() if '/originals/' in n])} originals"
        )


def _validate_with_bagit(folder: Path, report: Report) -> None:
    """The `bagit` library's own validator (the one archives use), on an unpacked bag."""
    import bagit

    bag = None
    try:
        bag = bagit.Bag(str(folder))
        bag.validate()
    except bagit.BagValidationError as exc:
        for detail in exc.details or [exc.message]:
            report.problems.append(f"bag: {detail}")
        # Payload-Oxum fails before the files are named: name what no manifest lists.
        if bag is not None:
            for path in sorted(set(bag.payload_files()) - set(bag.payload_entries())):
                report.problems.append(f"bag: {path} is not in the payload manifests")
    except bagit.BagError as exc:
        report.problems.append(f"bag: {exc}")


def _validate_zipped_bag(package: _Package, report: Report) -> None:
    """RFC 8493's checks, read straight from the zip: declaration, completeness, every
    payload file against both payload manifests, Payload-Oxum, the tag manifests."""
    files = set(package.files())
    try:
        declared = package.text("bagit.txt")
        info = package.text("bag-info.txt")
    except KeyError as exc:
        report.problems.append(f"bag: a required tag file is missing: {exc}")
        return
    if "BagIt-Version: 1.0" not in declared:
        report.problems.append("bag: bagit.txt does not declare BagIt-Version: 1.0")
    manifests = sorted(n for n in files if re.fullmatch(r"manifest-\w+\.txt", n))
    tagmanifests = sorted(n for n in files if re.fullmatch(r"tagmanifest-\w+\.txt", n))
    if not manifests:
        report.problems.append("bag: no payload manifest")
        return
    payload = {n for n in files if n.startswith("data/")}
    lists = {name: _manifest_lines(package, name, report) for name in manifests + tagmanifests}
    for name in manifests:
        for missing in sorted(set(lists[name]) - payload):
            report.problems.append(f"bag: {missing} is in {name} but missing")
        for extra in sorted(payload - set(lists[name])):
            report.problems.append(f"bag: {extra} is not in {name}")
    wanted: dict[str, dict[str, str]] = {}  # file -> algorithm -> digest
    for name, listed in lists.items():
        algorithm = name.split("-", 1)[1].removesuffix(".txt")
        if algorithm not in hashlib.algorithms_available:
            report.problems.append(f"bag: {name} uses an unknown algorithm")
            continue
        for path, digest in listed.items():
            wanted.setdefault(path, {})[algorithm] = digest
    octets = 0
    for path in sorted(wanted):
        if path not in files:
            continue
        digests = {a: hashlib.new(a) for a in wanted[path]}
        size = 0
        with package.open(path) as handle:
            while chunk := handle.read(1 << 20):
                size += len(chunk)
                for running in digests.values():
                    running.update(chunk)
        if path in payload:
            octets += size
        for algorithm, computed in digests.items():
            if computed.hexdigest() != wanted[path][algorithm]:
                report.problems.append(
                    f"bag: {path}: {algorithm} differs from the manifest (altered)"
                )
    oxum = re.search(r"^Payload-Oxum:\s*(\d+)\.(\d+)\s*$", info, re.MULTILINE)
    if oxum and (int(oxum[1]), int(oxum[2])) != (octets, len(payload)):
        report.problems.append(
            f"bag: Payload-Oxum says {oxum[1]} bytes in {oxum[2]} files, the payload holds "
            f"{octets} in {len(payload)}"
        )
