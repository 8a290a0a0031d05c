"""A person's own API tokens, as a staff page (under /accounts/tokens/, beside the other pages
about one's account; docket/core/urls.py places it there)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from docket.accounts.guards import staff, staff_user
from docket.accounts.second_factor import recent_second_factor
from docket.api import tokens
from docket.api.models import READ_SCOPES, SCOPES, ApiToken


@staff(methods=("GET", "POST"))
def api_tokens(request: HttpRequest) -> HttpResponseBase:
    """A person's own API tokens. Creating one needs a fresh second-factor code."""
    if request.method == "POST":
        return _change_tokens(request)
    user = staff_user(request)
    mine = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "api/tokens.html",
        {"tokens": mine, "scopes": SCOPES.items(), "read_scopes": READ_SCOPES},
    )


@recent_second_factor
def _change_tokens(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if "revoke" in request.POST:
        found = ApiToken.objects.filter(user=user, pk=request.POST["revoke"]).first()
        if found is not None:
            tokens.revoke(found, by=user)
            messages.success(
                request, gettext("Token %(prefix)s… revoked.") % {"prefix": found.prefix}
            )
        return redirect("accounts:tokens")
    name = request.POST.get("name", "").strip()[:100] or "unnamed"
    scopes = request.POST.getlist("scope")
    try:
        # @recent_second_factor: the code was typed in the last minutes
        created, token = tokens.create(user, name=name, scopes=scopes, by=user, fresh_code=True)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:tokens")
    return render(request, "api/token_created.html", {"token": token, "created": created})
