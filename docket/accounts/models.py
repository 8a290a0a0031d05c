from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member. Sources are never users: they hold receipts, not accounts.

    `is_superuser` makes an instance administrator: they manage users, compartments and
    grants, but see the contents of a compartment only through a grant of their own, which is
    audited like any other. Nobody sees everything by default.
    """

    must_change_password = models.BooleanField(
        default=False, help_text=_("set for a one-time password; cleared when the user picks one")
    )
    failed_logins = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("who asked for this account on the web (empty: the console, or unknown)"),
    )  # fmt: skip

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    INTAKE = "intake", _("Intake")
    ANALYST = "analyst", _("Analyst")
    LEGAL = "legal", _("Legal")
    AUDITOR = "auditor", _("Auditor")


class Compartment(models.Model):
    """A need-to-know boundary: every stored object belongs to exactly one."""

    name = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def compartment_id(self) -> int:
        """A compartment is governed from inside itself: its admins manage its grants."""
        return self.pk


class Grant(models.Model):
    """A user holds a role in a compartment. Created and removed only through
    `docket.accounts.access.grant` / `revoke`, which audit the change."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    compartment = models.ForeignKey(Compartment, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "compartment", "role"], name="one_grant_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} in {self.compartment}"


class AuditEvent(models.Model):
    """One staff action: every read, search, export and permission change (append-only).

    Names and labels are frozen copies, so the trail still reads right after a user or an
    object is renamed or removed. No network address is ever recorded.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    compartment = models.ForeignKey(
        Compartment, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    request_id = models.CharField(max_length=36, blank=True)
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_label}"

    @property
    def action_words(self) -> str:
        from docket.accounts.audit import action_words

        return action_words(self.action)

    @property
    def detail_pairs(self) -> list[tuple[str, Any]]:
        """The details for a template: `details.items` there reads a key named "items" (an
        export's count) before the method, and the page failed."""
        return list(self.details.items()) if isinstance(self.details, dict) else []


class TotpDevice(models.Model):
    """A user's authenticator app. The secret must be readable to check codes; it is useless
    without the password, and both are needed to log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp"
    )
    secret = models.CharField(max_length=64)
    last_step = models.BigIntegerField(default=-1, help_text=_("last time step used (no replay)"))
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"authenticator of {self.user}"


class RecoveryCode(models.Model):
    """Single-use codes for a lost phone. Stored as SHA-256: each has 60 random bits, so a
    slow hash adds nothing, and the plain codes are shown once at enrolment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class Passkey(models.Model):
    """A WebAuthn credential (security key or passkey): the strongest second factor, since it
    cannot be phished — the browser binds it to Docket's own host name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    name = models.CharField(max_length=100, default="security key")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} of {self.user}"


class Approval(models.Model):
    """The two-person rule: an action that could take everything (exporting a whole
    compartment, revealing who a source is, adding a person or an admin on the web) waits for
    a second person, an admin of the compartment (or, for accounts, an instance administrator)
    independent of the one who asked. Both steps are audited.

    Decided only through `docket.accounts.approvals`.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a second admin")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    action = models.CharField(max_length=60)
    compartment = models.ForeignKey(Compartment, on_delete=models.PROTECT, related_name="approvals")
    summary = models.CharField(max_length=300, help_text=_("what would happen, in a sentence"))
    reason = models.TextField(help_text=_("why the requester needs it"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    details = models.JSONField(
        default=dict, blank=True, help_text=_("what exactly would happen (for account requests)")
    )

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"approval {self.pk}: {self.summary}"


class Notification(models.Model):
    """Something that happened that one staff member should know of: their request decided,
    their export ready, a submission given to them, a sender in their queue writing again.

    Made only through `docket.accounts.notifications`, which also puts it in words. It names
    a record by its number and links to its page; the page checks access again, and a
    notification about a compartment the reader no longer holds a role in is not shown.
    """

    class Kind(models.TextChoices):
        APPROVED = "approved", _("Request approved")
        REFUSED = "refused", _("Request refused")
        EXPORT_READY = "export_ready", _("Export ready")
        EXPORT_FAILED = "export_failed", _("Export failed")
        ASSIGNED = "assigned", _("Submission assigned")
        MESSAGE = "message", _("New message from a sender")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    compartment = models.ForeignKey(
        Compartment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    #: The numbers and names the words need ({"pk": 12, "who": "olga", …}), never contents,
    #: and the page it links to as a URL name and its arguments ("link").
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # In the order they were made: one made for a sender is dated to the hour only.
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"notification {self.pk} for {self.user_id}: {self.kind}"
