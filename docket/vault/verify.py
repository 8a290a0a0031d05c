"""`docket verify`: is every original intact and is the custody log the one that was signed?

Stages:
  1. the custody log: entries 0…n-1 all present, each leaf hashing to its stored hash and
     agreeing with its row; the Merkle root recomputed at every checkpoint's size equals the
     signed root; every checkpoint signature holds; timestamps cover their checkpoints; with
     `against` (a checkpoint kept outside, as `docket log head` printed it), its signature
     holds and an RFC 9162 consistency proof, computed from the entries as they stream by,
     shows that the current tree extends it: the database alone cannot tell a deleted tail
     and a history signed again with a seized key from the real log, a kept checkpoint can;
  2. the items: each row agrees with its "received" entry (which a signature covers), each
     item is in the compartment its last "received" or "moved" entry names, each blob exists
     and hashes to the recorded ciphertext hash, and with `deep` decrypts to the recorded
     plaintext hash;
  3. blobs in storage that no item owns (left by a crash between commit and insert) are
     counted, not treated as damage.
Every problem names the exact item or entry and what is wrong. A row whose columns hold
values of the wrong type (SQLite stores any type in any column: a leaf written as text) is a
problem of kind "malformed", never a crash; it counts as absent from what it belongs to.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

from docket.accounts.models import Compartment
from docket.lib import tsa
from docket.lib.storage import BlobStore
from docket.vault import age, custody, keys, merkle, notes
from docket.vault.models import Checkpoint, CustodyEntry, Item, LogState, Timestamp
from docket.vault.store import DEFAULT_COMPARTMENT

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
    with _tolerant_text():
        sizes = Item.objects.values_list("size", flat=True).iterator()
        total_bytes = sum(size for size in sizes if _kind(size) == NUMBER)
        return CustodyEntry.objects.count(), total_bytes


def verify(
    *,
    deep: bool = False,
    blobs: BlobStore | None = None,
    on_entry: Progress | None = None,
    on_bytes: Progress | None = None,
    against: str | None = None,
) -> Report:
    """Check everything; `against` is the text of a checkpoint kept outside (a signed note)."""
    report = Report()
    with _tolerant_text():
        _verify_log(report, on_entry, against)
        _verify_items(report, deep, blobs or BlobStore.default(), on_bytes)
    return report


# Malformed rows: the type each column read must have.

BYTES, TEXT, NUMBER, EMPTY = "bytes", "text", "a number", "empty"

LOG_STATE_COLUMNS = {"origin": (TEXT,), "size": (NUMBER,)}
ENTRY_COLUMNS = {
    "index": (NUMBER,),
    "leaf": (BYTES,),
    "leaf_hash": (BYTES,),
    "action": (TEXT,),
    "item_id": (NUMBER, EMPTY),
}
CHECKPOINT_COLUMNS = {"size": (NUMBER,), "root_hash": (BYTES,), "note": (TEXT,)}
TIMESTAMP_COLUMNS = {"token": (BYTES,)}
ITEM_COLUMNS = {
    "sha256": (TEXT,),
    "size": (NUMBER,),
    "blob": (TEXT,),
    "blob_sha256": (TEXT,),
    "compartment_id": (NUMBER,),
}


def _kind(value: object) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return TEXT
    if isinstance(value, bytes | bytearray | memoryview):
        return BYTES
    if isinstance(value, int) and not isinstance(value, bool):
        return NUMBER
    if isinstance(value, float):
        return "a fraction"
    return type(value).__name__


def _malformed(row: Mapping[str, object], wanted: Mapping[str, tuple[str, ...]]) -> str | None:
    """What is wrong with the first column of `row` whose value has a type it must not have."""
    for column, kinds in wanted.items():
        kind = _kind(row[column])
        if kind not in kinds:
            return f"the {column} is {kind}, not {kinds[0]}"
    return None


def _number_or_none(value: object) -> int | None:
    """A row's key as a problem's id: None where the key itself is malformed."""
    return value if isinstance(value, int) and _kind(value) == NUMBER else None


def _escaped(raw: bytes) -> str:
    return raw.decode(errors="surrogateescape")


@contextmanager
def _tolerant_text() -> Iterator[None]:
    """On SQLite, text that is not UTF-8 (bytes cast to text by hand) stops the sqlite3 module
    from reading its row at all; while verify reads, such text comes back with its bytes
    escaped, so that the row can be named as malformed. PostgreSQL keeps every column's type."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.text_factory
    raw.text_factory = _escaped
    try:
        yield
    finally:
        raw.text_factory = before


# Stage 1: the custody log.


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    leaf: bytes
    leaf_hash: bytes
    action: str
    item_id: int | None


