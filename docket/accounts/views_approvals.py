"""Pages of the two-person rule: the requests waiting for a second person, the decision, and
what the console did (which the rule does not bind, so it is shown here instead)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from docket.accounts import access, approvals, audit
from docket.accounts.guards import listing, of_object, staff_user
from docket.accounts.models import Approval, AuditEvent, User
from docket.accounts.second_factor import recent_second_factor

#: console actions that make someone able to do more (docket/accounts/management/commands)
CONSOLE_ACTIONS = ("user.add", "user.superuser", "user.enable", "grant.add")


def made_at_the_console(user: User) -> list[AuditEvent]:
    """Accounts and grants made at the console that `user` oversees: instance administrators
    see all of them, an admin those in their compartments."""
    rows = AuditEvent.objects.filter(action__in=CONSOLE_ACTIONS, details__via="console")
    if not user.is_superuser:
        rows = rows.filter(compartment_id__in=access.compartment_ids(user, "approvals.decide"))
    return list(rows.order_by("-at", "-id")[:50])


@listing("approvals.decide")
def approval_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    shown = approvals.visible(user).select_related("compartment", "requested_by", "decided_by")
    audit.record(request, "approval.list")
    pending = list(shown.filter(state=Approval.State.PENDING))
    decided = list(shown.exclude(state=Approval.State.PENDING)[:50])
    for approval in pending:
        approval.recipient = approvals.recipient(approval)  # type: ignore[attr-defined]
    for approval in pending + decided:
        approval.in_words = approvals.summary(approval)  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/approvals.html",
        {
            "pending": pending,
            "decided": decided,
            "console": made_at_the_console(user),
        },
    )


@of_object("approvals.decide", Approval, methods=("GET", "POST"), also=approvals.may_see)
def approval_detail(request: HttpRequest, approval: Approval) -> HttpResponseBase:
    # Instance administrators and the admins of other compartments come in for account
    # requests only (approvals.may_see), never for an export's.
    user = staff_user(request)
    if request.method == "POST":
        return _decide(request, approval, user)
    audit.record(request, "approval.view", approval)
    return _page(request, approval, user)


def _page(request: HttpRequest, approval: Approval, user: User) -> HttpResponse:
    return render(
        request,
        "accounts/approval.html",
        {
            "approval": approval,
            "in_words": approvals.summary(approval),
            "problem": approvals.why_not(user, approval),
            "recipient": approvals.recipient(approval),
            "alone": approvals.decided_alone(approval),
        },
    )


@recent_second_factor
def _decide(request: HttpRequest, approval: Approval, user: User) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        approvals.decide(
            user,
            approval,
            approve=approve,
            note=request.POST.get("note", "")[:2000],
            recipient_check=request.POST.get("recipient_check", "")[:40],
        )
    except approvals.NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("accounts:approval", pk=approval.pk)
    messages.success(request, gettext("Approved.") if approve else gettext("Refused."))
    return redirect("accounts:approvals")
