"""A submission's files live in the submission's compartment.

Policy: when a submission goes to another compartment (triage accepts it), each file it
brought goes with it, and a file that reached the old compartment while the submission was
being moved follows later (a worker job, `intake.place`). For each file:
  - the target already holds the same content: the submission's attachment takes the target's
    item, which gets a "received again" entry naming the submission; the item left behind gets
    a "detached" entry naming the submission (not where it went, nor why);
  - something else in the old compartment still refers to the item (another sender sent the
    same file, or an event there cites it): a copy is stored in the target, encrypted anew,
    and the submission's attachment takes it; the item stays for the others;
  - otherwise the item moves, with every file derived from it (`store.move`).
No row, blob or custody entry is shared between compartments, and nothing written in the old
compartment says what the target holds.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from docket.accounts.models import Compartment
from docket.intake.models import Attachment, Submission
from docket.jobs import queue
from docket.register.models import EvidenceLink
from docket.vault import custody, store
from docket.vault.models import Item


def place(submission: Submission, item: Item, target: Compartment, *, actor: str) -> Item:
    """Put the submission's `item` into `target` (see the policy); returns the item that the
    submission's attachment now names. Runs in the caller's transaction."""
    item = Item.objects.select_for_update().select_related("compartment").get(pk=item.pk)
    if item.compartment_id == target.pk:
        return item
    source = item.compartment
    details = {"submission": submission.pk}
    attachments = Attachment.objects.filter(submission=submission, item=item)
    there = store.held(item.sha256, target)
    if there is not None:
        attachments.update(item=there)
        custody.append("received again", actor=actor, item=there,
                       details={**details, "from": source.name})  # fmt: skip
        custody.append("detached", actor=actor, item=item, details=details)
        return there
    if _kept_by_others(submission, item):
        copied = store.copy(item, target, actor=actor, details={**details, "from": source.name})
        attachments.update(item=copied.item)
        custody.append("copied", actor=actor, item=item, details={**details, "to": target.name})
        return copied.item
    store.move(item, target, actor=actor, details=details)
    item.refresh_from_db()
    return item


def _kept_by_others(submission: Submission, item: Item) -> bool:
    return (
        Attachment.objects.filter(item=item).exclude(submission=submission).exists()
        or EvidenceLink.objects.filter(item=item).exists()
    )


def follow(submission: Submission, items: list[Item]) -> None:
    """Inside the transaction that attaches `items` to `submission` (its row locked): a file
    stored in a compartment the submission has since left is placed by a worker (it may need
    the vault key to copy, which the intake process does not hold)."""
    left = {i.compartment_id for i in items if i.compartment_id != submission.compartment_id}
    for compartment_id in sorted(left):
        queue.enqueue(
            "intake.place", {"submission": submission.pk, "from": compartment_id}, hourly=True
        )


@queue.register("intake.place")
def place_job(payload: dict[str, Any]) -> None:
    """Place the submission's files that sit in the compartment it left (`from`), and only
    those: a file of another compartment is never moved because a sender sent it too."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=payload["submission"])
        attachments = submission.attachments.filter(
            item__compartment_id=payload["from"]
        ).select_related("item__compartment")
        for attachment in attachments:
            assert attachment.item is not None
            place(submission, attachment.item, submission.compartment, actor="intake")
