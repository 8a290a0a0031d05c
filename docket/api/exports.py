"""Exports through the API, for partners' scripts: ask (scope exports:ask), approve as a second
person (scope exports:approve), follow and download (either scope).

Same rules as the pages (docket/exports/views.py, docket/accounts/approvals.py): asking needs
`export.request` in the compartment; a case or compartment the caller may not export is a 404,
as for one that does not exist; approving needs `approvals.decide` there, another person
independent of the requester, and the recipient key's check digits; the package is the
encrypted bytes, never anything in clear. The same audit actions (export.request,
approval.approve, export.view, export.download) and custody entries. What stands in for the
pages' fresh code at each approval is the approving token itself: made only right after a code
(or at the console), living at most 7 days (docket/api/tokens.py).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from docket.accounts import access, approvals, audit
from docket.accounts.models import Compartment
from docket.api.base import ApiError, ErrorOut, Pk, TokenAuth, an_id, declare
from docket.api.models import ApiToken
from docket.exports import build
from docket.exports.models import Export
from docket.exports.views import package_response
from docket.register.models import Involvement
from docket.vault import age

router = Router(tags=["exports"])
ASK = "export.request"
DECIDE = "approvals.decide"
#: what the API may ask for (a public report is asked for on the pages)
Kind = Literal["case", "sanctions", "compartment"]
Confidence = Literal["established", "probable", "possible", "alleged"]
ERRORS = frozenset({400, 401, 403, 404, 409, 422})


class ExportIn(Schema):
    kind: Kind = Field(
        description="case (a court bundle), sanctions (a FollowTheMoney list) or compartment"
    )
    case: int | None = an_id("the case: for kind case, and a sanctions list of one case")
    compartment: str | None = Field(
        None, max_length=100, description="for kind compartment, and sanctions without a case"
    )
    recipient: str = Field(max_length=100, description="age public key (age1…)")
    recipient_label: str = Field("", max_length=200, description="who holds the key")
    min_confidence: Confidence | None = Field(
        None, description="sanctions: the least confidence to list someone (established)"
    )
    identifiers: bool = Field(
        True, description="sanctions: list badge numbers (what identifies an officer)"
    )
    reason: str = Field(max_length=2000, description="what the second person reads")


class ExportOut(Schema):
    id: int
    kind: str
    status: str = Field(description="awaiting, refused, queued, building, ready or failed")


class ApproveIn(Schema):
    recipient_check: str | None = Field(
        None,
        max_length=40,
        description="the last 8 hex digits of the recipient key's fingerprint (spaces and case "
        "do not matter), checked with the recipient",
    )
    note: str = Field("", max_length=2000)


class _MayAsk(TokenAuth):
    """Scope exports:ask, and `export.request` in some compartment; else 404 (as for a list
    one may not see) before the body is read."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = super().authenticate(request, token)
        if found is not None and not access.compartment_ids(found.user, ASK):
            raise ApiError(404, "no such collection")
        return found


def _out(export: Export) -> ExportOut:
    return ExportOut(id=export.pk, kind=export.kind, status=export.state)


def _found(request: HttpRequest, pk: int, permission: str) -> Export:
    """The export `pk` if the caller holds `permission` in its compartment, else 404."""
    export = Export.objects.select_related("compartment", "approval").filter(pk=pk).first()
    if export is None or not access.can(request.user, permission, export):
        raise ApiError(404, "no such export")
    return export


def _where(body: ExportIn, allowed: set[int]) -> tuple[Compartment, Any]:
    """The compartment and case the request names, if the caller may export them."""
    from docket.cases.models import Case

    if body.case is not None:
        if body.kind == "compartment":
            raise ApiError(422, "an export of a whole compartment names no case")
        case = Case.objects.filter(pk=body.case, compartment_id__in=allowed).first()
        if case is None:
            raise ApiError(404, "no such case")
        if body.compartment and body.compartment != case.compartment.name:
            raise ApiError(422, "the case is not in that compartment")
        return case.compartment, case
    if body.kind == "case":
        raise ApiError(422, "a court bundle needs its case: give case")
    if not body.compartment:
        raise ApiError(422, f"an export of kind {body.kind} needs compartment (or case)")
    compartment = Compartment.objects.filter(name=body.compartment, pk__in=allowed).first()
    if compartment is None:
        raise ApiError(404, "no such compartment")
    return compartment, None


