from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    """What leaves the building, in one zip encrypted to the recipient's age key: a whole
    compartment (the originals, their hashes, their custody entries with proofs), a case's
    court bundle (a BagIt bag), a sanctions list (FollowTheMoney entities) or a public report.

    Asked for by a legal or admin user, approved by a second admin (two-person rule), built by
    the worker, which holds the vault key. Docket never keeps the package in clear.
    """

    class State(models.TextChoices):
        AWAITING = "awaiting", _("Waiting for a second admin's approval")
        REFUSED = "refused", _("Refused")
        QUEUED = "queued", _("Approved, waiting for the worker")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        COMPARTMENT = "compartment", _("Every item of a compartment")
        CASE = "case", _("A case's court bundle")
        SANCTIONS = "sanctions", _("A sanctions and partner list")
        REPORT = "report", _("A public report")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMPARTMENT)
    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="exports"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="exports"
    )
    min_confidence = models.CharField(
        max_length=12, blank=True, help_text=_("sanctions: the least confidence to list someone")
    )
    parameters = models.JSONField(
        default=dict, blank=True, help_text=_("what else the kind needs (a report's choices)")
    )
    approval = models.OneToOneField(
        "accounts.Approval", on_delete=models.PROTECT, related_name="export"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    recipient = models.CharField(max_length=100, help_text=_("age public key (age1…)"))
    recipient_label = models.CharField(max_length=200, help_text=_("who holds the key"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.AWAITING)
    total = models.PositiveIntegerField(default=0, help_text=_("items to pack"))
    done = models.PositiveIntegerField(default=0, help_text=_("items packed so far"))
    blob = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text=_("of the encrypted package"))
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.compartment}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    @property
    def fingerprint(self) -> str:
        """The recipient key's fingerprint in groups of four, as the approver compares it."""
        from docket.accounts import approvals

        return approvals.grouped(approvals.fingerprint(self.recipient))

    @property
    def min_confidence_shown(self) -> str:
        """The least confidence of a sanctions list in words ("Established by evidence"),
        not its code."""
        from docket.register.models import Involvement

        labels = dict(Involvement.Confidence.choices)
        return str(labels.get(self.min_confidence, self.min_confidence))

    @property
    def report_facts(self) -> list[tuple[str, str]]:
        """A public report's choices in words, for whoever approves or follows it: what the
        report will say is decided here, not in the reason alone."""
        from docket.cases.statistics import CROSS_TITLE, TABLES

        if self.kind != self.Kind.REPORT:
            return []
        chosen = dict(self.parameters or {})
        titles = {key: title for key, (title, _heading) in TABLES.items()}
        titles["sex_age"] = CROSS_TITLE
        tables = [str(titles.get(key, key)) for key in chosen.get("tables") or []]
        filters = [f"{key}: {value}" for key, value in (chosen.get("filters") or {}).items()]
        return [
            (str(_("Title of the report")), str(chosen.get("title") or "—")),
            (str(_("Statistics to include")), "; ".join(tables) or "—"),
            (str(_("Events whose narratives to include")),
             ", ".join(str(e) for e in chosen.get("events") or []) or "—"),
            (str(_("Filters")), "; ".join(filters) or "—"),
        ]  # fmt: skip

    @property
    def file_name(self) -> str:
        return f"docket-export-{self.pk}.zip.age"
