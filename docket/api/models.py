from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: scope -> what it allows. A token carries some of these; the user's roles still apply.
SCOPES = {
    "items:read": _("list and read item metadata (never original bytes)"),
    "register:read": _("read the register: events, acts, persons, units and what they refer to"),
    "approvals:decide": _(
        "read the requests waiting for a second person and approve or refuse them"
        " (an export is only refused here: it is approved with scope exports:approve)"
    ),
    "exports:ask": _(
        "ask for an export (a compartment, a case's court bundle, a sanctions list), follow it"
        " and download its encrypted package"
    ),
    "exports:approve": _(
        "approve another person's export, typing the recipient key's check digits; follow it"
        " and download its package (created only after a fresh second-factor code or at the"
        " console, and lives at most 7 days)"
    ),
}

#: scopes that approve what leaves the building: a fresh code to create, a short life
APPROVING = frozenset({"exports:approve"})
APPROVING_DAYS = 7

#: what a token gets when none is named: reading only. Deciding is asked for by name.
READ_SCOPES = sorted(scope for scope in SCOPES if scope.endswith(":read"))


class ApiToken(models.Model):
    """A user's key for the JSON API. Only a SHA-256 of the token is kept (it has 238 random
    bits, so a slow hash adds nothing); the token itself is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="first characters, to recognise it")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.prefix}… ({self.name}) of {self.user}"

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active
