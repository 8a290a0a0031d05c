"""The register, in the shape of the HURIDOCS Events Standard Formats (docs/design.md §2.6).

One Person table; the role lives on the link: a victim through an Act, a perpetrator through
an Involvement, a source through an Information row. Units are first-class, with memberships
over time. Every row belongs to a compartment (an act to its event's, and so on down), says
who created it and when, and has its change history in Change (append-only).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    """How much of a date is known (HURIDOCS ESF date types)."""

    EXACT = "exact", _("Exact")
    DAY = "day", _("Day known")
    MONTH = "month", _("Month known")
    YEAR = "year", _("Year known")
    ESTIMATE = "estimate", _("Estimate")
    UNKNOWN = "unknown", _("Unknown")


class Confidentiality(models.TextChoices):
    INTERNAL = "internal", _("Internal: the compartment")
    RESTRICTED = "restricted", _("Restricted: named people only")
    SHAREABLE = "shareable", _("Shareable with partners, redacted")


class Term(models.Model):
    """A vocabulary term. Built-in terms come from docket/register/vocabularies/*.toml;
    administrators add local ones. Retired, never deleted: old records keep their meaning."""

    vocabulary = models.CharField(max_length=40)
    code = models.CharField(max_length=40)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    label_en = models.CharField(max_length=300)
    label_be = models.CharField(max_length=300)
    label_ru = models.CharField(max_length=300)
    builtin = models.BooleanField(default=False)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["vocabulary", "code"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="one_term_per_code")
        ]

    def __str__(self) -> str:
        return self.label_en

    def label(self, language: str) -> str:
        return str(getattr(self, f"label_{language}", "") or self.label_en)

    @property
    def shown(self) -> str:
        """The label in the language the page is in (English where a label is missing)."""
        return self.label(get_language() or "en")


def _vocabulary(name: str) -> dict[str, str]:
    return {"vocabulary": name}


class Place(models.Model):
    """The gazetteer: regions, districts, cities, detention facilities, streets. Built-in
    places come from docket/register/places.toml; documenters add their own."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        DISTRICT = "district", _("District")
        CITY = "city", _("City")
        FACILITY = "facility", _("Place of detention")
        SITE = "site", _("Street, square or building")

    class CoordinatePrecision(models.TextChoices):
        POINT = "point", _("The spot itself")
        APPROXIMATE = "approximate", _("Within about a kilometre")
        AREA = "area", _("Centre of a city or region")

    code = models.CharField(max_length=60, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    name_en = models.CharField(max_length=300)
    name_be = models.CharField(max_length=300, blank=True)
    name_ru = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    precision = models.CharField(
        max_length=12, choices=CoordinatePrecision.choices, default=CoordinatePrecision.AREA
    )
    builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def shown(self) -> str:
        """The name in the language the page is in (English where a name is missing)."""
        language = get_language() or "en"
        return str(getattr(self, f"name_{language}", "") or self.name_en)


class Record(models.Model):
    """What every register row carries."""

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Person(Record):
    """A victim, perpetrator, witness or source: the role lives on the link. A source is
    recorded under a pseudonym; who they really are stays in intake, behind the two-person
    rule."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    display_name = models.CharField(max_length=300, help_text=_("the name the register shows"))
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_date = models.DateField(null=True, blank=True)
    birth_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.UNKNOWN
    )
    groups = models.ManyToManyField(
        Term, blank=True, related_name="+", limit_choices_to=_vocabulary("victim_group")
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["display_name", "id"]
        # The register of persons opens in this order: PostgreSQL walks the index to the
        # first 50 instead of sorting every person by name.
        indexes = [models.Index(fields=["display_name", "id"])]

    def __str__(self) -> str:
        return self.display_name

    def history_extra(self) -> dict[str, list[str]]:
        """A person's names and identifiers are part of the person in the change history."""
        return {
            "names": sorted(f"{n.name} [{n.language or n.script}]" for n in self.names.all()),
            "identifiers": sorted(f"{i.kind}: {i.value}" for i in self.identifiers.all()),
        }


class PersonName(models.Model):
    """One of a person's names: Belarusian and Russian Cyrillic, Łacinka, transliterations."""

    class Script(models.TextChoices):
        CYRILLIC = "Cyrl", _("Cyrillic")
        LATIN = "Latn", _("Latin")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    script = models.CharField(max_length=4, choices=Script.choices)
    language = models.CharField(max_length=8, blank=True, help_text=_("be, ru, en, pl…"))

    def __str__(self) -> str:
        return self.name


class PersonIdentifier(models.Model):
    """Badge ("personal") numbers and the like, which identify officers."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=40, help_text=_("badge number, personal number, …"))
    value = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class Unit(Record):
    """An organisation or unit: an OMON regiment, a district police department, a court."""

    name = models.CharField(max_length=300)
    other_names = models.TextField(blank=True, help_text=_("one per line, any script"))
    unit_type = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("unit_type"),
    )  # fmt: skip
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Dated:
    """A from–to record's dates as far as they are known ("2020-08" for a month)."""

    start: Any
    start_precision: str
    end: Any
    end_precision: str

    @property
    def start_shown(self) -> str:
        from docket.analysis.command import written

        return written(self.start, self.start_precision)

    @property
    def end_shown(self) -> str:
        from docket.analysis.command import written

        return written(self.end, self.end_precision)


class ParentLink(Dated, Record):
    """A unit under another, from–to: units move between commands, so the chain of command
    is read at a date (docket/analysis/command.py). No dates: always (as far as is known)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="child_links")
    start = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.UNKNOWN
    )
    end = models.DateField(null=True, blank=True)
    end_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.UNKNOWN
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(unit=models.F("parent")), name="parent_link_not_to_itself"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} under {self.parent}"


class Membership(Dated, Record):
    """A person in a unit, from–to, with rank, position and badge number at the time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    start = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.UNKNOWN
    )
    end = models.DateField(null=True, blank=True)
    end_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.UNKNOWN
    )
    rank = models.CharField(max_length=100, blank=True)
    position = models.CharField(max_length=200, blank=True)
    badge_number = models.CharField(max_length=50, blank=True)
    commands = models.BooleanField(
        default=False, help_text=_("this posting is command of the unit")
    )
    # How far the posting is to be believed, graded on the Admiralty scale as accounts are.
    reliability = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("source_reliability"),
    )  # fmt: skip
    credibility = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("information_credibility"),
    )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.person} in {self.unit}"

    @property
    def grading(self) -> str | None:
        """ "B2"; "B?" where one half is not graded; None where neither is."""
        return grading(self.reliability, self.credibility)


def grading(reliability: Term | None, credibility: Term | None) -> str | None:
    if reliability is None and credibility is None:
        return None
    return (reliability.code if reliability else "?") + (credibility.code if credibility else "?")


class Event(Record):
    """An incident: what happened, when (a window, with precision) and where."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    start = models.DateTimeField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    end = models.DateTimeField(null=True, blank=True)
    end_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    place_detail = models.CharField(max_length=300, blank=True, help_text=_("street, building"))
    #: The event's own point (a street corner the gazetteer lacks); without it, its place's.
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    violation_status = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("violation_status"),
    )  # fmt: skip
    categories = models.ManyToManyField(
        Term, blank=True, related_name="+", limit_choices_to=_vocabulary("violation_category")
    )
    import_ref = models.CharField(
        max_length=100, blank=True, help_text=_("the event_ref of a CSV import (re-runs match it)")
    )

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "import_ref"],
                condition=~Q(import_ref=""),
                name="one_event_per_import_ref",
            )
        ]
        indexes = [
            models.Index(fields=["compartment", "start"]),
            models.Index(fields=["place", "start"]),
            # cover the facets' grouped count (by place and status) and the status filter
            models.Index(fields=["compartment", "violation_status"]),
            models.Index(fields=["compartment", "place", "violation_status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def point(self) -> tuple[float, float] | None:
        """Where media must have been made to show it: its own coordinates, else its place's
        when that place is a spot or within about a kilometre (a city's centre says nothing)."""
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        place = self.place
        if (
            place is not None and place.latitude is not None and place.longitude is not None
            and place.precision != Place.CoordinatePrecision.AREA
        ):  # fmt: skip
            return place.latitude, place.longitude
        return None


class Act(Record):
    """One act against one victim within an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="acts")
    victim = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="acts_suffered"
    )
    act_type = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", limit_choices_to=_vocabulary("act_type")
    )
    methods = models.ManyToManyField(
        Term, blank=True, related_name="+", limit_choices_to=_vocabulary("method")
    )
    injuries = models.ManyToManyField(
        Term, blank=True, related_name="+", limit_choices_to=_vocabulary("injury")
    )
    qualifications = models.ManyToManyField(
        Term, blank=True, related_name="+", limit_choices_to=_vocabulary("rome_statute")
    )
    start = models.DateTimeField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.UNKNOWN
    )
    end = models.DateTimeField(null=True, blank=True)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT)
    detained_at = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("place of detention, for deprivation of liberty"),
    )  # fmt: skip
    detained_from = models.DateTimeField(null=True, blank=True)
    detained_until = models.DateTimeField(null=True, blank=True)
    charges = models.ManyToManyField(
        Term, blank=True, related_name="+", limit_choices_to=_vocabulary("criminal_code")
    )
    attribution = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("attribution"),
    )  # fmt: skip
    notes = models.TextField(blank=True)
    import_key = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("what a CSV import row said, hashed (re-runs skip it)"),
    )

    class Meta:
        # Cover the "what was done" facet: acts grouped by type, counted by event, for a
        # filtered list (by event) and for a whole compartment.
        indexes = [
            models.Index(fields=["act_type", "event"]),
            models.Index(fields=["compartment", "act_type", "event"]),
        ]

    def __str__(self) -> str:
        return f"{self.act_type} against {self.victim or 'an unknown victim'}"


class Involvement(Record):
    """A perpetrator, a person or a unit, in an act: degree of involvement, confidence."""

    class Confidence(models.TextChoices):
        ESTABLISHED = "established", _("Established by evidence")
        PROBABLE = "probable", _("Probable")
        POSSIBLE = "possible", _("Possible")
        ALLEGED = "alleged", _("Alleged, not yet checked")

    act = models.ForeignKey(Act, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="involvements"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="involvements"
    )
    degree = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("involvement_degree"),
    )  # fmt: skip
    confidence = models.CharField(
        max_length=12, choices=Confidence.choices, default=Confidence.ALLEGED
    )
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False),
                name="involvement_names_a_perpetrator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person or self.unit} in {self.act}"


class Information(Record):
    """A source's account of an event, graded on the Admiralty scale."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="information")
    source = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="information"
    )
    connection = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("connection"),
    )  # fmt: skip
    reliability = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("source_reliability"),
    )  # fmt: skip
    credibility = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to=_vocabulary("information_credibility"),
    )  # fmt: skip
    received_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"information on {self.event}"


class EvidenceLink(Record):
    """A vault item as evidence of an event, act or person, of a posting (a membership: who
    commanded) or of a unit's place under another, with a span (seconds of a video, a page of
    a document) and an annotation."""

    item = models.ForeignKey("vault.Item", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    act = models.ForeignKey(
        Act, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    parent_link = models.ForeignKey(
        ParentLink, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    start_seconds = models.FloatField(null=True, blank=True)
    end_seconds = models.FloatField(null=True, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)
    annotation = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False)
                | Q(act__isnull=False)
                | Q(person__isnull=False)
                | Q(membership__isnull=False)
                | Q(parent_link__isnull=False),
                name="evidence_supports_something",
            ),
            models.CheckConstraint(
                condition=Q(end_seconds__isnull=True)
                | Q(start_seconds__isnull=False, end_seconds__gte=models.F("start_seconds")),
                name="evidence_span_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} as evidence"

    @property
    def span_text(self) -> str:
        """The span as it was given: "0:00–0:03.5", "from 2:13", "page 4"."""
        from django.utils.translation import gettext

        parts = []
        if self.start_seconds is not None:
            if self.end_seconds is not None:
                parts.append(f"{clock(self.start_seconds)}–{clock(self.end_seconds)}")
            else:
                parts.append(gettext("from %(time)s") % {"time": clock(self.start_seconds)})
        if self.page is not None:
            parts.append(gettext("page %(page)s") % {"page": self.page})
        return ", ".join(parts)


def clock(seconds: float) -> str:
    """Seconds as a player shows them, fractions kept as given: 3.5 -> "0:03.5", 4000 ->
    "1:06:40"."""
    seconds = round(seconds, 3)
    whole = int(seconds)
    fraction = f"{seconds - whole:.3f}".rstrip("0").rstrip(".")[1:]  # ".5" or ""
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    shown = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return shown + fraction


def tag_list(text: str) -> list[str]:
    """Tags as typed, split on commas: spaces tidied, each once (whatever its case)."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        tag = " ".join(raw.split())[:60]
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


class PersonPair(models.Model):
    """Two persons of one compartment who may be one: found by the name matcher, or recorded
    when a form or an import made a person that looked like another. A decision is kept so
    that "different people" is never suggested again; a merge removes the pair with the
    merged person (PersonMerge remembers it for an un-merge)."""

    class Decision(models.TextChoices):
        OPEN = "", _("not decided")
        DIFFERENT = "different", _("different people")
        UNSURE = "unsure", _("not sure")

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(null=True, blank=True)
    why = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="person_pair_once"),
            models.CheckConstraint(condition=Q(a__lt=models.F("b")), name="person_pair_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.a_id} ~ {self.b_id}"


class PersonMerge(models.Model):
    """A merge of two persons, kept so that it can be undone: what moved from the merged
    person to the survivor, what the survivor had before, and the deletion's Change (which
    holds the merged person as they were)."""

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    survivor = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="merges"
    )
    merged_id = models.BigIntegerField(db_index=True)
    merged_name = models.CharField(max_length=300)
    deletion = models.ForeignKey("Change", on_delete=models.PROTECT, related_name="+")
    #: "app.model.field" -> primary keys of the rows that pointed at the merged person
    moved = models.JSONField(default=dict)
    #: what the merge added to the survivor: its name rows and groups, fields it filled
    added_names = models.JSONField(default=list)
    added_groups = models.JSONField(default=list)
    filled = models.JSONField(default=dict)
    #: the merged person's decided pairs, to give back on an un-merge
    pairs = models.JSONField(default=list)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    #: rows linked to the survivor while merged, listed after an un-merge for reassigning
    since = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_name} into {self.survivor_id}"


class ItemRecord(models.Model):
    """What documenters say of an item: a title, a description and tags. It describes the
    evidence and is not the evidence, so it is kept in the register's history (who changed
    what, when, before and after), not in the custody log; it belongs to the item's
    compartment and moves with it."""

    item = models.OneToOneField(
        "vault.Item", on_delete=models.CASCADE, primary_key=True, related_name="record"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    #: ", "-joined as tag_list() tidies them; a tag is matched with its separators.
    tags = models.CharField(_("tags"), max_length=2000, blank=True)

    def __str__(self) -> str:
        return self.title or f"item {self.item_id}"

    @property
    def compartment_id(self) -> int:
        return self.item.compartment_id

    @property
    def tag_names(self) -> list[str]:
        return tag_list(self.tags)


def having_tag(tag: str, prefix: str = "tags") -> Q:
    """Rows whose ", "-joined tags hold TAG, in any case (SQLite folds ASCII letters only)."""
    return (
        Q(**{f"{prefix}__iexact": tag})
        | Q(**{f"{prefix}__istartswith": f"{tag}, "})
        | Q(**{f"{prefix}__iendswith": f", {tag}"})
        | Q(**{f"{prefix}__icontains": f", {tag}, "})
    )


class Change(models.Model):
    """One change to a register row, with the row before and after (append-only)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=10)  # create, update, delete
    model = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=300)
    compartment = models.ForeignKey(
        "accounts.Compartment", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )  # fmt: skip
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["model", "object_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_id}"


class ChangeKey(models.Model):
    """An event, act or unit a change's row named, before or after (its `event_id`, `act_id`
    or `unit_id`), written with the change: an event's history (docket/register/trail.py) is
    then found by this index, not by reading the JSON of every change ever made."""

    KEYS = ("event_id", "act_id", "unit_id")

    change = models.ForeignKey(
        Change, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    key = models.CharField(max_length=10)
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "value"])]

    def __str__(self) -> str:
        return f"change {self.change_id}: {self.key} {self.value}"

    @classmethod
    def of(cls, change: Change) -> list[ChangeKey]:
        found = set()
        for side in (change.before, change.after):
            for key in cls.KEYS:
                value = (side or {}).get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    found.add((key, value))
        return [cls(change=change, key=k, value=v) for k, v in sorted(found)]


class SearchEntry(models.Model):
    """What search finds: one row per event, person, unit and place, with its words folded
    (docket/analysis/spelling.py `words`) and their consonant skeletons. A full-text index sits
    on top: SQLite FTS5 or PostgreSQL's own (docket/register/search.py). Places belong to no
    compartment: the gazetteer is shared; everything else carries its compartment."""

    kind = models.CharField(max_length=10)
    object_id = models.BigIntegerField()
    compartment = models.ForeignKey(
        "accounts.Compartment", null=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(max_length=300)
    words = models.TextField()
    skeletons = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_entry_per_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.label}"


class SavedSearch(models.Model):
    """A named filter of the event list or the search page, kept for its owner; shared, it
    is offered to everyone who may see the register of one compartment. It keeps the query
    only: whoever opens it sees what their own roles let them see."""

    class Page(models.TextChoices):
        EVENTS = "events", _("Events")
        SEARCH = "search", _("Search")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    page = models.CharField(max_length=10, choices=Page.choices)
    query = models.CharField(max_length=1000, blank=True)
    compartment = models.ForeignKey(
        "accounts.Compartment", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("shared with those who see this compartment's register"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class NameKey(models.Model):
    """Where a compartment's persons and units are looked up when a text is read for mentions:
    the sound keys their surnames and unit names are filed under (docket/analysis/mentions.py),
    so that each word of a text is looked up once, however many persons there are."""

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=100)
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["compartment", "key"])]

    def __str__(self) -> str:
        return self.key


class Mention(models.Model):
    """A person or unit of the register named in an item's text (a page, a stretch of its
    transcript, the message it came with) or an event's description, as the worker found it
    (docket/register/mentions.py). A suggestion until someone decides: accepted, it is an
    evidence link; rejected, it is never suggested again."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey("vault.Item", null=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, null=True, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="mentions")
    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="mentions")
    #: Which of the item's or event's texts: "page 2", "at 12.5" (a transcript segment's start),
    #: "message 7", "description". A mention is one per name and place.
    place = models.CharField(max_length=40)
    page = models.PositiveIntegerField(null=True)
    start_seconds = models.FloatField(null=True)
    end_seconds = models.FloatField(null=True)
    #: The span in that text, in characters, and the words as written there.
    char_start = models.PositiveIntegerField()
    char_end = models.PositiveIntegerField()
    words = models.CharField(max_length=300)
    snippet = models.TextField()
    score = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    evidence = models.ForeignKey(
        EvidenceLink, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, event__isnull=True)
                | Q(item__isnull=True, event__isnull=False),
                name="mention_in_an_item_or_an_event",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True)
                | Q(person__isnull=True, unit__isnull=False),
                name="mention_of_a_person_or_a_unit",
            ),
            *[
                models.UniqueConstraint(
                    fields=[target, subject, "place"],
                    condition=Q(**{f"{target}__isnull": False, f"{subject}__isnull": False}),
                    name=f"one_mention_of_a_{subject}_per_{target}_place",
                )
                for target in ("item", "event")
                for subject in ("person", "unit")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.person or self.unit} in {self.place} of {self.target_label}"

    @property
    def ref(self) -> str:
        """What names it in the queue of leads (docket/register/leads.py)."""
        return str(self.pk)

    @property
    def target_label(self) -> str:
        return f"item {self.item_id}" if self.item_id else f"event {self.event_id}"

    @property
    def subject(self) -> Person | Unit | None:
        return self.person or self.unit

    @property
    def surname_only(self) -> bool:
        """Found by a surname with nothing beside it: the weakest kind of mention."""
        from docket.analysis.mentions import SURNAME_ALONE

        return self.person_id is not None and self.score <= SURNAME_ALONE

    @property
    def where(self) -> str:
        """The place as the pages say it: "page 2", "0:12–0:15", "the message it came with",
        "the description"."""
        from django.utils.translation import gettext

        if self.page is not None:
            return gettext("page %(page)s") % {"page": self.page}
        if self.start_seconds is not None and self.end_seconds is not None:
            return f"{clock(self.start_seconds)}–{clock(self.end_seconds)}"
        if self.event_id:
            return gettext("the description")
        return gettext("the message it came with")


class MediaLead(models.Model):
    """An item whose capture time and place fit an event's window and point, as the worker
    found it (docket/register/media_leads.py, docs/analysis.md "Media and incidents"). A
    suggestion until someone decides: accepted, it is an evidence link; rejected, it is never
    suggested again."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey("vault.Item", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="media_leads")
    #: How far the capture time lies outside the event's window (0 inside), and the distance.
    seconds = models.PositiveIntegerField()
    metres = models.PositiveIntegerField()
    #: The capture time was a clock without a zone, read in an assumed one.
    zone_assumed = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    evidence = models.ForeignKey(
        EvidenceLink, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seconds", "metres", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "event"], name="one_media_lead_per_pair")
        ]
        indexes = [models.Index(fields=["compartment", "status"])]

    #: What the leads queue shows of the item (docket.vault.describe.Facts), when it set it.
    item_facts: Any = None

    def __str__(self) -> str:
        return f"item {self.item_id} for event {self.event_id}"

    @property
    def ref(self) -> str:
        """What names it in the queue of leads (docket/register/leads.py)."""
        return str(self.pk)


class Tally(models.Model):
    """How many events a person, a unit or a type of act appears in, kept by
    docket/register/tally.py for the sorts by number of events and the list's counts per type
    of act, which would otherwise count distinct events over every act on each request."""

    class Kind(models.TextChoices):
        PERSON = "person"
        UNIT = "unit"
        ACT_TYPE = "act_type"  # per compartment: the events of that compartment
        # per compartment and place: the evidence links on its events and their acts (in
        # `events`, which counts links for this kind)
        PLACE_EVIDENCE = "place_evid"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    compartment = models.ForeignKey(
        "accounts.Compartment", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField()
    events = models.PositiveIntegerField()
    sort_name = models.CharField(max_length=300, blank=True)  # the register's order by name

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "compartment", "object_id"], name="tally_one_per_object"
            )
        ]
        indexes = [
            models.Index(
                "kind", "compartment", models.F("events").desc(), "sort_name", "object_id",
                name="tally_by_events",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.events} events"


class TallyStamp(models.Model):
    """The change history's last entry when the tallies were counted: they are current while
    no later change exists (every register write adds one, docket/register/history.py)."""

    change_id = models.BigIntegerField()
    counted_at = models.DateTimeField()
    seconds = models.FloatField()

    def __str__(self) -> str:
        return f"counted at change {self.change_id}"
