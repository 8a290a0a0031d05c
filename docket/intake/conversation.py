"""A sender's conversation: opening a submission, finding it again by receipt, messages both
ways.

Policy (docs/design.md §2.2):
- Every message is sealed (age) to the organisation's public key and to the key the sender's
  receipt derives, the moment it arrives; its clear text exists only in the request that
  carries it. The intake process holds neither secret key.
- A submission is acknowledged (its receipt shown) only after its row, its first message and
  every file it came with are committed; a crash before then leaves nothing the sender was
  told is safe.
- Looking up a receipt costs an Argon2id run, so every try, right or wrong, spends from a
  budget shared by all senders (limits.py); nothing is keyed on who is asking.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from docket.accounts import notifications
from docket.accounts.models import Compartment, Notification, User
from docket.intake import limits, placement, receipts, uploads
from docket.intake.models import Attachment, Message, Submission
from docket.intake.models import intake_compartment as intake_compartment
from docket.jobs import queue
from docket.lib import hours
from docket.vault import age, keys
from docket.vault.models import Item

#: The questionnaire's answers, in the order the form and the inbox show them.
QUESTIONS = ("what", "when", "where", "who", "injuries")


@dataclass(frozen=True)
class Found:
    submission: Submission
    derived: receipts.Derived


@dataclass(frozen=True)
class Shown:
    """A message as a reader sees it."""

    direction: str
    created_at: datetime
    text: str
    answers: dict[str, str]
    author: str


def cost() -> receipts.Cost:
    return receipts.Cost(
        memory_kib=settings.RECEIPT_ARGON2_MEMORY_KIB, time=settings.RECEIPT_ARGON2_TIME
    )


def seal(content: dict[str, Any], sender: age.Recipient) -> bytes:
    return age.encrypt_bytes(
        json.dumps(content, ensure_ascii=False).encode(), [keys.recipient(), sender]
    )


def open_submission(
    *,
    channel: str,
    language: str,
    text: str,
    answers: dict[str, str] | None = None,
    files: Iterable[Item] = (),
    upload_tokens: Iterable[str] = (),
    contact: str | None = None,
    route: str = "",
    compartment: Compartment | None = None,
) -> tuple[Submission, str]:
    """Create a submission with its first message and files; returns it and its receipt.

    `contact` (a Telegram chat, an e-mail address) is sealed to the organisation's key only.
    """
    receipt = receipts.new_receipt(language)
    salt = receipts.new_salt()
    derived = receipts.derive(receipt, salt, cost())
    items = list(files)
    with transaction.atomic():
        submission = Submission.objects.create(
            compartment=compartment or intake_compartment(),
            channel=channel,
            language=language,
            receipt_tag=receipts.tag(receipt),
            receipt_salt=salt,
            receipt_verifier=derived.verifier,
            sender_key=str(derived.recipient),
            contact=age.encrypt_bytes(contact.encode(), [keys.recipient()]) if contact else None,
            route=route,
            last_from_sender_at=hours.now(),
            from_sender_count=1,
        )
        Message.objects.create(
            submission=submission,
            direction=Message.Direction.FROM_SENDER,
            body=seal({"text": text, "answers": answers or {}}, derived.recipient),
        )
        _attach(submission, items)
        uploads.claim(list(upload_tokens), submission)
    return submission, receipt


def find(receipt: str, *, proof: limits.Proof | None = None) -> Found | None:
    """The submission a receipt opens, or None. Spends one receipt check whatever the answer
    (or, when none is left, the proof of work)."""
    limits.take("receipt-checks", per_hour=settings.INTAKE_RECEIPT_CHECKS_PER_HOUR, proof=proof)
    if not receipts.looks_like_receipt(receipt):
        return None
    for submission in Submission.objects.filter(receipt_tag=receipts.tag(receipt)):
        derived = receipts.derive(receipt, bytes(submission.receipt_salt), cost())
        if receipts.matches(derived, bytes(submission.receipt_verifier)):
            return Found(submission, derived)
    return None


def add_from_sender(
    submission: Submission,
    text: str,
    files: Iterable[Item] = (),
    upload_tokens: Iterable[str] = (),
) -> None:
    """A message and/or files from the sender (found by receipt, or by a Telegram chat's
    route), sealed to the organisation and to the key the receipt derived. The files were
    stored in the submission's current compartment."""
    items = list(files)
    with transaction.atomic():
        # Locked against triage: files stored in the compartment it has since left follow it.
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        placement.follow(locked, items)
        if text.strip():
            Message.objects.create(
                submission=submission,
                direction=Message.Direction.FROM_SENDER,
                body=seal({"text": text}, age.Recipient.parse(submission.sender_key)),
            )
        _attach(submission, items)
        uploads.claim(list(upload_tokens), submission)
        Submission.objects.filter(pk=submission.pk).update(
            last_from_sender_at=hours.now(), from_sender_count=F("from_sender_count") + 1
        )
        # Back in the queue: the sender answered the staff's reply.
        Submission.objects.filter(pk=submission.pk, status=Submission.Status.ANSWERED).update(
            status=Submission.Status.NEW
        )
        notifications.notify(
            locked.assignee, Notification.Kind.MESSAGE, compartment=locked.compartment,
            link=("inbox:submission", submission.pk), at=hours.now(),
            pk=submission.pk,
        )  # fmt: skip