class _Kept:
    """`verify --against`: a checkpoint kept outside, which the current tree (`size` entries,
    those that existed when verify began) must extend."""

    def __init__(self, kept: notes.Checkpoint, size: int) -> None:
        self.kept = kept
        self.size = size
        self._prover = merkle.ConsistencyProver(kept.size, size)
        self._root = merkle.EMPTY_ROOT if size == 0 else None

    def append(self, leaf_hash_value: bytes, tree: merkle.TreeBuilder) -> None:
        """Called with each leaf hash once `tree` holds it."""
        if tree.size <= self.size:
            self._prover.append(leaf_hash_value)
        if tree.size == self.size:
            self._root = tree.root()

    def check(self, report: Report) -> None:
        first = self.kept.size
        try:
            if self._root is None:
                raise merkle.ProofError(f"only {self._prover.size} entries could be read")
            proof = self._prover.proof()
            merkle.verify_consistency(first, self.size, proof, self.kept.root_hash, self._root)
        except merkle.ProofError as exc:
            report.problem(
                "checkpoint",
                first,
                f"the log of {self.size} entries does not extend the kept checkpoint of size "
                f"{first} ({exc}): entries before {first} were rewritten",
            )


class _Tree:
    """The custody log's Merkle tree as verify rebuilds it, one leaf hash at a time; each
    stored checkpoint, and a kept one, is checked as the tree reaches its size."""

    def __init__(self, report: Report, checkpoints: list[Checkpoint], kept: _Kept | None) -> None:
        self.report = report
        self.builder = merkle.TreeBuilder()
        self._pending = iter(checkpoints)
        self._next = next(self._pending, None)
        self._kept = kept
        self._reached()  # checkpoints of the empty tree

    def append(self, leaf_hash_value: bytes) -> None:
        self.builder.append(leaf_hash_value)
        if self._kept is not None:
            self._kept.append(leaf_hash_value, self.builder)
        self._reached()

    def fill_to(self, index: int) -> None:
        """Entries before `index` that are not in the table: named, and kept as placeholders
        so that later roots are still compared."""
        while self.builder.size < index:
            self.report.problem("entry", self.builder.size, "custody entry is missing (deleted?)")
            self.append(b"\x00" * 32)

    def _reached(self) -> None:
        while self._next is not None and self._next.size == self.builder.size:
            _compare_root(self.report, self._next, self.builder.root())
            self._next = next(self._pending, None)

    def finish(self) -> None:
        if self._next is not None:
            self.report.problem(
                "checkpoint",
                self._next.size,
                f"checkpoint of size {self._next.size} but only {self.builder.size} entries exist",
            )
        if self._kept is not None:
            self._kept.check(self.report)


def _verify_log(report: Report, on_entry: Progress | None, against: str | None) -> None:
    """Stage 1, in constant memory: one pass over the entries in index order."""
    state = LogState.objects.filter(pk=1).values("origin", "size").first()
    if state is None:
        report.problem("log", None, "the custody log is not initialised (run `docket init`)")
        return
    if (malformed := _malformed(state, LOG_STATE_COLUMNS)) is not None:
        report.problem("malformed", None, f"the log state: {malformed}")
        return
    try:
        public = keys.signing_public_key()
    except keys.KeyUnavailable as exc:
        report.problem("log", None, str(exc))
        return
    size = CustodyEntry.objects.count()  # the current tree: entries appended later are not in it
    kept = None if against is None else _kept(report, against, state["origin"], public, size)
    checkpoints = _checkpoints(report)
    report.checkpoints = len(checkpoints)
    for checkpoint in checkpoints:
        _verify_checkpoint_note(report, checkpoint, state["origin"], public)
    tree = _Tree(report, checkpoints, kept)
    # No entry can lie beyond every count of the log: one that does is named, not reached by
    # filling the gap with placeholders (an index of 4e18 would fill memory).
    limit = max(size, state["size"], max((c.size for c in checkpoints), default=0))
    for index, entry in _entries(report):
        if index >= limit:
            report.problem("entry", index, f"custody entry {index} lies beyond the log's end")
            continue
        tree.fill_to(index)
        if entry is None:  # malformed, already named: a placeholder keeps the positions
            tree.append(b"\x00" * 32)
        else:
            tree.append(_check_entry(report, entry))
        report.entries += 1
        if on_entry:
            on_entry(1)
    tree.finish()
    built = tree.builder.size
    if state["size"] != built:
        report.problem(
            "log", None, f"the log state says {state['size']} entries, the table has {built}"
        )
    sealed = checkpoints[-1].size if checkpoints else 0
    report.unsealed_entries = max(0, built - sealed)


