"""Who may join and who becomes an admin, from the web: both wait for a second person.

Policy:
- On the web, adding a person (with their first role in a compartment) and giving anyone the
  admin role are requests under the two-person rule (docket/accounts/approvals.py): the
  request names the username, the role, the compartment and the reason, and nothing happens
  until another active admin of that compartment or instance administrator approves.
- A person asked for exists at once, disabled and without any role, so that the requester can
  hand over their one-time password; they can log in only once the request is approved. A
  refused request removes that account.
- The account records who asked for it (`User.created_by`) and the grant who gave it
  (`Grant.granted_by`, the requester): neither may be the second person on that person's own
  requests later.
- Other roles are given at once by an admin of the compartment, as before. The console
  (`docket users add`) is not bound by the rule: it runs with the server's own rights. What it
  does is audited with `"via": "console"` and listed on the Approvals page.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from docket.accounts import access, approvals, audit
from docket.accounts.models import Approval, Compartment, Role, User
from docket.accounts.passwords import one_time_password


def ask_add_user(
    requester: User, username: str, compartment: Compartment, role: str, reason: str
) -> tuple[Approval, User, str]:
    """The request, the (disabled) account and its one-time password."""
    with transaction.atomic():
        password = one_time_password()
        person = User.objects.create_user(
            username, password=password, must_change_password=True, is_active=False,
            created_by=requester,
        )  # fmt: skip
        approval = approvals.ask(
            requester, approvals.ADD_USER, compartment,
            summary=f"Add {username} as {Role(role).label} in {compartment.name}",
            reason=reason,
            details={"user_id": person.pk, "username": username, "role": role,
                     "compartment": compartment.name},
        )  # fmt: skip
    return approval, person, password


def ask_grant_admin(
    requester: User, person: User, compartment: Compartment, reason: str
) -> Approval:
    return approvals.ask(
        requester, approvals.GRANT_ADMIN, compartment,
        summary=f"Make {person.get_username()} {Role.ADMIN.label} in {compartment.name}",
        reason=reason,
        details={"user_id": person.pk, "username": person.get_username(), "role": Role.ADMIN,
                 "compartment": compartment.name},
    )  # fmt: skip


@approvals.summarised(approvals.ADD_USER)
def _add_user_words(approval: Approval) -> str:
    d = approval.details
    return gettext("Add %(username)s as %(role)s in %(compartment)s") % {
        "username": d["username"],
        "role": Role(d["role"]).label,
        "compartment": d["compartment"],
    }


@approvals.summarised(approvals.GRANT_ADMIN)
def _grant_admin_words(approval: Approval) -> str:
    d = approval.details
    return gettext("Make %(username)s %(role)s in %(compartment)s") % {
        "username": d["username"],
        "role": Role.ADMIN.label,
        "compartment": d["compartment"],
    }


def _subject(approval: Approval) -> User:
    return User.objects.get(pk=approval.details["user_id"])


def _how(approval: Approval) -> dict[str, object]:
    if approvals.decided_alone(approval):
        return {"approval": approval.pk, "alone": True}
    decided_by = approval.decided_by.get_username() if approval.decided_by else ""
    return {"approval": approval.pk, "approved_by": decided_by}


@approvals.on_approve(approvals.ADD_USER)
def _add_approved(approval: Approval) -> None:
    person = _subject(approval)
    User.objects.filter(pk=person.pk).update(is_active=True)
    audit.record_system(approval.requested_by, "user.add", person, details=_how(approval))
    access.grant(
        person, approval.compartment, approval.details["role"], by=approval.requested_by,
        details=_how(approval),
    )  # fmt: skip


@approvals.on_refuse(approvals.ADD_USER)
def _add_refused(approval: Approval) -> None:
    # The account never worked: remove it, so the name is free and nothing lingers.
    User.objects.filter(pk=_subject(approval).pk, is_active=False, last_login__isnull=True).delete()


@approvals.on_approve(approvals.GRANT_ADMIN)
def _grant_approved(approval: Approval) -> None:
    person = _subject(approval)
    access.grant(
        person, approval.compartment, Role.ADMIN, by=approval.requested_by,
        details=_how(approval),
    )  # fmt: skip


def pending_for(person: User) -> Approval | None:
    """The request that would let `person` in, while it waits."""
    return Approval.objects.filter(
        action=approvals.ADD_USER, state=Approval.State.PENDING, details__user_id=person.pk
    ).first()
