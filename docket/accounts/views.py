from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from docket.accounts import access, audit
from docket.accounts.models import AuditEvent, User
from docket.accounts.views_access import listing


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        User.objects.filter(pk=form.user.pk).update(must_change_password=False)
        audit.record(self.request, "user.password_changed", form.user)
        return response


def _day(value: str | None, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@listing("audit.view")
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail of the compartments where the user is admin or auditor, with filters
    and bulk-access alerts. Events about no compartment (logins, accounts) are shown to
    instance administrators only."""
    compartments = access.compartment_ids(request.user, "audit.view")
    scope = Q(compartment_id__in=compartments)
    if request.user.is_superuser:
        scope |= Q(compartment__isnull=True)
    events = AuditEvent.objects.filter(scope)
    filters = {
        "user": request.GET.get("user", "").strip(),
        "object": request.GET.get("object", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
    }
    if filters["user"]:
        events = events.filter(actor_name=filters["user"])
    if filters["object"]:
        kind, _, ident = filters["object"].partition(":")
        events = events.filter(object_type=kind, **({"object_id": ident} if ident else {}))
    if filters["action"]:
        events = events.filter(action=filters["action"])
    if since := _day(filters["since"]):
        events = events.filter(at__gte=since)
    if until := _day(filters["until"], end=True):
        events = events.filter(at__lte=until)
    # Recorded before the page is built: the paginator counts rows at once but reads them
    # when the template renders, so a row written in between would push the oldest one off.
    audit.record(request, "audit.view", details={k: v for k, v in filters.items() if v})
    page = Paginator(events.order_by("-at", "-id"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "filters": filters,
            "alerts": audit.bulk_access(compartments),
        },
    )