def _kept(report: Report, note: str, origin: str, public: bytes, size: int) -> _Kept | None:
    """The kept checkpoint once its signature holds and the log is not smaller than it."""
    try:
        kept = notes.verify_checkpoint(note, origin, public)
    except notes.NoteError as exc:
        report.problem(
            "checkpoint", None, f"the kept checkpoint does not verify with the log key: {exc}"
        )
        return None
    if kept.size > size:
        report.problem(
            "checkpoint",
            kept.size,
            f"the kept checkpoint covers {kept.size} entries but the log holds only {size}: "
            f"entries from {size} on were deleted",
        )
        return None
    return _Kept(kept, size)


def _entries(report: Report) -> Iterator[tuple[int, _Entry | None]]:
    """(index, entry) in index order; None for a malformed row, which is named here. A row
    whose index is malformed has no place in the tree and is only named."""
    rows = CustodyEntry.objects.order_by("index").values_list(*ENTRY_COLUMNS)
    for values in rows.iterator(chunk_size=2000):
        row = dict(zip(ENTRY_COLUMNS, values, strict=True))
        malformed = _malformed(row, ENTRY_COLUMNS)
        if malformed is None:
            leaf, leaf_hash = bytes(row["leaf"]), bytes(row["leaf_hash"])
            yield row["index"], _Entry(row["index"], leaf, leaf_hash, row["action"], row["item_id"])
            continue
        index = _number_or_none(row["index"])
        report.problem("malformed", index, f"custody entry {row['index']!s}: {malformed}")
        if index is not None:
            yield index, None


def _check_entry(report: Report, entry: _Entry) -> bytes:
    """Check one well-formed entry; returns the leaf hash its bytes have."""
    computed = merkle.leaf_hash(entry.leaf)
    if computed != entry.leaf_hash:
        report.problem("entry", entry.index, "leaf bytes do not match the stored leaf hash")
    _check_leaf(report, entry)
    return computed


def _checkpoints(report: Report) -> list[Checkpoint]:
    """The well-formed checkpoints in size order; the others are named."""
    found = []
    for checkpoint in Checkpoint.objects.order_by("size").only(*CHECKPOINT_COLUMNS):
        row = {column: getattr(checkpoint, column) for column in CHECKPOINT_COLUMNS}
        malformed = _malformed(row, CHECKPOINT_COLUMNS)
        if malformed is None:
            checkpoint.root_hash = bytes(checkpoint.root_hash)
            found.append(checkpoint)
        else:
            report.problem(
                "malformed",
                _number_or_none(checkpoint.size),
                f"checkpoint at size {checkpoint.size!s}: {malformed}",
            )
    return found


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
    stamps = Timestamp.objects.filter(checkpoint=checkpoint).values_list("pk", *TIMESTAMP_COLUMNS)
    for pk, token in stamps:
        malformed = _malformed({"token": token}, TIMESTAMP_COLUMNS)
        if malformed is not None:
            report.problem("malformed", checkpoint.size, f"timestamp {pk}: {malformed}")
            continue
        try:
            info = tsa.token_info(bytes(token))
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


def _check_leaf(report: Report, entry: _Entry) -> None:
    try:
        data = json.loads(entry.leaf)
    except ValueError:
        report.problem("entry", entry.index, "leaf is not valid JSON")
        return
    if not isinstance(data, dict):
        report.problem("entry", entry.index, "leaf is not a JSON object")
        return
    if custody.canonical(data) != entry.leaf:
        report.problem("entry", entry.index, "leaf is not in canonical form")
    if data.get("index") != entry.index:
        report.problem("entry", entry.index, f"leaf states index {data.get('index')}")
    if data.get("action") != entry.action or data.get("item") != entry.item_id:
        report.problem("entry", entry.index, "row columns differ from the leaf")
    if not isinstance(data.get("details"), dict):
        report.problem("entry", entry.index, "leaf has no details object")


# Stage 2: the items.


class _Item(NamedTuple):
    pk: int
    sha256: str
    size: int
    blob: str
    blob_sha256: str
    compartment_id: int


@dataclass
class _Signed:
    """What the signed "received" and "moved" entries of one item state."""

    item: int
    received: list[dict[str, Any]] = field(default_factory=list)
    compartment: str | None = None  # where the last of them puts the item


def _binary(value: object) -> bytes | None:
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else None


def _signed_leaf(leaf_value: object, stored_hash: object) -> dict[str, Any] | None:
    """A leaf's statement, if its bytes still match their hash and it has details.

    Stage 1 checked every leaf against the signed tree and named every one that is not
    well-formed; such a leaf is skipped here, so nothing unsigned is trusted.
    """
    leaf, stored = _binary(leaf_value), _binary(stored_hash)
    if leaf is None or stored is None or merkle.leaf_hash(leaf) != stored:
        return None
    try:
        data = json.loads(leaf)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("details"), dict):
        return None
    return data


