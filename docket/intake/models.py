"""Intake rows. None of them holds anything that identifies a sender in the clear: no address,
no user agent, no file name, no Telegram id, no e-mail address (docs/design.md §2.2). What a sender
wrote is sealed to the organisation's key and to the key their receipt derives
(docket/intake/receipts.py); a Telegram or e-mail contact is sealed to the organisation's key
alone and shown to staff only under the two-person rule. When a sender did something is kept
to the UTC hour only (HourField, docket/lib/hours.py); primary keys keep the order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Compartment
from docket.lib.hours import HourField


class Submission(models.Model):
    """One sender's report and the conversation that follows it."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        TELEGRAM = "telegram", _("Telegram")
        EMAIL = "email", _("E-mail")
        STAFF = "staff", _("Entered by staff")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        #: Staff replied to a new one; the sender's next message makes it new again.
        ANSWERED = "answered", _("Answered")
        ACCEPTED = "accepted", _("Accepted")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    #: What it was before it was marked as spam, for "Undo".
    status_before = models.CharField(max_length=10, choices=Status.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=5, default="en")
    receipt_tag = models.PositiveIntegerField(db_index=True)
    receipt_salt = models.BinaryField()
    receipt_verifier = models.BinaryField()
    sender_key = models.CharField(max_length=80, help_text=_("age recipient the receipt derives"))
    contact = models.BinaryField(
        null=True, blank=True, help_text=_("Telegram chat or e-mail address, sealed")
    )
    route = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_("keyed hash that routes replies")
    )
    # Times a sender's action sets are kept to the hour (docket/lib/hours.py); the primary key
    # orders submissions, and two counters say whether the sender wrote since staff last looked.
    created_at = HourField(auto_now_add=True)
    last_from_sender_at = HourField(null=True, blank=True)
    from_sender_count = models.PositiveIntegerField(default=0)
    seen_count = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(
        "register.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_count = models.PositiveIntegerField(default=0)
    byte_count = models.BigIntegerField(default=0)
    #: Who on the staff is working on it (the inbox is a queue).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"submission {self.pk}"

    @property
    def unread(self) -> bool:
        return self.from_sender_count > self.seen_count

    @property
    def language_name(self) -> str:
        """The sender's language in its own words (беларуская), or its code if unknown."""
        from django.utils.translation import get_language_info

        try:
            return str(get_language_info(self.language)["name_local"])
        except KeyError:
            return self.language


class Message(models.Model):
    """One message of the conversation, sealed (`body` is an age file)."""

    class Direction(models.TextChoices):
        FROM_SENDER = "in", _("From the sender")
        TO_SENDER = "out", _("To the sender")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = HourField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"message {self.pk} of submission {self.submission_id}"


class Upload(models.Model):
    """A resumable upload (tus protocol): sealed segments in the spool until the whole file is
    there, then a vault item. The token in its URL is a bearer secret; only its hash is kept."""

    class State(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        COMPLETE = "complete", _("Complete")
        STORED = "stored", _("Stored in the vault")
        FAILED = "failed", _("Failed")

    token_hash = models.CharField(max_length=64, unique=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads"
    )
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    #: one {"size", "sha256", "blob_sha256"} per sealed segment, in order
    segments = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVING)
    error = models.TextField(blank=True)
    created_at = HourField(auto_now_add=True)
    updated_at = HourField(auto_now=True)

    def __str__(self) -> str:
        return f"upload {self.pk}"


class Attachment(models.Model):
    """A file a sender gave: a vault item, or an upload still being put together."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    item = models.ForeignKey(
        "vault.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    upload = models.OneToOneField(
        Upload, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachment"
    )
    size = models.BigIntegerField()
    created_at = HourField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"attachment {self.pk} of submission {self.submission_id}"


class Reveal(models.Model):
    """A request to see who a Telegram or e-mail sender is: granted only when a second person
    approves it (docket.accounts.approvals), and only to the person who asked."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reveals")
    approval = models.OneToOneField("accounts.Approval", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"reveal of submission {self.submission_id}"


class Budget(models.Model):
    """A token bucket shared by every sender (rate limits that key on no one)."""

    name = models.CharField(max_length=40, primary_key=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"budget {self.name}"


class ChatMessage(models.Model):
    """A message in a sender's Telegram chat that the bot may delete when the sender asks: only
    its number in the chat and the chat's keyed hash, never the chat itself."""

    route = models.CharField(max_length=64, db_index=True)
    message_id = models.BigIntegerField()
    created_at = HourField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"chat message {self.message_id}"


class FetchedMail(models.Model):
    """An e-mail already turned into a submission: a keyed hash of its bytes, so that a poller
    that crashed before moving it out of the inbox does not store it twice."""

    digest = models.CharField(max_length=64, unique=True)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    created_at = HourField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fetched mail of submission {self.submission_id}"


class SpentProof(models.Model):
    """A proof of work already used to pass a spent budget: the hash of its challenge, so the
    same work cannot pass twice (kept until the challenge expires; `docket intake sweep`)."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"spent proof {self.digest[:12]}"


def intake_compartment() -> Compartment:
    """Where submissions wait until triage moves them (DOCKET_INTAKE_COMPARTMENT)."""
    found, _ = Compartment.objects.get_or_create(
        name=settings.INTAKE_COMPARTMENT,
        defaults={"description": "Submissions from the public intake, until triaged"},
    )
    return found
