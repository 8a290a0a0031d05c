"""Building an export: ask (two-person rule), approve, pack in the worker.

Every kind of export is a zip, encrypted as it is written to the recipient's age key, so
Docket never holds it in clear, on disk or anywhere else. What goes inside is the kind's
packer (`PACKERS`, registered with `@packer(kind)`); the rest (the approval, the state, the
encryption, the audit) is the same for all. A whole compartment's package holds:

    README.txt       what this is and how to check it
    manifest.json    who asked, who approved, why; the custody log's origin and public key
    checkpoint.txt   the signed checkpoint (C2SP signed note) that every proof leads to
    SHA256SUMS       `sha256sum -c SHA256SUMS` checks every original
    items/ID.bin     the originals, byte for byte
    custody.jsonl    every custody entry of those items, each with its inclusion proof

`docket exports check PACKAGE` checks all of it (docket/exports/check.py, no database needed).
Reading each original for the export writes a custody entry, and the export writes one more
entry naming itself, before the checkpoint is sealed: the package proves its own making.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import logging
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts import approvals, audit, notifications
from docket.accounts.models import Approval, Compartment, Notification, User
from docket.exports.models import Export
from docket.jobs import queue
from docket.lib.storage import BlobStore
from docket.vault import age, custody, keys, merkle, notes
from docket.vault.models import Checkpoint, CustodyEntry, Item
from docket.vault.store import HashingWriter, read

log = logging.getLogger(__name__)

FORMAT = "docket-export/1"
ACTION = "export.compartment"
#: the approval action of each kind of export
ACTIONS = {kind: f"export.{kind}" for kind in Export.Kind.values}
PROGRESS_EVERY = 20  # items between progress writes


class ExportError(RuntimeError):
    pass


def ask(
    user: User,
    compartment: Compartment,
    *,
    recipient: str,
    recipient_label: str,
    reason: str,
    kind: str = Export.Kind.COMPARTMENT,
    case: Any = None,
    min_confidence: str = "",
    parameters: dict[str, Any] | None = None,
) -> Export:
    """Record the request; nothing is packed until a second admin approves. The caller has
    checked that `user` may ask for this kind in `compartment` and that `case` belongs to it."""
    age.Recipient.parse(recipient)  # the form checked it; never store a key we cannot use
    if kind not in ACTIONS:
        raise ValueError(f"unknown kind of export {kind!r}")
    if case is not None and case.compartment_id != compartment.pk:
        raise ValueError("the case belongs to another compartment")
    with transaction.atomic():
        approval = approvals.ask(
            user, ACTIONS[kind], compartment,
            summary=_summary(kind, compartment, case, recipient_label),
            reason=reason,
        )  # fmt: skip
        export = Export.objects.create(
            kind=kind, compartment=compartment, case=case, approval=approval,
            requested_by=user, recipient=recipient, recipient_label=recipient_label,
            min_confidence=min_confidence, parameters=parameters or {},
        )  # fmt: skip
        audit.record_system(
            user, "export.request", export,
            details={"kind": kind, "recipient": recipient, "recipient_label": recipient_label},
        )  # fmt: skip
    return export


def _summary(kind: str, compartment: Compartment, case: Any, label: str) -> str:
    if kind == Export.Kind.COMPARTMENT:
        return f"Export every item of {compartment.name} to {label}"
    what = f"case {case.pk}" if case is not None else compartment.name
    return f"Export the {kind} of {what} to {label}"


def _every_action(register: Callable[[str], Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """Register one approvals callback for the action of every kind of export."""

    def decorate(function: Any) -> Any:
        for action in ACTIONS.values():
            register(action)(function)
        return function

    return decorate


@_every_action(approvals.on_approve)
def _approved(approval: Approval) -> None:
    Export.objects.filter(approval=approval).update(state=Export.State.QUEUED)
    export = Export.objects.get(approval=approval)
    queue.enqueue("export.build", {"export": export.pk})


@_every_action(approvals.sends_to)
def _recipient(approval: Approval) -> tuple[str, str] | None:
    export = Export.objects.filter(approval=approval).first()
    return (export.recipient_label, export.recipient) if export else None


@_every_action(approvals.page_of)
def _page(approval: Approval) -> tuple[str, int]:
    return ("exports:export", Export.objects.get(approval=approval).pk)


@_every_action(approvals.summarised)
def _words(approval: Approval) -> str:
    export = Export.objects.get(approval=approval)
    words = {
        "compartment": approval.compartment.name,
        "recipient": export.recipient_label,
        "case": export.case.title if export.case else "",
    }
    if export.kind == Export.Kind.CASE:
        return gettext("Export the court bundle of the case %(case)s to %(recipient)s") % words
    if export.kind == Export.Kind.SANCTIONS and export.case:
        return gettext("Export the sanctions list of the case %(case)s to %(recipient)s") % words
    if export.kind == Export.Kind.SANCTIONS:
        return gettext("Export the sanctions list of %(compartment)s to %(recipient)s") % words
    if export.kind == Export.Kind.REPORT:
        return gettext("Export a public report of %(compartment)s to %(recipient)s") % words
    return gettext("Export every item of %(compartment)s to %(recipient)s") % words


@_every_action(approvals.on_refuse)
def _refused(approval: Approval) -> None:
    Export.objects.filter(approval=approval, state=Export.State.AWAITING).update(
        state=Export.State.REFUSED, finished_at=timezone.now()
    )


@queue.register("export.build")
def build_job(payload: dict[str, Any]) -> None:
    export = Export.objects.get(pk=payload["export"])
    was = export.state
    try:
        build(export)
    except Exception as exc:
        Export.objects.filter(pk=export.pk).update(state=Export.State.FAILED, error=str(exc))
        if was != Export.State.FAILED:  # told once, not at every retry
            _tell(export, Notification.Kind.EXPORT_FAILED)
        raise
    if was != Export.State.READY:
        _tell(export, Notification.Kind.EXPORT_READY)


def _tell(export: Export, kind: str) -> None:
    notifications.notify(
        export.requested_by, kind, compartment=export.compartment,
        link=("exports:export", export.pk), pk=export.pk, compartment_name=export.compartment.name,
    )  # fmt: skip


@dataclass
class Packing:
    """What a packer writes into: the open zip (encrypted as it is written) and its export."""

    package: zipfile.ZipFile
    export: Export
    blobs: BlobStore

    @property
    def actor(self) -> str:
        """Who reads the originals, in their custody entries."""
        return f"export:{self.export.pk}"

    def progress(self, done: int, total: int | None = None) -> None:
        """Say how far the packing is (the export's page shows it)."""
        fields: dict[str, int] = {"done": done}
        if total is not None:
            fields["total"] = total
        Export.objects.filter(pk=self.export.pk).update(**fields)

    def originals(self, items: Iterable[Item]) -> Iterator[tuple[Item, Iterator[bytes]]]:
        """Each item with its original's chunks (each read writes a custody entry); raises
        ExportError after the last chunk of an original that does not match its hash."""
        for item in items:
            yield item, self._checked(item)

    def _checked(self, item: Item) -> Iterator[bytes]:
        digest = hashlib.sha256()
        for chunk in read(item, actor=self.actor, blobs=self.blobs):
            digest.update(chunk)
            yield chunk
        if digest.hexdigest() != item.sha256:
            raise ExportError(f"item {item.pk} does not match its SHA-256: run `docket verify`")

    def seal(self, packed: int, **details: Any) -> tuple[Checkpoint, CustodyEntry]:
        """Append the export's own custody entry and seal a checkpoint over it."""
        with transaction.atomic():
            own = custody.append(
                "export",
                actor=self.actor,
                details={
                    "export": self.export.pk,
                    "kind": self.export.kind,
                    "compartment": self.export.compartment.name,
                    "items": packed,
                    "recipient": self.export.recipient,
                    "approved_by": _username(self.export.approval.decided_by),
                    **details,
                },
            )
        checkpoint = custody.seal() or custody.latest_checkpoint()
        assert checkpoint is not None  # the entry above was just appended
        return checkpoint, own

    def custody_lines(
        self, checkpoint: Checkpoint, own: CustodyEntry, items: Any = None
    ) -> Iterator[str]:
        """The custody entries of `items` (a queryset of ids; the compartment's items when
        None) and the export's own, each a JSON line with its inclusion proof."""
        return _custody_lines(self.export, checkpoint, own, items)

    def manifest(self, checkpoint: Checkpoint, packed: int, **extra: Any) -> str:
        """manifest.json: who asked, who approved, why; the log's origin and public key."""
        return _manifest(self.export, checkpoint, packed, **extra)


Packer = Callable[[Packing], int]
#: kind of export -> its packer, which writes the contents and returns how many items it packed
PACKERS: dict[str, Packer] = {}


def packer(kind: str) -> Callable[[Packer], Packer]:
    def register(function: Packer) -> Packer:
        PACKERS[kind] = function
        return function

    return register


def build(export: Export, *, blobs: BlobStore | None = None) -> Export:
    """Pack the export; idempotent (a ready export is left alone, a failed one rebuilt)."""
    if export.state == Export.State.READY:
        return export
    if export.approval.state != Approval.State.APPROVED:
        raise ExportError(f"export {export.pk} is not approved")
    pack = PACKERS.get(export.kind)
    if pack is None:
        raise ExportError(f"no packer for exports of kind {export.kind!r}")
    blobs = blobs or BlobStore.default()
    keys.identity()  # fails at once, clearly, in a process without the vault key
    recipient = age.Recipient.parse(export.recipient)
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.BUILDING, total=0, done=0, error=""
    )
    with blobs.staged_file() as (staged, handle):
        counted = HashingWriter(handle)
        sealed = age.EncryptingWriter(counted, [recipient])
        with zipfile.ZipFile(sealed, "w", zipfile.ZIP_STORED, allowZip64=True) as package:
            packed = pack(Packing(package, export, blobs))
        sealed.close()
        handle.flush()
        os.fsync(handle.fileno())
        name = f"exports/{uuid.uuid4().hex}.age"
        blobs.commit(staged, name)
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.READY, blob=name, size=counted.size,
        sha256=counted.hash.hexdigest(), done=packed, finished_at=timezone.now(),
    )  # fmt: skip
    export.refresh_from_db()
    audit.record_system(
        None, "export.build", export,
        details={"kind": export.kind, "items": packed, "size": counted.size,
                 "sha256": export.sha256},
    )  # fmt: skip
    log.info("export %s (%s) ready: %s items, %s bytes", export.pk, export.kind, packed,
             counted.size)  # fmt: skip
    return export


