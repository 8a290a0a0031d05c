"""The two-person rule (STYLE.md rule 12: the one place it is decided).

Policy:
- An action that could take everything at once asks for approval first: `ask()` records who
  asked, what for and why; nothing happens yet.
- A second person decides: an admin of the same compartment who is not the requester. An
  admin who asked cannot approve their own request, whatever other roles they hold.
- Approving runs the action's handler (registered by the app that owns the action) in the
  same transaction; refusing ends the request (and runs its refuse
  handler, if any). Asking, approving and refusing are audited.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.models import Approval, Compartment, User

Handler = Callable[[Approval], None]
#: action -> what approving it does. Apps register their actions in AppConfig.ready().
HANDLERS: dict[str, Handler] = {}
#: action -> what refusing it does (optional: tidy up whatever waited for the decision).
REFUSE_HANDLERS: dict[str, Handler] = {}


class NotAllowed(Exception):
    """The user may not decide this request; the message says why, in words for them."""


def on_approve(action: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        HANDLERS[action] = handler
        return handler

    return decorate


def on_refuse(action: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        REFUSE_HANDLERS[action] = handler
        return handler

    return decorate


def ask(
    user: User, action: str, compartment: Compartment, *, summary: str, reason: str
) -> Approval:
    if action not in HANDLERS:
        raise ValueError(f"unknown action {action!r} for the two-person rule")
    with transaction.atomic():
        approval = Approval.objects.create(
            action=action, compartment=compartment, summary=summary, reason=reason,
            requested_by=user,
        )  # fmt: skip
        audit.record_system(
            user, "approval.ask", approval, details={"action": action, "reason": reason}
        )
    return approval


def why_not(user: User, approval: Approval) -> str | None:
    """None if `user` may decide `approval`, else the reason in words."""
    if approval.state != Approval.State.PENDING:
        return gettext("This request was decided already: %(state)s.") % {
            "state": approval.get_state_display()
        }
    if approval.requested_by_id == user.pk:
        return gettext(
            "A second person must decide: you cannot approve or refuse your own request."
        )
    if not access.can(user, "approvals.decide", approval):
        return gettext("Only an admin of the compartment can decide.")
    return None


def decide(user: User, approval: Approval, *, approve: bool, note: str = "") -> Approval:
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get(pk=approval.pk)
        problem = why_not(user, approval)
        if problem:
            raise NotAllowed(problem)
        approval.state = Approval.State.APPROVED if approve else Approval.State.REFUSED
        approval.decided_by = user
        approval.decided_at = timezone.now()
        approval.decision_note = note
        approval.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        audit.record_system(
            user,
            "approval.approve" if approve else "approval.refuse",
            approval,
            details={"action": approval.action, "requested_by": _name(approval), "note": note},
        )
        if approve:
            HANDLERS[approval.action](approval)
        elif approval.action in REFUSE_HANDLERS:
            REFUSE_HANDLERS[approval.action](approval)
    return approval


def _name(approval: Approval) -> str:
    return approval.requested_by.get_username() if approval.requested_by else ""
