"""Vault rows. Custody entries and checkpoints are append-only: the database refuses UPDATE and
DELETE on them (triggers added by migration), and `docket verify` catches anyone who drops the
triggers and edits them anyway, because every entry is a leaf of a signed Merkle tree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Item(models.Model):
    """One original file in one compartment. Its bytes live encrypted in storage under `blob`;
    nothing here is the file's name on the sender's device, which can identify a source. The
    same content in another compartment is another item with a blob of its own (store.py)."""

    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    blob = models.CharField(max_length=200, unique=True)
    blob_sha256 = models.CharField(
        max_length=64, help_text=_("SHA-256 of the encrypted blob, checkable without the key")
    )
    received_at = models.DateTimeField()
    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="items"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "sha256"], name="one_item_per_content_per_compartment"
            )
        ]

    def __str__(self) -> str:
        return f"item {self.pk} ({self.sha256[:12]}…)"


class CustodyEntry(models.Model):
    """One state change, as canonical bytes; `index` is its leaf index in the Merkle tree.

    `action`, `item` and `created_at` repeat what the leaf says, for queries; verify checks
    that they agree with the leaf, which is what the signatures cover.
    """

    index = models.BigIntegerField(primary_key=True)
    leaf = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    action = models.CharField(max_length=40)
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="custody",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["index"]
        indexes = [models.Index(fields=["item", "index"])]

    def __str__(self) -> str:
        return f"custody entry {self.index} ({self.action})"

    def leaf_text(self) -> str:
        return bytes(self.leaf).decode()


class LogState(models.Model):
    """The single row that serialises appends: `size` is the next leaf index."""

    origin = models.CharField(max_length=200)
    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log {self.origin} ({self.size} entries)"


class Checkpoint(models.Model):
    """A signed statement of the tree's size and root (C2SP tlog-checkpoint in a signed note)."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    compact_range = models.JSONField(
        help_text=_("[height, hex hash] of the perfect subtrees, so the next seal is incremental")
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"

    def root_hex(self) -> str:
        return bytes(self.root_hash).hex()


class Timestamp(models.Model):
    """An RFC 3161 token over a checkpoint's signed note, from DOCKET_TSA_URL."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="timestamps")
    authority = models.CharField(max_length=500)
    token = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"timestamp of checkpoint {self.checkpoint_id} by {self.authority}"