def _signed_records() -> Iterator[_Signed]:
    """What the signed entries state about each item, ordered by item id."""
    rows = (
        CustodyEntry.objects.filter(action__in=("received", "moved"), item__isnull=False)
        .order_by("item_id", "index")
        .values_list("item_id", "leaf", "leaf_hash")
    )
    for item_id, group in itertools.groupby(rows.iterator(chunk_size=2000), lambda r: r[0]):
        if _kind(item_id) != NUMBER:
            continue  # a malformed row, named in stage 1
        signed = _Signed(item_id)
        for _, leaf, stored_hash in group:
            data = _signed_leaf(leaf, stored_hash)
            if data is None:
                continue
            details = data["details"]
            if data.get("action") == "received":
                signed.received.append({**details, "sha256": data.get("sha256")})
                # Items stored before compartments existed went into the default one.
                signed.compartment = details.get("compartment", DEFAULT_COMPARTMENT)
            elif data.get("action") == "moved":
                signed.compartment = details.get("to")
        yield signed


class _SignedByItem:
    """The signed records taken as the items go by in id order (a merge join), so memory
    stays constant however many items the vault holds."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self._records = _signed_records()
        self._next = next(self._records, None)

    def take(self, pk: int) -> _Signed | None:
        """The record of item `pk`; records of lower ids have no item row and are named."""
        self._skip(lambda record: record.item < pk)
        if self._next is None or self._next.item != pk:
            return None
        found, self._next = self._next, next(self._records, None)
        return found

    def finish(self) -> None:
        self._skip(lambda record: True)

    def _skip(self, before: Callable[[_Signed], bool]) -> None:
        while self._next is not None and before(self._next):
            self._report.problem(
                "item", self._next.item, "item is in the custody log but not in the database"
            )
            self._next = next(self._records, None)


def _verify_items(
    report: Report,
    deep: bool,
    blobs: BlobStore,
    on_bytes: Progress | None,
) -> None:
    """Stage 2: each item row against what its signed entries state, and its blob."""
    identity = keys.identity() if deep else None
    compartments = dict(Compartment.objects.values_list("pk", "name"))
    owned: set[str] = set()
    signed = _SignedByItem(report)
    rows = Item.objects.order_by("id").values_list("id", *ITEM_COLUMNS)
    for pk, *values in rows.iterator(chunk_size=2000):
        report.items += 1
        record = signed.take(pk)
        row = dict(zip(ITEM_COLUMNS, values, strict=True))
        if isinstance(row["blob"], str):
            owned.add(row["blob"])  # its blob is no stray, even if the row is malformed
        malformed = _malformed(row, ITEM_COLUMNS)
        if malformed is not None:
            report.problem("malformed", pk, f"item {pk}: {malformed}")
            continue
        item = _Item(pk, **row)
        _check_item(report, item, record)
        _check_compartment(report, item, record, compartments)
        _verify_blob(report, item, blobs, identity, on_bytes)
    signed.finish()
    # Blob names are short; one set of them per verify is the price of finding strays.
    # Export packages (encrypted to their recipients) live beside the blobs, under exports/.
    report.stray_blobs = sum(
        1 for name in blobs.names() if name not in owned and not name.startswith("exports/")
    )


def _check_item(report: Report, item: _Item, record: _Signed | None) -> None:
    """The row agrees with its one signed "received" entry."""
    if record is None or not record.received:
        report.problem("item", item.pk, "no 'received' custody entry for this item")
        return
    received, *more = record.received
    for column in ("sha256", "size", "blob", "blob_sha256"):
        if getattr(item, column) != received.get(column):
            report.problem("item", item.pk, f"{column} differs from the signed custody entry")
    for _ in more:
        report.problem("item", item.pk, "more than one 'received' entry for this item")


def _check_compartment(
    report: Report, item: _Item, record: _Signed | None, compartments: dict[int, str]
) -> None:
    """The item is where its last signed "received" or "moved" entry put it."""
    if record is None or record.compartment is None:
        return
    name = compartments.get(item.compartment_id)
    if name == record.compartment:
        return
    where = repr(name) if name is not None else f"#{item.compartment_id}, which does not exist"
    report.problem(
        "compartment",
        item.pk,
        f"item is in compartment {where}; its last signed 'received' or 'moved' entry puts it "
        f"in {record.compartment!r}",
    )


def _verify_blob(
    report: Report,
    item: _Item,
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
