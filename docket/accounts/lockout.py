"""Lockout after repeated failed staff logins, by account — never by network address.

After DOCKET_LOGIN_MAX_FAILURES wrong passwords or second-factor codes in a row (at login or
when a sensitive action asks for a fresh code) an account is locked until an administrator
unlocks it (`docket users unlock`, or the People page), which is audited. A locked account has
no session (`LockoutBackend` no longer returns it) and its API tokens are refused. Keying on
the account means an attacker can lock a known staff account out: the price of recording no
addresses, and an alarm in itself (the lock is in the audit trail).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from docket.accounts import audit
from docket.accounts.models import User


class LockoutBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_locked", False)


@receiver(user_login_failed)
def count_failure(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = credentials.get("username")
    user = User.objects.filter(username=username).first() if username else None
    if user is None or user.is_locked:
        return
    failures = user.failed_logins + 1
    User.objects.filter(pk=user.pk).update(failed_logins=failures)
    if failures >= settings.LOGIN_MAX_FAILURES:
        User.objects.filter(pk=user.pk).update(locked_at=timezone.now())
        audit.record_system(user, "user.locked", user, details={"failures": failures})


@receiver(user_logged_in)
def reset_failures(sender: Any, user: User, **kwargs: Any) -> None:
    clear_failures(user)


def clear_failures(user: User) -> None:
    """A right code ends the run of wrong ones (at login or at a fresh-code confirmation)."""
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)


def unlock(user: User, *, by: User | None) -> None:
    User.objects.filter(pk=user.pk).update(locked_at=None, failed_logins=0)
    audit.record_system(by, "user.unlocked", user)
