"""Building an export: ask (two-person rule), approve, pack in the worker.

The package is a zip, encrypted as it is written to the recipient's age key, so Docket never
holds it in clear, on disk or anywhere else:

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
PROGRESS_EVERY = 20  # items between progress writes


class ExportError(RuntimeError):
    pass


def ask(
    user: User, compartment: Compartment, *, recipient: str, recipient_label: str, reason: str
) -> Export:
    """Record the request; nothing is packed until a second admin approves."""
    age.Recipient.parse(recipient)  # the form checked it; never store a key we cannot use
    with transaction.atomic():
        approval = approvals.ask(
            user, ACTION, compartment,
            summary=f"Export every item of {compartment.name} to {recipient_label}",
            reason=reason,
        )  # fmt: skip
        export = Export.objects.create(
            compartment=compartment, approval=approval, requested_by=user,
            recipient=recipient, recipient_label=recipient_label,
        )  # fmt: skip
        audit.record_system(
            user, "export.request", export,
            details={"recipient": recipient, "recipient_label": recipient_label},
        )  # fmt: skip
    return export


@approvals.on_approve(ACTION)
def _approved(approval: Approval) -> None:
    Export.objects.filter(approval=approval).update(state=Export.State.QUEUED)
    export = Export.objects.get(approval=approval)
    queue.enqueue("export.build", {"export": export.pk})


@approvals.sends_to(ACTION)
def _recipient(approval: Approval) -> tuple[str, str] | None:
    export = Export.objects.filter(approval=approval).first()
    return (export.recipient_label, export.recipient) if export else None


@approvals.page_of(ACTION)
def _page(approval: Approval) -> tuple[str, int]:
    return ("exports:export", Export.objects.get(approval=approval).pk)


@approvals.summarised(ACTION)
def _words(approval: Approval) -> str:
    export = Export.objects.get(approval=approval)
    return gettext("Export every item of %(compartment)s to %(recipient)s") % {
        "compartment": approval.compartment.name,
        "recipient": export.recipient_label,
    }


@approvals.on_refuse(ACTION)
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


def build(export: Export, *, blobs: BlobStore | None = None) -> Export:
    """Pack the compartment; idempotent (a ready export is left alone, a failed one rebuilt)."""
    if export.state == Export.State.READY:
        return export
    if export.approval.state != Approval.State.APPROVED:
        raise ExportError(f"export {export.pk} is not approved")
    blobs = blobs or BlobStore.default()
    keys.identity()  # fails at once, clearly, in a process without the vault key
    recipient = age.Recipient.parse(export.recipient)
    items = Item.objects.filter(compartment=export.compartment).order_by("id")
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.BUILDING, total=items.count(), done=0, error=""
    )
    actor = f"export:{export.pk}"
    with blobs.staged_file() as (staged, handle):
        counted = HashingWriter(handle)
        sealed = age.EncryptingWriter(counted, [recipient])
        with zipfile.ZipFile(sealed, "w", zipfile.ZIP_STORED, allowZip64=True) as package:
            sums, packed = _pack_items(package, export, items, actor, blobs)
            with transaction.atomic():
                own = custody.append(
                    "export",
                    actor=actor,
                    details={
                        "export": export.pk,
                        "compartment": export.compartment.name,
                        "items": packed,
                        "recipient": export.recipient,
                        "approved_by": _username(export.approval.decided_by),
                    },
                )
            checkpoint = custody.seal() or custody.latest_checkpoint()
            assert checkpoint is not None  # the entry above was just appended
            package.writestr("SHA256SUMS", "".join(sums))
            _write_custody(package, export, checkpoint, own)
            package.writestr("checkpoint.txt", checkpoint.note)
            package.writestr("manifest.json", _manifest(export, checkpoint, packed))
            package.writestr("README.txt", _readme(export))
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
        details={"items": packed, "size": counted.size, "sha256": export.sha256},
    )  # fmt: skip
    log.info("export %s ready: %s items, %s bytes", export.pk, packed, counted.size)
    return export


def _pack_items(
    package: zipfile.ZipFile,
    export: Export,
    items: Any,
    actor: str,
    blobs: BlobStore,
) -> tuple[list[str], int]:
    sums = []
    packed = 0
    for item in items.iterator():
        member = zipfile.ZipInfo(f"items/{item.pk}.bin", item.received_at.timetuple()[:6])
        digest = hashlib.sha256()
        with package.open(member, "w", force_zip64=True) as out:
            for chunk in read(item, actor=actor, blobs=blobs):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != item.sha256:
            raise ExportError(f"item {item.pk} does not match its SHA-256: run `docket verify`")
        sums.append(f"{item.sha256}  items/{item.pk}.bin\n")
        packed += 1
        if packed % PROGRESS_EVERY == 0:
            Export.objects.filter(pk=export.pk).update(done=packed)
    return sums, packed


def _write_custody(
    package: zipfile.ZipFile, export: Export, checkpoint: Checkpoint, own: CustodyEntry
) -> None:
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
    ).order_by("index")
    with package.open("custody.jsonl", "w", force_zip64=True) as out:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        for entry in itertools.chain(entries.iterator(), [own]):
            line = {
                "index": entry.index,
                "leaf": base64.b64encode(bytes(entry.leaf)).decode(),
                "proof": [p.hex() for p in tree.inclusion_proof(entry.index)],
            }
            text.write(json.dumps(line, separators=(",", ":")) + "\n")
        text.flush()
        text.detach()


def _manifest(export: Export, checkpoint: Checkpoint, packed: int) -> str:
    origin = custody.origin()
    public_key = keys.signing_public_key()
    approval = export.approval
    data = {
        "format": FORMAT,
        "export": export.pk,
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
