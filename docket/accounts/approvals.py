"""The two-person rule (docs/design.md §3: the one place it is decided).

Policy:
- An action that could take everything at once asks for approval first: `ask()` records who
  asked, what for and why; nothing happens yet.
- A second person decides: an admin of the same compartment who is not the requester. An
  admin who asked cannot approve their own request, whatever other roles they hold.
- The second person must be independent of the first, both ways: nobody decides a request of
  someone whose account they asked for or to whom they gave a role (`User.created_by`,
  `Grant.granted_by`), nor of someone who asked for their account or gave them a role (an
  administrator's creature is not a second person), nor a request about themselves.
- Account requests (`ACCOUNT_ACTIONS`: adding a person, giving the admin role, asked for on
  the web) are decided by any independent active admin, of any compartment, or instance
  administrator. Only on a new instance (`alone`: nobody but the requester has ever been an
  admin or instance administrator, in any state, and no request was ever decided by a second
  person) does one happen at once, audited as `approval.alone`; otherwise no instance could
  ever be set up. Disabling or demoting the others does not make anyone alone again: the
  request waits until an admin is enabled or added at the console. The console runs with the
  server's own rights and is not bound by the rule; what it does is audited.
- An action that sends something to an age key (an export) names that key: the approver sees
  its fingerprint (the first 16 hex digits of SHA-256 of the `age1…` text) and types its last
  8 hex digits to approve; a wrong value refuses and changes nothing.
- Approving runs the action's handler (registered by the app that owns the action) in the
  same transaction; refusing ends the request (and runs its refuse
  handler, if any). Asking, approving and refusing are audited.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts import access, audit, notifications
from docket.accounts.models import (
    Approval,
    AuditEvent,
    Compartment,
    Grant,
    Notification,
    Role,
    User,
)  # fmt: skip

Handler = Callable[[Approval], None]
#: action -> what approving it does. Apps register their actions in AppConfig.ready().
HANDLERS: dict[str, Handler] = {}
#: action -> what refusing it does (optional: tidy up whatever waited for the decision).
REFUSE_HANDLERS: dict[str, Handler] = {}
#: action -> the (label, age public key) that approving it sends something to.
RECIPIENTS: dict[str, Callable[[Approval], tuple[str, str] | None]] = {}

#: action -> the page where the requester follows their request (the approvals page when
#: none is registered and they may see it there).
PAGES: dict[str, Callable[[Approval], tuple[str, int]]] = {}

#: action -> the request in a sentence in the reader's language (the stored `summary`, in
#: English, when none is registered).
SUMMARIES: dict[str, Callable[[Approval], str]] = {}

#: adding a person and giving the admin role (docket/accounts/admission.py)
ADD_USER = "user.add"
GRANT_ADMIN = "grant.admin"
ACCOUNT_ACTIONS = frozenset({ADD_USER, GRANT_ADMIN})
CHECK_DIGITS = 8


class NotAllowed(Exception):
    """The user may not decide this request; the message says why, in words for them."""


class WrongCheck(NotAllowed):
    """The digits typed to confirm the recipient's key do not match its fingerprint."""


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


def sends_to(
    action: str,
) -> Callable[[Callable[[Approval], tuple[str, str] | None]], Any]:
    """Register what names the recipient key of `action`'s requests: (label, `age1…`)."""

    def decorate(find: Callable[[Approval], tuple[str, str] | None]) -> Any:
        RECIPIENTS[action] = find
        return find

    return decorate


def page_of(action: str) -> Callable[[Callable[[Approval], tuple[str, int]]], Any]:
    """Register where the requester of `action` follows it (their notification links there):
    a URL name and its one number argument."""

    def decorate(find: Callable[[Approval], tuple[str, int]]) -> Any:
        PAGES[action] = find
        return find

    return decorate


def summarised(action: str) -> Callable[[Callable[[Approval], str]], Any]:
    """Register how `action`'s requests are put in words, in the reader's language."""

    def decorate(words: Callable[[Approval], str]) -> Any:
        SUMMARIES[action] = words
        return words

    return decorate


def summary(approval: Approval) -> str:
    words = SUMMARIES.get(approval.action)
    if words is None:
        return approval.summary
    try:
        return words(approval)
    except (LookupError, ObjectDoesNotExist):  # what it was about is gone
        return approval.summary


def _tell_requester(approval: Approval, by: User) -> None:
    requester = approval.requested_by
    if requester is None:
        return
    link: tuple[str, int] | None = None
    if approval.action in PAGES:
        link = PAGES[approval.action](approval)
    elif may_see(requester, approval):
        link = ("accounts:approval", approval.pk)
    notifications.notify(
        requester,
        Notification.Kind.APPROVED
        if approval.state == Approval.State.APPROVED
        else Notification.Kind.REFUSED,
        compartment=approval.compartment, link=link, by=by,
        pk=approval.pk,
    )  # fmt: skip


def fingerprint(key: str) -> str:
    """The first 16 hex digits of SHA-256 of an `age1…` public key, as typed."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:16]


def grouped(digits: str) -> str:
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


@dataclass(frozen=True)
class Recipient:
    label: str
    key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    @property
    def grouped(self) -> str:
        return grouped(self.fingerprint)

    @property
    def check(self) -> str:
        return self.fingerprint[-CHECK_DIGITS:]


def recipient(approval: Approval) -> Recipient | None:
    find = RECIPIENTS.get(approval.action)
    found = find(approval) if find else None
    return Recipient(*found) if found else None


def makers(user: User | None) -> set[int]:
    """Who asked for `user`'s account or gave them one of their roles."""
    if user is None:
        return set()
    made = {user.created_by_id} if user.created_by_id else set()
    granted = Grant.objects.filter(user=user, granted_by__isnull=False)
    return made | set(granted.values_list("granted_by_id", flat=True))


def made_by(user: User) -> QuerySet[User]:
    """Whose account `user` asked for or to whom they gave a role."""
    granted = Grant.objects.filter(granted_by=user).values("user_id")
    return User.objects.filter(Q(created_by=user) | Q(pk__in=granted))


def independent(one: User | None, other: User) -> bool:
    """Neither made the other (see the policy above)."""
    if one is None:
        return True
    return other.pk not in makers(one) and one.pk not in makers(other)


def alone(requester: User) -> bool:
    """Whether `requester` is the only one who has ever administered this instance: nobody
    else is or was an admin or instance administrator (in any state), and no request was ever
    decided by someone other than its requester."""
    others = User.objects.exclude(pk=requester.pk)
    if others.filter(is_superuser=True).exists():
        return False
    if Grant.objects.filter(role=Role.ADMIN).exclude(user=requester).exists():
        return False
    given = AuditEvent.objects.filter(
        action__in=("grant.add", "grant.remove"), details__role=Role.ADMIN
    )
    if given.exclude(details__user=requester.get_username()).exists():
        return False
    decided = Approval.objects.exclude(state=Approval.State.PENDING)
    return not decided.exclude(decided_by=F("requested_by")).exists()


