"""`docket verify`: is every original intact and is the custody log the one that was signed?

Stages:
  1. the custody log: entries 0…n-1 all present, each leaf hashing to its stored hash and
     agreeing with its row; the Merkle root recomputed at every checkpoint's size equals the
     signed root; every checkpoint signature holds; timestamps cover their checkpoints;
  2. the items: each row agrees with its "received" entry (which a signature covers), each blob
     exists and hashes to the recorded ciphertext hash, and with `deep` decrypts to the
     recorded plaintext hash;
  3. blobs in storage that no item owns (left by a crash between commit and insert) are
     counted, not treated as damage.
Every problem names the exact item or entry and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from docket.lib import tsa
from docket.lib.storage import BlobStore
from docket.vault import age, custody, keys, merkle, notes
from docket.vault.models import Checkpoint, CustodyEntry, Item, LogState, Timestamp

Progress = Callable[[int], object]


@dataclass
class Report:
    items: int = 0
    entries: int = 0
    checkpoints: int = 0
    unsealed_entries: int = 0
    stray_blobs: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, kind: str, ref: Any, message: str) -> None:
        self.problems.append({"kind": kind, "id": ref, "problem": message})

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "items": self.items,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "unsealed_entries": self.unsealed_entries,
            "stray_blobs": self.stray_blobs,
            "problems": self.problems,
        }


def totals() -> tuple[int, int]:
    """(custody entries, blob bytes): the units a progress bar counts."""
    total_bytes = sum(Item.objects.values_list("size", flat=True).iterator())
    return CustodyEntry.objects.count(), total_bytes


def verify(
    *,
    deep: bool = False,
    blobs: BlobStore | None = None,
    on_entry: Progress | None = None,
    on_bytes: Progress | None = None,
) -> Report:
    report = Report()
    _verify_log(report, on_entry)
    _verify_items(report, deep, blobs or BlobStore.default(), on_bytes)
    return report


def _verify_log(report: Report, on_entry: Progress | None) -> None:
    """Stage 1, in constant memory: one pass over the entries in index order."""
    state = LogState.objects.filter(pk=1).first()
    if state is None:
        report.problem("log", None, "the custody log is not initialised (run `docket init`)")
        return
    try:
        public = keys.signing_public_key()
    except keys.KeyUnavailable as exc:
        report.problem("log", None, str(exc))
        return
    checkpoints = list(Checkpoint.objects.order_by("size"))
    report.checkpoints = len(checkpoints)
    for checkpoint in checkpoints:
        _verify_checkpoint_note(report, checkpoint, state.origin, public)
    pending = iter(checkpoints)
    next_checkpoint = next(pending, None)
    while next_checkpoint is not None and next_checkpoint.size == 0:
        _compare_root(report, next_checkpoint, merkle.EMPTY_ROOT)
        next_checkpoint = next(pending, None)

    builder = merkle.TreeBuilder()
    expected_index = 0
    for entry in CustodyEntry.objects.order_by("index").iterator(chunk_size=2000):
        while expected_index < entry.index:
            report.problem("entry", expected_index, "custody entry is missing (deleted?)")
            builder.append(b"\x00" * 32)  # keep positions so later roots are still compared
            expected_index += 1
        leaf = bytes(entry.leaf)
        computed = merkle.leaf_hash(leaf)
        if computed != bytes(entry.leaf_hash):
            report.problem("entry", entry.index, "leaf bytes do not match the stored leaf hash")
        builder.append(computed)
        _check_leaf(report, entry, leaf)
        expected_index += 1
        report.entries += 1
        while next_checkpoint is not None and next_checkpoint.size == builder.size:
            _compare_root(report, next_checkpoint, builder.root())
            next_checkpoint = next(pending, None)
        if on_entry:
            on_entry(1)
    if next_checkpoint is not None:
        report.problem(
            "checkpoint",
            next_checkpoint.size,
            f"checkpoint of size {next_checkpoint.size} but only {builder.size} entries exist",
        )
    if state.size != builder.size:
        report.problem(
            "log", None, f"the log state says {state.size} entries, the table has {builder.size}"
        )
    sealed = checkpoints[-1].size if checkpoints else 0
    report.unsealed_entries = max(0, builder.size - sealed)


def _verify_checkpoint_note(
    report: Report, checkpoint: Checkpoint, origin: str, public: bytes
) -> None:
    try:
        stated = notes.verify_checkpoint(checkpoint.note, origin, public)
    except notes.NoteError as exc:
        report.problem("checkpoint", checkpoint.size, f"signature check failed: {exc}")
        return
    if stated.size != checkpoint.size or stated.root_hash != bytes(checkpoint.root_hash):
        report.problem(
            "checkpoint", checkpoint.size, "the row's size or root differs from the signed note"
        )
    for stamp in Timestamp.objects.filter(checkpoint=checkpoint):
        try:
            info = tsa.token_info(bytes(stamp.token))
        except tsa.TimestampError as exc:
            report.problem("checkpoint", checkpoint.size, f"timestamp token: {exc}")
            continue
        if info.digest != hashlib.sha256(checkpoint.note.encode()).digest():
            report.problem("checkpoint", checkpoint.size, "timestamp covers another note")


def _compare_root(report: Report, checkpoint: Checkpoint, root: bytes) -> None:
    if root != bytes(checkpoint.root_hash):
        report.problem(
            "checkpoint",
            checkpoint.size,
            f"recomputed root {root.hex()} differs from the signed root "
            f"{bytes(checkpoint.root_hash).hex()}: entries before {checkpoint.size} were altered",
        )


def _check_leaf(report: Report, entry: CustodyEntry, leaf: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(leaf)
    except ValueError:
        report.problem("entry", entry.index, "leaf is not valid JSON")
        return None
    if custody.canonical(data) != leaf:
        report.problem("entry", entry.index, "leaf is not in canonical form")
    if data.get("index") != entry.index:
        report.problem("entry", entry.index, f"leaf states index {data.get('index')}")
    if data.get("action") != entry.action or data.get("item") != entry.item_id:
        report.problem("entry", entry.index, "row columns differ from the leaf")
    if not isinstance(data.get("details"), dict):
        report.problem("entry", entry.index, "leaf has no details object")
        return None
    return data


def _received_records() -> Iterator[tuple[int, dict[str, Any]]]:
    """(item id, what its "received" leaf states), ordered by item id.

    Stage 1 checked every leaf against the signed tree; a leaf whose bytes no longer match its
    hash was reported there and is skipped here, so nothing unsigned is trusted.
    """
    rows = (
        CustodyEntry.objects.filter(action="received", item__isnull=False)
        .order_by("item_id", "index")
        .values_list("item_id", "leaf", "leaf_hash")
    )
    for item_id, leaf, stored_hash in rows.iterator(chunk_size=2000):
        leaf = bytes(leaf)
        if merkle.leaf_hash(leaf) != bytes(stored_hash):
            continue
        data = json.loads(leaf)
        yield int(item_id), {**data["details"], "sha256": data["sha256"]}


def _verify_items(
    report: Report,
    deep: bool,
    blobs: BlobStore,
    on_bytes: Progress | None,
) -> None:
    """Stage 2: a merge join of items and their "received" entries, both in item-id order,
    so memory stays constant however many items the vault holds."""
    identity = keys.identity() if deep else None
    owned: set[str] = set()
    records = _received_records()
    pending = next(records, None)
    for item in Item.objects.order_by("id").iterator(chunk_size=2000):
        report.items += 1
        owned.add(item.blob)
        while pending is not None and pending[0] < item.pk:
            report.problem("item", pending[0], "item is in the custody log but not in the database")
            pending = next(records, None)
        if pending is None or pending[0] != item.pk:
            report.problem("item", item.pk, "no 'received' custody entry for this item")
        else:
            record = pending[1]
            for column in ("sha256", "size", "blob", "blob_sha256"):
                if getattr(item, column) != record.get(column):
                    report.problem(
                        "item", item.pk, f"{column} differs from the signed custody entry"
                    )
            pending = next(records, None)
            while pending is not None and pending[0] == item.pk:
                report.problem("item", item.pk, "more than one 'received' entry for this item")
                pending = next(records, None)
        _verify_blob(report, item, blobs, identity, on_bytes)
    while pending is not None:
        report.problem("item", pending[0], "item is in the custody log but not in the database")
        pending = next(records, None)
    # Blob names are short; one set of them per verify is the price of finding strays.
    # Export packages (encrypted to their recipients) live beside the blobs, under exports/.
    report.stray_blobs = sum(
        1 for name in blobs.names() if name not in owned and not name.startswith("exports/")
    )


def _verify_blob(
    report: Report,
    item: Item,
    blobs: BlobStore,
    identity: age.Identity | None,
    on_bytes: Progress | None,
) -> None:
    cipher = hashlib.sha256()
    try:
        with blobs.open(item.blob) as handle:
            while chunk := handle.read(1 << 20):
                cipher.update(chunk)
    except (FileNotFoundError, OSError) as exc:
        report.problem("item", item.pk, f"blob {item.blob} cannot be read: {exc}")
        return
    if cipher.hexdigest() != item.blob_sha256:
        report.problem("item", item.pk, f"blob {item.blob} has been altered (ciphertext hash)")
        return
    if identity is not None:
        plain = hashlib.sha256()
        size = 0
        try:
            with blobs.open(item.blob) as handle:
                for chunk in age.decrypt_chunks(handle, [identity]):
                    plain.update(chunk)
                    size += len(chunk)
        except age.AgeError as exc:
            report.problem("item", item.pk, f"blob does not decrypt: {exc}")
            return
        if plain.hexdigest() != item.sha256 or size != item.size:
            report.problem("item", item.pk, "decrypted content differs from its recorded hash")
    if on_bytes:
        on_bytes(item.size)
