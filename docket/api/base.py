"""The JSON API's frame: one django-ninja API (its OpenAPI schema at /api/openapi.json), token
authentication with scopes, JSON errors, and the access declarations the authorization matrix
walks (docket/accounts/guards.py).

Policy: a token acts as its user, so every answer is filtered by the same permission table as
the pages; an object outside the user's compartments gets the same 404 as one that does not
exist; every read is audited (`"via": "api"`); lists are pages of at most 100, newest first,
with a `before` cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from ninja import NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from pydantic import Field

from docket.accounts import access, audit
from docket.accounts.guards import Declared
from docket.api import tokens
from docket.api.models import ApiToken

M = TypeVar("M", bound=Model)
PAGE = 100
MAX_ID = 2**63 - 1  # the largest id a database row can have
#: an object's id in a path
Pk = Annotated[int, Path(ge=1, le=MAX_ID)]


def an_id(description: str) -> Any:
    """An optional query parameter naming an object by its id."""
    return Field(None, ge=1, le=MAX_ID, description=description)


class Cursor(Schema):
    before: int | None = an_id("only ids below this (the next page)")


class Next(Schema):
    next_before: int | None = Field(description="pass as ?before= for the next page")


def narrowed(queryset: QuerySet[M], **ids: int | None) -> QuerySet[M]:
    """`queryset` filtered by each of `ids` (field_id=value) that the request gave."""
    return queryset.filter(**{field: value for field, value in ids.items() if value})


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TokenAuth(HttpBearer):
    """`Authorization: Bearer dkt_…`, holding `scope` (or one of `others`). No cookies are
    read."""

    def __init__(self, scope: str, *others: str) -> None:
        super().__init__()
        self.scope = scope
        self.scopes = (scope, *others)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        try:
            found = tokens.authenticate("Bearer " + token)
        except tokens.AccountLocked as exc:
            raise ApiError(401, str(exc)) from None
        if found is None:
            return None
        if not set(self.scopes) & set(found.scopes):
            raise ApiError(403, f"this token lacks the scope {' or '.join(self.scopes)}")
        request.user = found.user
        return found


class _Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # Django's encoder cuts times to milliseconds; custody times keep their microseconds.
        return o.isoformat() if isinstance(o, datetime) else super().default(o)


class _Renderer(JSONRenderer):
    encoder_class = _Encoder


class _Parser(Parser):
    """JSON as documented; an empty body is an empty object, and a form (what a bare POST from
    a test client or an HTML form sends) is read as its fields. So a decision whose fields all
    have defaults reaches the permission check like any other, and is refused there."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return request.POST.dict()
        return super().parse_body(request) if request.body.strip() else {}


api = NinjaAPI(
    renderer=_Renderer(),
    parser=_Parser(),
    title="Docket",
    version="1",
    description=(
        "The register and the vault's item metadata, read with a personal token. "
        "Each token acts as its user: the same roles and compartments as the pages."
    ),
    docs_url=None,  # the interactive page loads scripts from elsewhere; the schema is enough
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


api.add_exception_handler(ApiError, lambda request, exc: _error(request, exc.status, exc.message))
api.add_exception_handler(
    AuthenticationError,
    lambda request, exc: _error(
        request, 401, "a valid API token is needed: Authorization: Bearer dkt_…"
    ),
)
api.add_exception_handler(
    HttpError, lambda request, exc: _error(request, exc.status_code, exc.message.lower())
)
api.add_exception_handler(
    ValidationError,
    lambda request, exc: _error(request, 422, "the request is not valid", detail=exc.errors),
)


class ErrorOut(Schema):
    error: str
    detail: list[dict[str, Any]] | None = None


def answers(ok: type[Schema]) -> dict[Any, type[Schema]]:
    """The documented answers of a read: `ok`, or an error with its reason."""
    return {200: ok, frozenset({401, 403, 404, 422}): ErrorOut}


def decision_answers(ok: type[Schema]) -> dict[Any, type[Schema]]:
    """The documented answers of a decision: also 400 for a body that is not JSON, and 409
    when it may not be decided (by this caller, or any more)."""
    return {200: ok, frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


#: url name -> what the authorization matrix needs to know of the route
DECLARED: dict[str, Declared] = {}
#: model -> the permission that reads it through the API
READS: dict[type[Model], str] = {}


def declare(
    permission: str, model: type[Model] | None = None, *, method: str = "GET"
) -> Callable[[Any], Any]:
    """Mark an operation for the authorization matrix: a list (the caller needs `permission`
    in some compartment) or one object of `model` (fetched with `one`), read with GET or
    acted on with `method`."""

    def decorate(view: Any) -> Any:
        name = view.__name__
        assert name not in DECLARED, f"two API operations are called {name}"
        DECLARED[name] = Declared(
            "api_object" if model is not None else "api_list", permission, model, (method,)
        )
        if model is not None and method == "GET":
            READS[model] = permission
        return view

    return decorate


def one(request: HttpRequest, queryset: QuerySet[M] | type[M], pk: int, action: str) -> M:
    """The object `pk` if the caller may read it (else 404, as for a missing one), audited."""
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    obj = qs.filter(pk=pk).first()
    if obj is None or not access.can(request.user, READS[qs.model], obj):  # type: ignore[arg-type]
        raise ApiError(404, "no such object")
    audit.record(request, action, obj, details={"via": "api"})
    return obj


def page(
    request: HttpRequest,
    queryset: QuerySet[M],
    permission: str,
    *,
    before: int | None,
    action: str,
    details: dict[str, Any] | None = None,
) -> tuple[list[M], int | None]:
    """One page of what the caller may read, newest first: the rows and the next cursor."""
    if not access.compartment_ids(request.user, permission):
        raise ApiError(404, "no such collection")
    visible = access.visible(queryset, request.user, permission).order_by("-pk")
    if before:
        visible = visible.filter(pk__lt=before)
    rows = list(visible[:PAGE])
    audit.record(request, action, details={"via": "api", "before": before, **(details or {})})
    return rows, (rows[-1].pk if len(rows) == PAGE else None)


def reference(request: HttpRequest, permission: str) -> None:
    """Reference data (vocabularies, gazetteer) for anyone holding `permission` somewhere."""
    if not access.compartment_ids(request.user, permission):
        raise ApiError(404, "no such collection")


def declared_patterns(patterns: Iterable[Any]) -> list[URLPattern]:
    """The API's URL patterns, one per path, each carrying its access declaration."""
    seen: dict[str, URLPattern] = {}
    for pattern in patterns:
        route = str(pattern.pattern)
        if route in seen:
            continue  # another method on the same path: one view serves them all
        declared = DECLARED.get(pattern.name)
        if declared is None and route in ("openapi.json", ""):
            # the schema, and ninja's root (a 404 for everyone; ninja finds its prefix by it)
            declared = Declared("public")
        pattern.callback.docket_access = declared
        seen[route] = pattern
    return list(seen.values())
