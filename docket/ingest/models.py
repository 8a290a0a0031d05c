"""Bulk imports and the context they bring.

A `Batch` is one run of `docket import …`: what it stored, what was already held, what failed
and why; its items' enrichment progress is read through `BatchItem`. A Telegram export brings
its chats and channels as `Collection`s and each message (text, date, author, forwarded-from)
as a `Message`, the context of the media item it carried.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Batch(models.Model):
    class Source(models.TextChoices):
        FILES = "files", _("files")
        TELEGRAM = "telegram", _("Telegram export")
        WEB = "web", _("web upload")

    source = models.CharField(max_length=10, choices=Source.choices)
    label = models.CharField(max_length=300)
    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    stored = models.PositiveIntegerField(default=0)
    received_again = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, help_text=_("[{path, error}] of what failed"))
    skipped = models.JSONField(default=list, help_text=_("[{path, reason}] of what was skipped"))
    #: The zone the import's cameras' clocks were set to, when someone knows it (an IANA
    #: name); empty: the instance's. Clocks without an offset are read in it.
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.source}: {self.label})"


class BatchItem(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=1000)  # where in the import it was found

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "item"], name="an_item_once_per_batch")
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} in import {self.batch_id}"


class Collection(models.Model):
    """A Telegram chat, group or channel an export came from."""

    kind = models.CharField(max_length=40)  # the export's own type: public_channel, …
    external_id = models.BigIntegerField()
    name = models.CharField(max_length=300)
    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "external_id"], name="one_collection_per_chat"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="messages")
    message_id = models.BigIntegerField()
    sent_at = models.DateTimeField()
    #: False when the export gave only the exporting computer's local time (old exports).
    sent_at_exact = models.BooleanField(default=True)
    author = models.CharField(max_length=300, blank=True)
    forwarded_from = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    item = models.ForeignKey(
        "vault.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )

    class Meta:
        ordering = ["collection", "message_id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "message_id"], name="one_row_per_message")
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} in {self.collection}"


class WebUpload(models.Model):
    """A file a staff member uploads from the web into a compartment, in parts, each sealed to
    the vault's key as it arrives (docket/ingest/uploads.py); a worker stores it in the vault
    once whole. Only its uploader sees it and adds to it."""

    class State(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        COMPLETE = "complete", _("Being stored")
        STORED = "stored", _("Stored")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="uploads")
    #: The file's name on the uploader's computer (staff files keep their names; a sender's
    #: never reach this table).
    name = models.CharField(max_length=300)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    #: one {"size", "sha256", "blob_sha256"} per sealed part, in order
    parts = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVING)
    item = models.ForeignKey(
        "vault.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    #: What the page knows of the file to resume it: the SHA-256 of its first part and its
    #: modification time ("hex:milliseconds"); empty where the page could not tell.
    fingerprint = models.CharField(max_length=100, blank=True)
    #: The compartment held these bytes already: the item is the one it had.
    already_held = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"web upload {self.pk} ({self.name})"
