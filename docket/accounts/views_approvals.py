"""Pages of the two-person rule: the requests waiting for a second admin, and the decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from docket.accounts import access, approvals, audit
from docket.accounts.models import Approval, User
from docket.accounts.second_factor import recent_second_factor
from docket.accounts.views_access import listing, of_object, staff_user


@listing("approvals.decide")
def approval_list(request: HttpRequest) -> HttpResponse:
    shown = access.visible(Approval.objects.all(), request.user, "approvals.decide")
    shown = shown.select_related("compartment", "requested_by", "decided_by")
    audit.record(request, "approval.list")
    return render(
        request,
        "accounts/approvals.html",
        {
            "pending": shown.filter(state=Approval.State.PENDING),
            "decided": shown.exclude(state=Approval.State.PENDING)[:50],
        },
    )


@of_object("approvals.decide", Approval, methods=("GET", "POST"))
def approval_detail(request: HttpRequest, approval: Approval) -> HttpResponseBase:
    user = staff_user(request)
    if request.method == "POST":
        return _decide(request, approval, user)
    audit.record(request, "approval.view", approval)
    return render(
        request,
        "accounts/approval.html",
        {"approval": approval, "problem": approvals.why_not(user, approval)},
    )


@recent_second_factor
def _decide(request: HttpRequest, approval: Approval, user: User) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        approvals.decide(user, approval, approve=approve, note=request.POST.get("note", "")[:2000])
    except approvals.NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("accounts:approval", pk=approval.pk)
    messages.success(request, "Approved." if approve else "Refused.")
    return redirect("accounts:approvals")
