from __future__ import annotations

from datetime import datetime, time
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from docket.accounts import (
    access,
    audit,
    lockout,
    notifications,
    passkeys,
    second_factor,
    totp,
)  # fmt: skip
from docket.accounts.guards import listing, staff, staff_user
from docket.accounts.models import AuditEvent, Passkey, TotpDevice, User


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
    page = Paginator(events.select_related("compartment").order_by("-at", "-id"), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "filters": filters,
            "alerts": audit.bulk_access(compartments),
        },
    )


class Login(auth_views.LoginView):
    """The password step. It never logs anyone in: it hands over to the second factor."""

    template_name = "accounts/login.html"

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        second_factor.start(self.request, user)
        target = "accounts:second_factor" if passkeys.enrolled(user) else "accounts:enrol"
        return redirect(target)


def _finish_login(request: HttpRequest, user: User, factor: str) -> None:
    login(request, user, backend="docket.accounts.lockout.LockoutBackend")
    second_factor.mark_verified(request)
    audit.record(request, "user.login", user, details={"factor": factor})


def second_factor_view(request: HttpRequest) -> HttpResponse:
    user = second_factor.pending_user(request)
    if user is None:
        return redirect("accounts:login")
    error = ""
    if request.method == "POST":
        factor = second_factor.check_code(user, request.POST.get("code", ""))
        if factor is not None:
            _finish_login(request, user, factor)
            if factor == "recovery":
                messages.warning(request, gettext("You used a recovery code. Each works once."))
            return redirect("home")
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        error = gettext("That code is not right, or was used already. Try the next one.")
    has_passkey = Passkey.objects.filter(user=user).exists()
    return render(
        request,
        "accounts/second_factor.html",
        {"error": error, "pending": user, "has_passkey": has_passkey},
    )


ENROLMENT_SESSION_KEY = "docket_enrol_secret"


def enrol_view(request: HttpRequest) -> HttpResponse:
    """First login: connect an authenticator app, then show the recovery codes once."""
    user = second_factor.pending_user(request)
    if user is None or passkeys.enrolled(user):
        return redirect("accounts:login")
    secret = request.session.get(ENROLMENT_SESSION_KEY) or totp.new_secret()
    request.session[ENROLMENT_SESSION_KEY] = secret
    error = ""
    if request.method == "POST":
        step = totp.verify(secret, request.POST.get("code", ""))
        if step is not None:
            TotpDevice.objects.create(
                user=user, secret=secret, last_step=step, confirmed_at=timezone.now()
            )
            codes = second_factor.new_recovery_codes(user)
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            _finish_login(request, user, "totp")
            audit.record(request, "user.second_factor_enrolled", user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        error = gettext(
            "That code is not right. Check the time on your phone and try the current code."
        )
    uri = totp.provisioning_uri(secret, user.get_username())
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    usable, moved = passkeys.usable_here(request)
    context = {
        "qr": qr, "secret": grouped, "error": error, "passkey_usable": usable,
        "passkey_moved": moved,
    }  # fmt: skip
    return render(request, "accounts/enrol.html", context)


@staff
def confirm_view(request: HttpRequest) -> HttpResponse:
    """A fresh code before a sensitive action."""
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    error = ""
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        if second_factor.check_code(user, request.POST.get("code", "")):
            second_factor.mark_verified(request)
            lockout.clear_failures(user)
            audit.record(request, "user.reconfirmed", user)
            return redirect(target)
        # Whoever holds an open session must not get unlimited guesses at the code.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        user.refresh_from_db(fields=["failed_logins", "locked_at"])
        audit.record(
            request, "user.reconfirm_failed", user, details={"failures": user.failed_logins}
        )
        if user.is_locked:
            logout(request)
            messages.error(
                request,
                gettext(
                    "Too many wrong codes: this account is locked until an administrator "
                    "unlocks it."
                ),
            )
            return redirect("accounts:login")
        error = gettext("That code is not right, or was used already.")
    return render(request, "accounts/confirm.html", {"error": error, "next": target})


@staff(methods=("GET",))
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Shows the recovery codes of a passkey enrolment, once (they live in the session until
    this page takes them out)."""
    codes = request.session.pop(passkeys.RECOVERY_CODES_TO_SHOW, None)
    if not codes:
        return redirect("home")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@staff
def notifications_view(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; those on the page are read once it is shown.
    "Mark all as read" (POST) reads the rest."""
    user = staff_user(request)
    if request.method == "POST":
        notifications.mark_read(
            user, list(notifications.visible(user).values_list("pk", flat=True))
        )
        return redirect("accounts:notifications")
    page = Paginator(notifications.visible(user), 50).get_page(request.GET.get("page"))
    rows = [(n, notifications.words(n), notifications.url(n)) for n in page]
    # Read once shown: the header's count goes at once; the list still marks them new.
    notifications.mark_read(user, [n.pk for n in page if n.read_at is None])
    context = {"page": page, "rows": rows, "unread_left": notifications.unread_count(user)}
    return render(request, "accounts/notifications.html", context)