def _decides_accounts(user: Any) -> bool:
    """Instance administrators and the admins of any compartment decide account requests."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser) or Grant.objects.filter(user=user, role=Role.ADMIN).exists()


def may_see(user: Any, approval: Approval) -> bool:
    """Whether `user` is among those who decide requests like `approval` (not whether they
    may decide this one: see `why_not`)."""
    if access.can(user, "approvals.decide", approval):
        return True
    return approval.action in ACCOUNT_ACTIONS and _decides_accounts(user)


def visible(user: Any) -> QuerySet[Approval]:
    shown = access.visible(Approval.objects.all(), user, "approvals.decide")
    if _decides_accounts(user):
        shown = Approval.objects.filter(
            Q(pk__in=shown.values("pk")) | Q(action__in=ACCOUNT_ACTIONS)
        )
    return shown


def subject_id(approval: Approval) -> int | None:
    """The person an account request is about."""
    value = (approval.details or {}).get("user_id")
    return int(value) if value else None


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
    if subject_id(approval) == user.pk:
        return gettext("This request is about you: someone else must decide it.")
    if user.pk in makers(approval.requested_by):
        return gettext(
            "You asked for %(username)s's account or gave them a role, so you cannot be the "
            "second person on their request: another admin must decide."
        ) % {"username": _name(approval)}
    if approval.requested_by_id is not None and approval.requested_by_id in makers(user):
        return gettext(
            "%(username)s asked for your account or gave you a role, so you cannot be the "
            "second person on their request: another admin must decide."
        ) % {"username": _name(approval)}
    if not may_see(user, approval):
        return gettext("Only an admin of the compartment can decide.")
    return None


def deciders(approval: Approval) -> QuerySet[User]:
    """The people who could decide `approval` now: active and unlocked, admins of its
    compartment (for account requests, admins of any compartment and instance
    administrators), independent of the requester both ways."""
    admins = Grant.objects.filter(role=Role.ADMIN)
    if approval.action not in ACCOUNT_ACTIONS:
        admins = admins.filter(compartment_id=approval.compartment_id)
    who = Q(pk__in=admins.values("user_id"))
    if approval.action in ACCOUNT_ACTIONS:
        who |= Q(is_superuser=True)
    excluded = makers(approval.requested_by) | {approval.requested_by_id, subject_id(approval)}
    if approval.requested_by is not None:
        excluded |= set(made_by(approval.requested_by).values_list("pk", flat=True))
    return (
        User.objects.filter(who, is_active=True, locked_at__isnull=True)
        .exclude(pk__in=[pk for pk in excluded if pk])
        .distinct()
    )


def ask(
    user: User,
    action: str,
    compartment: Compartment,
    *,
    summary: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> Approval:
    """Record the request. An account request nobody else could decide is approved at once
    (see the policy above): the returned approval's state says which happened."""
    if action not in HANDLERS:
        raise ValueError(f"unknown action {action!r} for the two-person rule")
    with transaction.atomic():
        approval = Approval.objects.create(
            action=action, compartment=compartment, summary=summary, reason=reason,
            requested_by=user, details=details or {},
        )  # fmt: skip
        audit.record_system(
            user, "approval.ask", approval,
            details={"action": action, "reason": reason, **(details or {})},
        )  # fmt: skip
        if action in ACCOUNT_ACTIONS and alone(user):
            approval.state = Approval.State.APPROVED
            approval.decided_by = user
            approval.decided_at = timezone.now()
            approval.decision_note = "alone: nobody else could decide"
            approval.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
            audit.record_system(
                user, "approval.alone", approval,
                details={"action": action, "why": "nobody else has ever administered"},
            )  # fmt: skip
            HANDLERS[action](approval)
    return approval


def decided_alone(approval: Approval) -> bool:
    """Approved at once because nobody else could decide (see the policy above)."""
    return (
        approval.state == Approval.State.APPROVED
        and approval.decided_by_id is not None
        and approval.decided_by_id == approval.requested_by_id
    )


def decide(
    user: User,
    approval: Approval,
    *,
    approve: bool,
    note: str = "",
    recipient_check: str | None = None,
) -> Approval:
    """Approve or refuse. Approving a request that sends to a key needs `recipient_check`,
    the last 8 hex digits of that key's fingerprint (spaces and case do not matter)."""
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get(pk=approval.pk)
        problem = why_not(user, approval)
        if problem:
            raise NotAllowed(problem)
        sent_to = recipient(approval)
        if approve and sent_to is not None:
            typed = re.sub(r"[\s-]", "", recipient_check or "").lower()
            if not typed:
                raise WrongCheck(
                    gettext(
                        "To approve, type the last 8 hex digits of the fingerprint of the key "
                        "of %(label)s. Nothing was decided."
                    )
                    % {"label": sent_to.label}
                )
            if typed != sent_to.check:
                raise WrongCheck(
                    gettext(
                        "The digits you typed do not match the fingerprint of the key of "
                        "%(label)s. Check the key with its holder before approving. "
                        "Nothing was decided."
                    )
                    % {"label": sent_to.label}
                )
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
        _tell_requester(approval, user)
    return approval


def _name(approval: Approval) -> str:
    return approval.requested_by.get_username() if approval.requested_by else ""
