"""What enrichment derives from an item, one typed table per kind of result, never a shared dict.

An original that came through the public intake has an `IntakeOriginal` row: what enrichment
reads there of who made the file and where is sealed to the vault key (docket/enrich/sealed.py).

Every enricher's attempt on an item is a `Run` row: its tool, the tool's version, how long it
took and, when it failed, why. The results themselves are rows with columns (a capture time, a
page's text, a transcript segment, a perceptual hash), never a shared bag of keys. Derived
files (thumbnails, keyframes, contact sheets, metadata-free copies) are vault items of their
own, linked to their original by a `Derivative` row and stored with a custody entry.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.lib.hours import HourField


class Run(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not applicable")
        #: Not run while the item sits in the intake compartment; queued when triage moves it.
        WAITING = "waiting", _("waits for triage")

    item = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="runs")
    enricher = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)
    tool = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=100, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    #: While a long step runs (speech): how far it has got, in seconds of the recording.
    heard_seconds = models.FloatField(null=True, blank=True)
    total_seconds = models.FloatField(null=True, blank=True)
    # To the hour only: the runs of an item in the intake would date a sender's file.
    updated_at = HourField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "enricher"], name="one_run_per_enricher")
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.enricher} on item {self.item_id} ({self.state})"

    @property
    def heard(self) -> tuple[str, str] | None:
        """How far a running step has got, as ("3:20", "47:10"); None when not running."""
        if self.state != Run.State.QUEUED or self.total_seconds is None:
            return None
        return clock(self.heard_seconds or 0.0), clock(self.total_seconds)


def clock(seconds: float) -> str:
    """A length of recording as 3:20 or 1:03:20."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, seconds_left = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds_left:02d}"
    return f"{minutes}:{seconds_left:02d}"


class IntakeOriginal(models.Model):
    """An original stored in the intake compartment, that is, sent by a member of the public
    (web form, Telegram, e-mail). It stays marked after triage moves it: its tools' raw output
    is never kept, and its serial number, owner, artist and position are kept only sealed."""

    item = models.OneToOneField(
        "vault.Item", on_delete=models.CASCADE, primary_key=True, related_name="intake_original"
    )

    def __str__(self) -> str:
        return f"item {self.item_id} (from the intake)"


class FileType(models.Model):
    """What the bytes are, by libmagic: never by a name or a sender's claim."""

    item = models.OneToOneField("vault.Item", on_delete=models.CASCADE, related_name="file_type")
    mime = models.CharField(max_length=150)
    description = models.CharField(max_length=500)
    kind = models.CharField(
        max_length=20
    )  # picture, video, audio, pdf, text, document, archive, other

    def __str__(self) -> str:
        return f"item {self.item_id}: {self.mime}"


class Capture(models.Model):
    """When, where and with what a picture or recording was made, as its metadata claims.

    For an intake original, `raw` stays empty and the position columns null: the position,
    serial number, owner and artist are in `sealed` (an age file to the vault key).

    `taken_at` is in UTC (docket/enrich/clocks.py): from a clock with its offset, else the GPS
    clock, else a local clock without one read in an assumed zone (`zone_assumed`: an analyst's
    for the item, `zone_set`, else its import's, else DOCKET_TIME_ZONE). `clock` keeps the
    digits as written and `clock_zone` the zone or offset they were read in, so a zone set
    later reads them again; `time_zone` is the offset of the local time, `time_evidence` which
    tag said it. Metadata is a claim, not a proof.
    """

    item = models.OneToOneField("vault.Item", on_delete=models.CASCADE, related_name="capture")
    taken_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=10, blank=True)
    time_evidence = models.CharField(max_length=200, blank=True)
    clock = models.CharField(max_length=40, blank=True, help_text=_("the clock as written"))
    clock_zone = models.CharField(
        max_length=64, blank=True, help_text=_("the zone or offset the clock was read in")
    )
    zone_assumed = models.BooleanField(default=False)
    zone_set = models.CharField(
        max_length=64, blank=True, help_text=_("a zone an analyst set for this item's clock")
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    altitude = models.FloatField(null=True, blank=True)
    device = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    raw = models.JSONField(default=dict, help_text=_("the tools' own output, for the record"))
    sealed = models.BinaryField(
        null=True,
        blank=True,
        help_text=_("serial number, owner, artist and position, sealed to the vault key"),
    )

    def __str__(self) -> str:
        return f"capture of item {self.item_id}"


class TextPage(models.Model):
    """The text of one page: a PDF's own text layer, or what OCR read (a picture is page 1)."""

    class Method(models.TextChoices):
        TEXT_LAYER = "text-layer", _("PDF text layer")
        OCR = "ocr", _("OCR")
        DOCUMENT = "document", _("document text")

    item = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="text_pages")
    page = models.PositiveIntegerField()
    method = models.CharField(max_length=12, choices=Method.choices)
    text = models.TextField()

    class Meta:
        ordering = ["item", "page"]
        constraints = [models.UniqueConstraint(fields=["item", "page"], name="one_text_per_page")]

    def __str__(self) -> str:
        return f"item {self.item_id} page {self.page}"