@packer(Export.Kind.COMPARTMENT)
def _pack_compartment(packing: Packing) -> int:
    """Every original of the compartment, SHA256SUMS, custody with proofs, the manifest."""
    package, export = packing.package, packing.export
    items = Item.objects.filter(compartment=export.compartment).order_by("id")
    packing.progress(0, items.count())
    sums = []
    packed = 0
    for item, chunks in packing.originals(items.iterator()):
        member = zipfile.ZipInfo(f"items/{item.pk}.bin", item.received_at.timetuple()[:6])
        with package.open(member, "w", force_zip64=True) as out:
            for chunk in chunks:
                out.write(chunk)
        sums.append(f"{item.sha256}  items/{item.pk}.bin\n")
        packed += 1
        if packed % PROGRESS_EVERY == 0:
            packing.progress(packed)
    checkpoint, own = packing.seal(packed)
    package.writestr("SHA256SUMS", "".join(sums))
    with package.open("custody.jsonl", "w", force_zip64=True) as out:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        text.writelines(packing.custody_lines(checkpoint, own))
        text.flush()
        text.detach()
    package.writestr("checkpoint.txt", checkpoint.note)
    package.writestr("manifest.json", packing.manifest(checkpoint, packed))
    package.writestr("README.txt", _readme(export))
    return packed