@router.post(
    "/exports",
    response={201: ExportOut, ERRORS: ErrorOut},
    url_name="export_ask",
    auth=_MayAsk("exports:ask"),
)
@declare(ASK, method="POST")
def export_ask(request: HttpRequest, body: ExportIn) -> Status[ExportOut]:
    """Ask for an export; nothing is built until another person approves it."""
    allowed = access.compartment_ids(request.user, ASK)
    compartment, case = _where(body, allowed)
    if body.kind != "sanctions" and (body.min_confidence or not body.identifiers):
        raise ApiError(422, "min_confidence and identifiers are for a sanctions list only")
    recipient = body.recipient.strip()
    try:
        age.Recipient.parse(recipient)
    except (age.AgeError, ValueError):
        raise ApiError(
            422,
            "recipient is not an age public key: age1 followed by 58 letters and digits "
            "(the line 'public key:' that age-keygen prints)",
        ) from None
    if not body.reason.strip():
        raise ApiError(422, "reason is needed: the second person reads it before approving")
    export = build.ask(
        request.user,  # type: ignore[arg-type]
        compartment,
        recipient=recipient,
        recipient_label=body.recipient_label.strip()
        or f"key {approvals.grouped(approvals.fingerprint(recipient))}",
        reason=body.reason.strip(),
        kind=body.kind,
        case=case,
        min_confidence=(body.min_confidence or Involvement.Confidence.ESTABLISHED)
        if body.kind == "sanctions"
        else "",
        parameters={} if body.identifiers else {"identifiers": False},
    )
    return Status(201, _out(export))


@router.get(
    "/exports/{int:pk}",
    response={200: ExportOut, ERRORS: ErrorOut},
    url_name="export_status",
    auth=TokenAuth("exports:ask", "exports:approve"),
)
@declare(ASK, Export)
def export_status(request: HttpRequest, pk: Pk) -> ExportOut:
    """Where the export is: awaiting, refused, queued, building, ready or failed."""
    export = _found(request, pk, ASK)
    audit.record(request, "export.view", export, details={"via": "api"})
    return _out(export)


@router.post(
    "/exports/{int:pk}/approve",
    response={200: ExportOut, ERRORS: ErrorOut},
    url_name="export_approve",
    auth=TokenAuth("exports:approve"),
)
@declare(DECIDE, Export, method="POST")
def export_approve(request: HttpRequest, pk: Pk, body: ApproveIn) -> ExportOut:
    """Approve as the second person: the two-person rule as on the Approvals page."""
    export = _found(request, pk, DECIDE)
    if export.state != Export.State.AWAITING:
        raise ApiError(409, f"export {export.pk} is not awaiting approval: it is {export.state}")
    if not (body.recipient_check or "").strip():
        raise ApiError(
            400,
            "give recipient_check: the last 8 hex digits of the recipient key's fingerprint, "
            "checked with the recipient",
        )
    try:
        approvals.decide(
            request.user,  # type: ignore[arg-type]
            export.approval,
            approve=True,
            note=body.note,
            recipient_check=body.recipient_check,
        )
    except approvals.WrongCheck as exc:
        raise ApiError(422, str(exc)) from None
    except approvals.NotAllowed as exc:
        raise ApiError(409, str(exc)) from None
    export.refresh_from_db()
    return _out(export)


@router.get(
    "/exports/{int:pk}/package",
    response={ERRORS: ErrorOut},
    url_name="export_package",
    auth=TokenAuth("exports:ask", "exports:approve"),
    openapi_extra={
        "responses": {
            "200": {
                "description": "the package, encrypted to the recipient's key "
                "(docket-export-N.zip.age)",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
@declare(ASK, Export)
def export_package(request: HttpRequest, pk: Pk) -> StreamingHttpResponse:
    """The encrypted package, streamed; 409 until it is ready."""
    export = _found(request, pk, ASK)
    if export.state != Export.State.READY:
        raise ApiError(409, f"export {export.pk} is not ready: it is {export.state}")
    audit.record(
        request, "export.download", export, details={"sha256": export.sha256, "via": "api"}
    )
    return package_response(export)
