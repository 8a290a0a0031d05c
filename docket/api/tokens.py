"""Creating, checking and revoking API tokens.

Policy: a token belongs to one user, carries scopes, expires (90 days unless told), can be
revoked at once, and is shown only at creation. On the web it is created only from a session
that has just passed the second factor; the CLI is for administrators on the server. A token
that approves exports (`APPROVING` scopes) stands in for the pages' fresh code at each
approval, so it is made only right after one (or at the console) and lives at most 7 days. Every
creation, revocation and use is audited. A token is refused while its user is disabled or
locked (docket/accounts/lockout.py), and works again once the account is unlocked.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from datetime import timedelta

from django.utils import timezone

from docket.accounts import audit
from docket.accounts.models import User
from docket.api.models import APPROVING, APPROVING_DAYS, SCOPES, ApiToken

PREFIX = "dkt_"
ALPHABET = string.ascii_letters + string.digits


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    user: User,
    *,
    name: str,
    scopes: list[str],
    days: int | None = None,
    by: User | None = None,
    fresh_code: bool = False,
) -> tuple[ApiToken, str]:
    """A new token and its text (shown once). `days`: 90 unless told, 7 for a token that
    approves exports; `fresh_code`: its creator has just typed a second-factor code, or is
    at the console (what a token that approves exports needs)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}")
    approving = sorted(APPROVING & set(scopes))
    if days is None:
        days = APPROVING_DAYS if approving else 90
    if not 1 <= days <= 366:
        raise ValueError("a token lives between 1 and 366 days")
    if approving and days > APPROVING_DAYS:
        raise ValueError(
            f"a token of scope {approving[0]} lives at most {APPROVING_DAYS} days: "
            f"ask for {APPROVING_DAYS} or fewer"
        )
    if approving and not fresh_code:
        raise ValueError(
            f"a token of scope {approving[0]} is created only right after a second-factor code "
            "(the API tokens page asks for one) or at the console (docket tokens create)"
        )
    token = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(40))
    created = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=_hash(token),
        prefix=token[:10],
        scopes=sorted(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record_system(by or user, "token.create", created, details={"user": user.get_username()})
    return created, token


class AccountLocked(Exception):
    """The token is valid but its user's account is locked: say so, a script's owner must act."""


def authenticate(header: str) -> ApiToken | None:
    if not header.startswith("Bearer " + PREFIX):
        return None
    found = (
        ApiToken.objects.select_related("user").filter(token_hash=_hash(header[7:].strip())).first()
    )
    if found is None or not found.usable:
        return None
    if found.user.is_locked:
        raise AccountLocked(
            "this token's account is locked after repeated wrong passwords or codes: "
            "an administrator must unlock it"
        )
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def revoke(token: ApiToken, *, by: User | None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record_system(by, "token.revoke", token, details={"user": token.user.get_username()})
