"""Pages that belong to no single app: where each person starts after logging in, and the
not-found page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.template import loader

from docket.accounts.guards import public
from docket.accounts.models import Grant, Role

#: Where each role's work is, in the order that decides for a person with several roles.
LANDINGS = (
    (Role.INTAKE, "inbox:inbox"),
    (Role.ANALYST, "register:events"),
    (Role.LEGAL, "exports:exports"),
    (Role.AUDITOR, "accounts:audit"),
    (Role.ADMIN, "accounts:approvals"),
)


def landing(user: Any) -> str:
    """The URL name of the page a person starts at."""
    roles = set(Grant.objects.filter(user=user).values_list("role", flat=True))
    for role, page in LANDINGS:
        if role in roles:
            return page
    if getattr(user, "is_superuser", False):
        return "accounts:people"
    return "vault:items"  # says to ask an administrator for a role


@public
def home(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(landing(request.user))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Programs get JSON from the API even for a path that names no route. A logged-in person
    keeps the page header; anyone else (the public intake's senders among them) gets a page
    that sets no cookie. Either way a missing object and one outside the person's compartments
    give the very same page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "no such route"}, status=404)
    staff = request.user.is_authenticated if hasattr(request, "user") else False
    template = "404_staff.html" if staff else "404.html"
    return HttpResponse(loader.render_to_string(template, request=request), status=404)