class Transcript(models.Model):
    item = models.OneToOneField("vault.Item", on_delete=models.CASCADE, related_name="transcript")
    language = models.CharField(max_length=5)
    language_probability = models.FloatField()
    model = models.CharField(max_length=200)
    device = models.CharField(max_length=10)  # cpu or cuda
    duration_seconds = models.FloatField()
    # How it was decoded (DOCKET_WHISPER_BEAM_SIZE, DOCKET_WHISPER_BEST_OF); null before 0010.
    beam_size = models.PositiveSmallIntegerField(null=True)
    best_of = models.PositiveSmallIntegerField(null=True)

    DEVICES = {"cpu": _("the processor (CPU)"), "cuda": _("the graphics card (GPU)")}

    def __str__(self) -> str:
        return f"transcript of item {self.item_id} ({self.language})"

    @property
    def device_label(self) -> str:
        """Where the model ran, in the page's language."""
        return str(self.DEVICES.get(self.device, self.device))


class Segment(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    text = models.TextField()
    language = models.CharField(max_length=5, blank=True)  # its piece's (empty: before 0009)

    class Meta:
        ordering = ["transcript", "index"]

    def __str__(self) -> str:
        return f"{self.start:.1f}-{self.end:.1f}: {self.text[:40]}"


class PerceptualHash(models.Model):
    """A PDQ hash of a picture, or of one video keyframe (`at_seconds`)."""

    item = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="pdq_hashes")
    at_seconds = models.FloatField(null=True, blank=True)
    pdq = models.CharField(max_length=64)  # 256 bits, hex
    quality = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["pdq"])]

    def __str__(self) -> str:
        return f"PDQ {self.pdq[:12]}… of item {self.item_id}"


class Derivative(models.Model):
    class Kind(models.TextChoices):
        THUMBNAIL = "thumbnail", _("thumbnail")
        KEYFRAME = "keyframe", _("keyframe")
        CONTACT_SHEET = "contact-sheet", _("contact sheet")
        CLEAN_COPY = "clean-copy", _("metadata-free copy")
        PAGE_IMAGE = "page-image", _("page image")

    original = models.ForeignKey("vault.Item", on_delete=models.PROTECT, related_name="derivatives")
    derived = models.ForeignKey("vault.Item", on_delete=models.PROTECT, related_name="derived_from")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.FloatField(default=0)  # a keyframe's second, a page number
    tool = models.CharField(max_length=100)

    class Meta:
        ordering = ["original", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["original", "kind", "position"], name="one_derivative_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of item {self.original_id}"


class NearDuplicate(models.Model):
    """Two items of one compartment that show the same picture or footage by their PDQ
    hashes (docket/enrich/neardup.py), as the worker found them. A suggestion until someone
    decides: accepted, it is confirmed; rejected, it is never suggested again and leaves the
    groups. Both are kept in the history with who and when."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        ACCEPTED = "accepted", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    a = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="+")
    #: The least Hamming distance over the frames compared (0 to 31).
    distance = models.PositiveSmallIntegerField()
    #: Two videos: the share of the shorter one's keyframes that matched the other.
    share = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    #: What the pages know of both items (vault.describe.Facts), where a lead is shown.
    sides: tuple[Any, Any] | None = None

    class Meta:
        ordering = ["distance", "a", "b"]
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="one_near_duplicate_per_pair"),
            models.CheckConstraint(condition=models.Q(a__lt=models.F("b")), name="near_a_before_b"),
        ]
        indexes = [models.Index(fields=["compartment", "status"])]

    def __str__(self) -> str:
        return f"items {self.a_id} and {self.b_id}: distance {self.distance}"

    @property
    def ref(self) -> str:
        """What names it in the queue of leads (docket/register/leads.py)."""
        return str(self.pk)

    def other(self, item_id: int) -> int:
        """The item on the other side from `item_id`."""
        return self.b_id if item_id == self.a_id else self.a_id
