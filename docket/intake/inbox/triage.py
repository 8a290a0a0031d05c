"""What staff do with a submission: mark it, accept it into a compartment, draft a register
event from it, and (under the two-person rule) learn who a Telegram or e-mail sender is.

Policy: every step is audited; moving items between compartments writes a custody entry per
item, derived files included, in the same transaction (placement.py); a sender's contact is
decrypted only for the person whose request a second admin approved, and each showing is
audited again.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from docket.accounts import approvals, audit, notifications
from docket.accounts.models import Approval, Compartment, Notification, User
from docket.intake import conversation, placement
from docket.intake.models import Reveal, Submission
from docket.register import history
from docket.register.models import Event, EvidenceLink
from docket.vault import keys
from docket.vault.models import Item
from docket.vault.views import actor_of

REVEAL = "intake.reveal"


def set_status(
    request: HttpRequest,
    submission: Submission,
    status: str,
    *,
    duplicate_of: Submission | None = None,
) -> bool:
    """Mark the submission; False when it already had that status (two people marking it at
    once change it once, and "Undo" still knows what it was before spam)."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        before = current.status
        if before == status and status != Submission.Status.DUPLICATE:
            return False
        current.status = status
        current.status_before = before if status == Submission.Status.SPAM else ""
        if status == Submission.Status.DUPLICATE:
            current.duplicate_of = duplicate_of
        elif status != Submission.Status.SPAM:  # spam keeps it, for "Undo"
            current.duplicate_of = None
        current.save(update_fields=["status", "status_before", "duplicate_of"])
        audit.record(
            request, "intake.status", current,
            details={
                "status": status, "was": before,
                "duplicate_of": current.duplicate_of_id,
            },
        )  # fmt: skip
    submission.refresh_from_db()
    return True


def undo_spam(request: HttpRequest, submission: Submission) -> bool:
    """Put a submission marked as spam back as it was (a repeat stays the repeat of the same
    submission, even one since moved where the user cannot see it)."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.status != Submission.Status.SPAM:
            return False
        back = current.status_before or Submission.Status.NEW
        if back == Submission.Status.DUPLICATE and current.duplicate_of_id is None:
            back = Submission.Status.NEW  # what it repeated is gone
        current.status, current.status_before = back, ""
        current.save(update_fields=["status", "status_before"])
        audit.record(
            request, "intake.status", current,
            details={"status": back, "was": Submission.Status.SPAM, "undo": True,
                     "duplicate_of": current.duplicate_of_id},
        )  # fmt: skip
    submission.refresh_from_db()
    return True


def assign(request: HttpRequest, submission: Submission, assignee: User | None) -> None:
    """Give the submission to `assignee` (or to nobody), who is told unless it is themselves."""
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(assignee=assignee)
        audit.record(
            request, "intake.assign", submission,
            details={"assignee": assignee.get_username() if assignee else ""},
        )  # fmt: skip
        by = request.user
        notifications.notify(
            assignee, Notification.Kind.ASSIGNED, compartment=submission.compartment,
            link=("inbox:submission", submission.pk), by=by if isinstance(by, User) else None,
            pk=submission.pk,
        )  # fmt: skip


def items_of(submission: Submission) -> list[Item]:
    return [a.item for a in submission.attachments.select_related("item") if a.item is not None]


def accept(request: HttpRequest, submission: Submission, compartment: Compartment) -> int:
    """Move the submission and the files it brought into `compartment`, each with every file
    derived from it (docket/intake/placement.py says how); returns how many of its files are
    now there. A file held in a third compartment before the sender sent it stays where it is."""
    placed = 0
    actor = actor_of(request)
    with transaction.atomic():
        # Locked: a file the sender adds meanwhile is attached before or after, never between.
        source = Submission.objects.select_for_update().get(pk=submission.pk).compartment
        for item in {item.pk: item for item in items_of(submission)}.values():
            if item.compartment_id != source.pk:
                continue
            placement.place(submission, item, compartment, actor=actor)
            placed += 1
        submission.compartment = compartment
        submission.status = Submission.Status.ACCEPTED
        submission.save(update_fields=["compartment", "status"])
        audit.record(
            request, "intake.accept", submission, compartment=compartment,
            details={"from": source.name, "items": placed},
        )  # fmt: skip
    return placed


def draft_event(request: HttpRequest, submission: Submission) -> Event:
    """A register event drafted from the sender's first message, with the items as evidence."""
    user = request.user
    assert isinstance(user, User)
    first = conversation.thread(submission, keys.identity())[0]
    answers = first.answers
    lines = [first.text] + [f"{key}: {value}" for key, value in answers.items()]
    title = " ".join(first.text.split())[:120] or f"Report {submission.pk}"
    with transaction.atomic():
        event = history.save(
            Event(
                compartment=submission.compartment,
                title=title,
                description="\n\n".join(lines) + f"\n\n(intake submission {submission.pk})",
                place_detail=answers.get("where", "")[:300],
            ),
            actor=user,
        )
        for item in items_of(submission):
            if item.compartment_id == submission.compartment_id:
                history.save(
                    EvidenceLink(
                        compartment=submission.compartment, item=item, event=event,
                        annotation=f"sent with intake submission {submission.pk}",
                    ),
                    actor=user,
                )  # fmt: skip
        submission.event = event
        submission.save(update_fields=["event"])
        audit.record(request, "intake.draft_event", submission, details={"event": event.pk})
    return event


def ask_reveal(user: User, submission: Submission, reason: str) -> Approval:
    with transaction.atomic():
        approval = approvals.ask(
            user, REVEAL, submission.compartment,
            summary=f"Show {user.get_username()} who sent submission {submission.pk} "
            f"({submission.get_channel_display()})",
            reason=reason,
        )  # fmt: skip
        Reveal.objects.create(submission=submission, approval=approval, requested_by=user)
    return approval


@approvals.summarised(REVEAL)
def _words(approval: Approval) -> str:
    reveal = Reveal.objects.select_related("submission", "requested_by").get(approval=approval)
    return gettext("Show %(user)s who sent submission %(pk)s (%(channel)s)") % {
        "user": reveal.requested_by.get_username() if reveal.requested_by else "?",
        "pk": reveal.submission_id,
        "channel": reveal.submission.get_channel_display(),
    }


@approvals.page_of(REVEAL)
def _page(approval: Approval) -> tuple[str, int]:
    return ("inbox:submission", Reveal.objects.get(approval=approval).submission_id)


@approvals.on_approve(REVEAL)
def _approved(approval: Approval) -> None:
    """Nothing to do now: the requester's page shows the contact once it is approved."""


def revealed_to(user: User, submission: Submission) -> bool:
    return Reveal.objects.filter(
        submission=submission, requested_by=user, approval__state=Approval.State.APPROVED
    ).exists()


def pending_reveal(user: User, submission: Submission) -> bool:
    return Reveal.objects.filter(
        submission=submission, requested_by=user, approval__state=Approval.State.PENDING
    ).exists()
