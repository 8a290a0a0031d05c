from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

# Every resource comes from Docket itself; no inline script or style; no framing; forms post
# only to Docket. Pages work with JavaScript off, so 'self' scripts are an enhancement only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: The id of the request being served, for audit rows written deep inside helpers.
current_request_id: ContextVar[str] = ContextVar("docket_request_id", default="")


class RequestIdMiddleware:
    """Gives each request an id, written on every audit row it causes and sent back in
    X-Request-ID, so an audit row and a support report can be matched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = str(uuid.uuid4())  # type: ignore[attr-defined]
        token = current_request_id.set(request.request_id)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


NUL_REFUSED = "a NUL character is not allowed in a query"


class NoNulMiddleware:
    """A query string with a NUL character is refused (400; 422 on the API): no text Docket
    stores or searches holds one, and PostgreSQL cannot take one in a text column (it would be
    a server error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            if request.path.startswith("/api/"):
                # The API's documented answer to a request it cannot take (docs/api.md).
                return JsonResponse({"error": NUL_REFUSED, "detail": None}, status=422)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain")
        return self.get_response(request)


def content_security_policy() -> str:
    """The policy above; images may also come from DOCKET_MAP_TILES's server, if set."""
    from urllib.parse import urlsplit

    from django.conf import settings

    if not settings.MAP_TILES:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(settings.MAP_TILES)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        return response


class OneTimePasswordMiddleware:
    """A user holding a one-time password may do nothing but choose a new one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if getattr(user, "must_change_password", False):
            # The recovery codes of a fresh enrolment come first: they are shown only once.
            allowed = {
                reverse("accounts:password"),
                reverse("accounts:logout"),
                reverse("accounts:recovery_codes"),
            }
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password")
        return self.get_response(request)
