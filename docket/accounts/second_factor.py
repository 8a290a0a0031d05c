"""Two-factor login, mandatory for every staff member.

Policy:
- The password alone never yields a session: the login view only remembers, in the
  anonymous session, who passed the password step and when; `login()` happens after a valid
  authenticator code or recovery code. There is no other way in (no password reset, no admin
  site, no SMS or e-mail factor).
- A session without the second-factor mark is ended by `SecondFactorMiddleware`, whatever
  created it.
- Sensitive actions ask for a fresh code (`recent_second_factor`), so a session left open
  on a desk cannot grant roles or export. A wrong code there counts towards the lockout like a
  wrong code at login (docket/accounts/lockout.py), is audited, and the lock ends the session.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from docket.accounts import totp
from docket.accounts.models import RecoveryCode, TotpDevice, User

PENDING_USER = "docket_2fa_pending_user"
PENDING_SINCE = "docket_2fa_pending_since"
VERIFIED_AT = "docket_2fa_verified_at"
PENDING_SECONDS = 300
RECENT_SECONDS = 600
RECOVERY_CODES = 10


def start(request: HttpRequest, user: User) -> None:
    """The password was right: remember who, for a few minutes, in the anonymous session."""
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_SINCE] = time.time()


def pending_user(request: HttpRequest) -> User | None:
    since = request.session.get(PENDING_SINCE)
    if since is None or time.time() - since > PENDING_SECONDS:
        return None
    pending = request.session.get(PENDING_USER)
    if pending is None:
        return None
    user = User.objects.filter(pk=pending, is_active=True).first()
    return user if user is not None and not user.is_locked else None


def check_code(user: User, code: str) -> str | None:
    """'totp' or 'recovery' if the code is good (and then used up), else None."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is not None:
        with transaction.atomic():
            device = TotpDevice.objects.select_for_update().get(pk=device.pk)
            step = totp.verify(device.secret, code, after_step=device.last_step)
            if step is not None:
                device.last_step = step
                device.save(update_fields=["last_step"])
                return "totp"
    digest = _hash(code)
    used = RecoveryCode.objects.filter(user=user, code_hash=digest, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return "recovery" if used else None


def mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED_AT] = time.time()
    request.session.pop(PENDING_USER, None)
    request.session.pop(PENDING_SINCE, None)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().replace("-", "").lower().encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, never stored."""
    codes = ["-".join(secrets.token_hex(3)[:5] for _ in range(3)) for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c)) for c in codes)
    return codes


class SecondFactorMiddleware:
    """Ends any authenticated session that did not pass the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and VERIFIED_AT not in request.session:
            logout(request)
        return self.get_response(request)


def recent_second_factor(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ask for a fresh code before a sensitive action (granting roles, exports, keys)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        verified = request.session.get(VERIFIED_AT, 0)
        if time.time() - verified > RECENT_SECONDS:
            return redirect(f"/accounts/confirm/?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper
