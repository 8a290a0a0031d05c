"""The public report: chosen statistics and anonymised narratives, as one self-contained HTML
page (inline style and charts, no address anywhere) that the exports' packer also lays out
as a PDF (docket/exports/public_report.py). Docket serves nothing publicly: the report leaves
only as an export, asked for here and approved by a second admin.

What a report holds is published numbers only (small counts as "<5") and narratives passed
through docket/analysis/redact.py with everything the register knows of its persons: every
name, identifier and badge number, date of birth, and every event's exact address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.accounts import access
from docket.accounts.models import Compartment, User
from docket.analysis import redact, suppression
from docket.cases import charts, statistics
from docket.lib import ids, zones
from docket.register.filters import NAMES, region_of
from docket.register.models import (
    Act,
    Event,
    Information,
    Involvement,
    Membership,
    Person,
    PersonIdentifier,
    Place,
)
from docket.vault import age

FILTERS = ("q", "region", "act", "status", "since", "until")
#: role words, by what the register says a person is
OFFICER, VICTIM, WITNESS = "[officer]", "[victim]", "[witness]"


class ReportForm(forms.Form):
    """Ask for a public report: which statistics, which events' narratives, for whom."""

    compartment = forms.ModelChoiceField(
        queryset=Compartment.objects.none(), label=_("Compartment")
    )
    title = forms.CharField(max_length=200, label=_("Title of the report"))
    tables = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label=_("Statistics to include")
    )
    events = forms.CharField(
        required=False,
        label=_("Events whose narratives to include"),
        help_text=_(
            "Their numbers, separated by commas. Names, badge numbers, addresses and dates of"
            " birth are taken out of their descriptions."
        ),
    )
    recipient = forms.CharField(
        max_length=100,
        label=_("Recipient's age public key"),
        help_text=_("It starts with <code>age1</code>. Only its holder can open the report."),
    )
    recipient_label = forms.CharField(max_length=200, label=_("Who holds that key"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason"),
        help_text=_("The second admin reads this before approving."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["compartment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Compartment.objects.filter(
            pk__in=access.compartment_ids(user, "export.request")
            & access.compartment_ids(user, "case.view")
        ).order_by("name")
        tables = self.fields["tables"]
        assert isinstance(tables, forms.MultipleChoiceField)
        tables.choices = [
            *((key, title) for key, (title, _) in statistics.TABLES.items()),
            (statistics.CROSS, statistics.CROSS_TITLE),
        ]
        for name in FILTERS:
            self.fields[name] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_recipient(self) -> str:
        text = str(self.cleaned_data["recipient"]).strip()
        try:
            age.Recipient.parse(text)
        except (age.AgeError, ValueError):
            raise ValidationError(
                _("That is not an age public key: age1 followed by 58 letters and digits.")
            ) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        compartment = data.get("compartment")
        wanted = [ids.pk(p) for p in str(data.get("events") or "").replace(",", " ").split()]
        if any(n is None for n in wanted):
            self.add_error("events", _("Give the events' numbers, separated by commas."))
        elif compartment is not None:
            numbers = [n for n in wanted if n is not None]
            found = set(
                Event.objects.filter(pk__in=numbers, compartment=compartment).values_list(
                    "pk", flat=True
                )
            )
            if missing := [n for n in numbers if n not in found]:
                self.add_error(
                    "events",
                    _("No such event in that compartment: %(numbers)s")
                    % {"numbers": ", ".join(map(str, missing))},
                )
            elif outside := self._outside_filters(compartment, numbers, data):
                # The report's statistics count the filtered events: a narrative of another
                # event would tell of something its tables do not count.
                self.add_error(
                    "events",
                    _(
                        "Not among the events the filters in force leave, which the report "
                        "counts: %(numbers)s. Change the filters or the events."
                    )
                    % {"numbers": ", ".join(map(str, outside))},
                )
            data["event_ids"] = list(dict.fromkeys(numbers))
        return data

    def _outside_filters(
        self, compartment: Compartment, numbers: list[int], data: dict[str, Any]
    ) -> list[int]:
        from docket.cases.views_statistics import events_of

        filters = {k: str(data.get(k) or "") for k in FILTERS}
        if not any(filters.values()):
            return []
        kept = set(
            events_of(compartment, filters, self.user)
            .filter(pk__in=numbers)
            .values_list("pk", flat=True)
        )
        return [n for n in numbers if n not in kept]

    def parameters(self) -> dict[str, Any]:
        """What the packer needs, stored with the export."""
        from django.utils.translation import get_language

        data = self.cleaned_data
        return {
            "title": data["title"],
            "tables": list(data["tables"]),
            "events": data.get("event_ids", []),
            "filters": {k: data.get(k, "") for k in FILTERS if data.get(k)},
            "language": get_language() or "en",
        }


def known() -> redact.Known:
    """Everything the register knows that a public report must not say: every person's
    names, identifiers, badge numbers and date of birth, every event's exact address. The
    whole register, not one compartment: a name known anywhere is taken out everywhere."""
    officers = Person.objects.filter(
        Exists(Involvement.objects.filter(person=OuterRef("pk")))
        | Exists(Membership.objects.filter(person=OuterRef("pk")))
    ).values_list("pk", flat=True)
    victims = Act.objects.filter(victim__isnull=False).values_list("victim_id", flat=True)
    witnesses = Information.objects.filter(source__isnull=False).values_list("source_id", flat=True)
    roles: dict[int, str] = {}
    for pk in witnesses:
        roles[pk] = WITNESS
    for pk in victims:
        roles[pk] = VICTIM
    for pk in officers:
        roles[pk] = OFFICER
    found = redact.Known()
    for person in Person.objects.prefetch_related("names").order_by("pk"):
        written = [person.display_name, *(n.name for n in person.names.all())]
        found.persons.append((roles.get(person.pk, redact.PERSON), written))
        if person.birth_date is not None:
            found.births.append(person.birth_date)
    found.numbers += list(PersonIdentifier.objects.values_list("value", flat=True))
    found.numbers += list(
        Membership.objects.exclude(badge_number="").values_list("badge_number", flat=True)
    )
    found.addresses += list(
        Event.objects.exclude(place_detail="").values_list("place_detail", flat=True).distinct()
    )
    # A facility (a detention centre) named in a title or a narrative places the event
    # exactly, where the report gives its region only: the gazetteer's facilities go as
    # addresses do, by their whole name and without the city after the comma.
    for names in Place.objects.filter(kind=Place.Kind.FACILITY).values_list(*NAMES):
        whole = [n for n in names if n.strip()]
        found.addresses += whole + [n.rsplit(",", 1)[0] for n in whole if "," in n]
    return found


def redactor() -> redact.Redactor:
    return redact.Redactor(known())


def narratives(
    compartment: Compartment, event_ids: list[int], redactor: redact.Redactor
) -> list[dict[str, str]]:
    """The chosen events, anonymised: title, month and region, description."""
    regions = region_of()
    found = []
    events = Event.objects.filter(pk__in=event_ids, compartment=compartment)
    for event in sorted(events, key=lambda e: (e.start is None, e.start, e.pk)):
        region = regions.get(event.place_id) if event.place_id else None
        month = (
            event.start.astimezone(zones.instance_zone()).strftime("%Y-%m") if event.start else ""
        )
        found.append(
            {
                "title": redactor.redact(event.title),
                "when": month,
                "where": region.shown if region else "",
                "text": redactor.redact(event.description),
            }
        )
    return found


def _moment(moment: datetime) -> str:
    """A moment as the report shows it: in the instance's zone, with the zone and offset."""
    local = moment.astimezone(zones.instance_zone())
    return f"{local:%Y-%m-%d %H:%M} ({local.tzinfo}, UTC{zones.offset_text(local)})"


def render_html(
    stats: statistics.Statistics,
    parameters: dict[str, Any],
    stories: list[dict[str, str]],
    redactor: redact.Redactor,
) -> str:
    """The whole report as one HTML document with nothing to fetch. Its title and the
    methodology (whose filters in words may quote a search for a name) are anonymised too."""
    chosen = set(parameters.get("tables") or [])
    tables = []
    for table in stats.tables:
        if table.key in chosen:
            published = table.published()
            tables.append(
                {"title": table.title, "head": published[0], "rows": published[1:],
                 "chart": charts.bar_chart(table)}
            )  # fmt: skip
    if statistics.CROSS in chosen:
        published = stats.cross.published()
        tables.append(
            {"title": stats.cross.title, "head": published[0], "rows": published[1:], "chart": ""}
        )
    methodology = [
        redactor.redact(paragraph)
        for paragraph in statistics.methodology(stats, dict(parameters.get("filters") or {}), [])
    ]
    return render_to_string(
        "cases/public_report.html",
        {
            "title": redactor.redact(str(parameters.get("title") or gettext("Report"))),
            "made": _moment(timezone.now()),
            "zone": stats.zone,
            "tables": tables,
            "methodology": methodology,
            "narratives": stories,
            "threshold": suppression.THRESHOLD,
        },
    )