def ensure_message_budget(submission: Submission) -> None:
    # Message times are kept to the hour: the window starts at the hour, never later.
    since = hours.floor(timezone.now() - timedelta(days=1))
    recent = submission.messages.filter(
        direction=Message.Direction.FROM_SENDER, created_at__gte=since
    ).count()
    if recent >= settings.INTAKE_MESSAGES_PER_DAY:
        raise limits.Refused(limits.MESSAGES_PER_DAY)


def reply(submission: Submission, text: str, *, by: User) -> Message:
    """A staff member's reply, sealed so that only the sender and the organisation can read it.
    A Telegram sender also gets it in their chat, sent by a worker (it alone can open the
    sealed chat id)."""
    message = Message.objects.create(
        submission=submission,
        direction=Message.Direction.TO_SENDER,
        body=seal({"text": text}, age.Recipient.parse(submission.sender_key)),
        author=by,
    )
    Submission.objects.filter(pk=submission.pk, status=Submission.Status.NEW).update(
        status=Submission.Status.ANSWERED
    )
    if submission.channel == Submission.Channel.TELEGRAM and submission.contact:
        queue.enqueue("intake.telegram-reply", {"message": message.pk}, hourly=True)
    return message


def thread(submission: Submission, identity: age.Identity) -> list[Shown]:
    """The conversation opened with `identity`: the sender's receipt key or the vault's."""
    return [show(message, identity) for message in submission.messages.select_related("author")]


def show(message: Message, identity: age.Identity) -> Shown:
    """One message opened with `identity`."""
    content = json.loads(age.decrypt_bytes(bytes(message.body), [identity]))
    answers = content.get("answers") or {}
    return Shown(
        direction=message.direction,
        created_at=message.created_at,
        text=content.get("text", ""),
        answers={q: answers[q] for q in QUESTIONS if answers.get(q)},
        author=message.author.get_username() if message.author else "",
    )


def contact(submission: Submission) -> str:
    """A Telegram or e-mail sender's contact in clear; callers reach this only through the
    two-person rule (inbox/views.py)."""
    if not submission.contact:
        return ""
    return age.decrypt_bytes(bytes(submission.contact), [keys.identity()]).decode()


def _attach(submission: Submission, items: list[Item]) -> None:
    for item in items:
        Attachment.objects.create(submission=submission, item=item, size=item.size)
    if items:
        Submission.objects.filter(pk=submission.pk).update(
            file_count=F("file_count") + len(items),
            byte_count=F("byte_count") + sum(item.size for item in items),
        )