def _custody_lines(
    export: Export, checkpoint: Checkpoint, own: CustodyEntry, items: Any = None
) -> Iterator[str]:
    """Every entry of the exported items, and the export's own, each with its proof."""
    tree = merkle.ProofTree(list(custody.leaf_hashes(0, checkpoint.size)))
    try:
        merkle.verify_inclusion(
            own.index, checkpoint.size, bytes(own.leaf_hash),
            tree.inclusion_proof(own.index), bytes(checkpoint.root_hash),
        )  # fmt: skip
    except merkle.ProofError as exc:
        raise ExportError(f"the custody log does not match its checkpoint ({exc})") from exc
    entries = CustodyEntry.objects.filter(
        index__lt=checkpoint.size, item__compartment=export.compartment
    )
    if items is not None:
        entries = entries.filter(item__in=items)
    for entry in itertools.chain(entries.order_by("index").iterator(), [own]):
        line = {
            "index": entry.index,
            "leaf": base64.b64encode(bytes(entry.leaf)).decode(),
            "proof": [p.hex() for p in tree.inclusion_proof(entry.index)],
        }
        yield json.dumps(line, separators=(",", ":")) + "\n"


def _manifest(export: Export, checkpoint: Checkpoint, packed: int, **extra: Any) -> str:
    origin = custody.origin()
    public_key = keys.signing_public_key()
    approval = export.approval
    data = {
        "format": FORMAT,
        "export": export.pk,
        "kind": export.kind,
        "compartment": export.compartment.name,
        "items": packed,
        "requested_by": _username(export.requested_by),
        "requested_at": export.requested_at.isoformat(),
        "reason": approval.reason,
        "approved_by": _username(approval.decided_by),
        "approved_at": approval.decided_at.isoformat() if approval.decided_at else None,
        "recipient": export.recipient,
        "recipient_label": export.recipient_label,
        "built_at": timezone.now().isoformat(),
        "log": {
            "origin": origin,
            "public_key": base64.b64encode(public_key).decode(),
            "verifier_key": notes.verifier_key(origin, public_key),
            "tree_size": checkpoint.size,
            "root_hash": checkpoint.root_hex(),
        },
        **extra,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _readme(export: Export) -> str:
    return f"""Docket export {export.pk}: every item of the compartment "{export.compartment.name}".

Files
  items/ID.bin     each original, byte for byte, as the vault received it
  SHA256SUMS       their SHA-256 hashes; check with:  sha256sum -c SHA256SUMS
  custody.jsonl    each item's custody entries (received, read, ...) with a Merkle inclusion
                   proof (RFC 9162) against the checkpoint below
  checkpoint.txt   the custody log's size and root hash, signed (C2SP signed note, Ed25519)
  manifest.json    who asked for this export, why, who approved it, and the log's public key

Checking everything at once
  docket exports check PACKAGE.zip     (or the unpacked folder)

  It checks the checkpoint's signature, every hash and every proof. The public key it uses is
  the one in manifest.json: compare the printed verifier key with the one the organisation
  publishes (`docket log head` on its instance), or the check proves nothing about origin.
"""


def _username(user: User | None) -> str:
    return user.get_username() if user else ""
