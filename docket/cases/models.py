"""Case files: what a prosecutor, a UN mechanism or a sanctions body can act on.

A case belongs to one compartment and gathers suspects (persons and units, each with a mode
of liability and the evidence for it), incidents (events and acts) and legal qualifications.
Each qualification brings its elements (docket/cases/elements.toml); the case's matrix holds
one cell per element of each qualification: what proves it, how far, in the analyst's view.
Evidence links carry the verification steps done on them (Berkeley Protocol).

Every row is saved through docket.register.history, so each change is kept with who and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Information,
    Person,
    Record,
    Term,
    Unit,
)

#: the vocabularies a case's qualifications come from
QUALIFYING = ("rome_statute", "criminal_code", "convention_against_torture")


class Case(Record):
    """A case file in one compartment."""

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    events = models.ManyToManyField(Event, blank=True, related_name="cases")
    acts = models.ManyToManyField(Act, blank=True, related_name="cases")
    qualifications = models.ManyToManyField(
        Term, blank=True, related_name="+",
        limit_choices_to={"vocabulary__in": QUALIFYING},
    )  # fmt: skip

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The case's identifier outside Docket (a bag's External-Identifier)."""
        return f"DOCKET-CASE-{self.pk}"


class Suspect(Record):
    """A person or a unit the case accuses, with a mode of liability and its evidence."""

    class Liability(models.TextChoices):
        COMMITTED = "committed", _("Committed (art. 25(3)(a))")
        ORDERED = "ordered", _("Ordered (art. 25(3)(b))")
        AIDED = "aided", _("Aided or abetted (art. 25(3)(c))")
        SUPERIOR = "superior", _("Superior responsibility (art. 28)")

    #: mode of liability -> the involvement_degree codes it corresponds to
    DEGREES = {
        Liability.COMMITTED: ("10",),
        Liability.ORDERED: ("20",),
        Liability.AIDED: ("30",),
        Liability.SUPERIOR: ("40", "50"),
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspects")
    # Named relations (not "+"), so that merging two persons moves a suspect to the survivor.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="suspect_of"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="suspect_of"
    )
    liability = models.CharField(_("mode of liability"), max_length=10, choices=Liability.choices)
    evidence = models.ManyToManyField(EvidenceLink, blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False),
                name="suspect_names_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person or self.unit} ({self.get_liability_display()})"


class Cell(Record):
    """One element of one qualification in a case: its evidence, a status and a note."""

    class Status(models.TextChoices):
        NONE = "none", _("No evidence")
        SOME = "some", _("Some evidence")
        SUFFICIENT = "sufficient", _("Sufficient, in the analyst's view")
        CONTESTED = "contested", _("Contested")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cells")
    qualification = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    element = models.CharField(
        max_length=40, help_text=_("the element's code in its qualification")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NONE)
    note = models.TextField(_("note"), blank=True)
    acts = models.ManyToManyField(Act, blank=True, related_name="+")
    evidence = models.ManyToManyField(EvidenceLink, blank=True, related_name="+")
    information = models.ManyToManyField(Information, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "qualification", "element"], name="one_cell_per_element"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.qualification.code} {self.element}"


class Verification(Record):
    """One step of the Berkeley Protocol done on an evidence link: who, when, how, what came
    of it."""

    class Step(models.TextChoices):
        SOURCE = "source", _("Source analysis")
        TECHNICAL = "technical", _("Technical analysis")
        CONTENT = "content", _("Content analysis")

    class Method(models.TextChoices):
        SOURCE = "source", _("Who the source is, how they came by it")
        METADATA = "metadata", _("Metadata")
        HASHES = "hashes", _("Hashes")
        NEAR_DUPLICATES = "near_duplicates", _("Near-duplicates, earlier copies")
        GEOLOCATION = "geolocation", _("Geolocation")
        CHRONOLOCATION = "chronolocation", _("Chronolocation")
        CONTENT = "content", _("What it shows, against other evidence")
        OTHER = "other", _("Other")

    class Result(models.TextChoices):
        CONFIRMS = "confirms", _("Confirms")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")
        CONTRADICTS = "contradicts", _("Contradicts")

    evidence = models.ForeignKey(
        EvidenceLink, on_delete=models.CASCADE, related_name="verifications"
    )
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    details = models.TextField(_("what was done and found"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField()

    class Meta:
        ordering = ["done_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} of item {self.evidence.item_id}"
