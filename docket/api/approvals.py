"""The two-person rule through the API (scope approvals:decide): the requests a caller may
decide, and the decision. Same rule and same pages' permission (approvals.decide) as the web,
decided by docket/accounts/approvals.py. An export is refused here but approved only through
POST /api/exports/N/approve, whose token needs a fresh code and lives 7 days at most."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from docket.accounts import approvals
from docket.accounts.models import Approval
from docket.api.base import (
    ApiError,
    Cursor,
    Next,
    Pk,
    TokenAuth,
    answers,
    decision_answers,
    declare,
    one,
    page,
)
from docket.exports.models import Export

router = Router(auth=TokenAuth("approvals:decide"), tags=["approvals"])
DECIDE = "approvals.decide"


class RecipientOut(Schema):
    label: str
    key: str = Field(description="the age public key (age1…) the action sends to")
    fingerprint: str = Field(
        description="first 16 hex digits of SHA-256 of the key, in groups of four"
    )


class ApprovalOut(Schema):
    id: int
    action: str = Field(description="export.compartment, intake.reveal, user.add, grant.admin")
    compartment: str
    summary: str
    reason: str
    requested_by: str | None
    requested_at: datetime
    state: str = Field(description="pending, approved or refused")
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    username: str | None = Field(description="for user.add and grant.admin: the person")
    role: str | None = Field(description="for user.add and grant.admin: the role")
    recipient: RecipientOut | None = Field(description="for an export: where it goes")


class Approvals(Next):
    approvals: list[ApprovalOut]


class DecisionIn(Schema):
    recipient_check: str | None = Field(
        None,
        max_length=40,
        description="to approve a request with a recipient: the last 8 hex digits of the "
        "key's fingerprint (spaces and case do not matter); refused if missing or wrong",
    )
    note: str = Field("", max_length=2000)


def _out(approval: Approval) -> ApprovalOut:
    sent_to = approvals.recipient(approval)
    details = approval.details or {}
    return ApprovalOut(
        id=approval.pk,
        action=approval.action,
        compartment=approval.compartment.name,
        summary=approval.summary,
        reason=approval.reason,
        requested_by=approval.requested_by.get_username() if approval.requested_by else None,
        requested_at=approval.requested_at,
        state=approval.state,
        decided_by=approval.decided_by.get_username() if approval.decided_by else None,
        decided_at=approval.decided_at,
        decision_note=approval.decision_note,
        username=details.get("username"),
        role=details.get("role"),
        recipient=RecipientOut(label=sent_to.label, key=sent_to.key, fingerprint=sent_to.grouped)
        if sent_to
        else None,
    )


def _rows() -> QuerySet[Approval]:
    return Approval.objects.select_related("compartment", "requested_by", "decided_by")


@router.get("/approvals/", response=answers(Approvals), url_name="approval_list")
@declare(DECIDE)
def approval_list(request: HttpRequest, cursor: Query[Cursor]) -> Approvals:
    rows, after = page(
        request,
        _rows(),
        DECIDE,
        before=cursor.before,
        action="approval.list",
    )
    return Approvals(approvals=[_out(a) for a in rows], next_before=after)


@router.get("/approvals/{int:pk}/", response=answers(ApprovalOut), url_name="approval")
@declare(DECIDE, Approval)
def approval(request: HttpRequest, pk: Pk) -> ApprovalOut:
    return _out(one(request, _rows(), pk, "approval.view"))


def _decide(request: HttpRequest, pk: int, decision: DecisionIn, *, approve: bool) -> ApprovalOut:
    found = one(request, _rows(), pk, "approval.view")
    if approve and Export.objects.filter(approval=found).exists():
        # A token of this scope lives 90 days and needs no fresh code: approving an export
        # with it would undercut the rule on exports:approve tokens (fresh code, 7 days).
        raise ApiError(
            403,
            "an export is approved only with a token of scope exports:approve: "
            f"POST /api/exports/{found.export.pk}/approve",
        )
    try:
        approvals.decide(
            request.user,  # type: ignore[arg-type]
            found,
            approve=approve,
            note=decision.note,
            recipient_check=decision.recipient_check,
        )
    except approvals.WrongCheck as exc:
        raise ApiError(422, str(exc)) from None
    except approvals.NotAllowed as exc:
        raise ApiError(409, str(exc)) from None
    return _out(_rows().get(pk=pk))


@router.post(
    "/approvals/{int:pk}/approve", response=decision_answers(ApprovalOut), url_name="approve"
)
@declare(DECIDE, Approval, method="POST")
def approve(request: HttpRequest, pk: Pk, decision: DecisionIn) -> ApprovalOut:
    return _decide(request, pk, decision, approve=True)


@router.post(
    "/approvals/{int:pk}/refuse", response=decision_answers(ApprovalOut), url_name="refuse"
)
@declare(DECIDE, Approval, method="POST")
def refuse(request: HttpRequest, pk: Pk, decision: DecisionIn) -> ApprovalOut:
    return _decide(request, pk, decision, approve=False)
