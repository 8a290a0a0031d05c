"""Media that may show an incident: items whose capture time and place fit an event's window
and point (docs/analysis.md, "Media and incidents"), suggested on the event's and the item's
pages and in the leads queue, for someone to accept as an evidence link or reject.

Policy:
- An item and an event of one compartment only.
- The worker finds them (docket/enrich/media_leads.py, which reads the captures): when an item's
  capture is read or read again, when an event's time or place changes, when an item moves.
  Pages read MediaLead rows only.
- Deciding is a person's: accepting writes an evidence link (item ↔ event) through the history,
  its annotation saying the match; a rejected lead is remembered and never suggested again;
  a decided lead stays as decided, whatever is found later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Compartment, User
from docket.lib import ids
from docket.register import history, leads
from docket.register.models import EvidenceLink, MediaLead
from docket.vault.describe import describe

#: What recomputes one compartment's leads from its captures and events (the enrichment app
#: adds it: the register does not read captures): compartment -> counts.
RECOMPUTE: list[Callable[[Compartment], dict[str, int]]] = []


def recompute(compartment: Compartment) -> dict[str, int]:
    if not RECOMPUTE:
        raise RuntimeError("no app computes media leads (docket.enrich is not installed)")
    return RECOMPUTE[0](compartment)


def gap_text(seconds: int) -> str:
    """A gap as people say it: "in the window", "25 min", "1 h 05 min"."""
    if seconds <= 0:
        return str(_("within the event's time"))
    minutes = round(seconds / 60)
    if minutes < 60:
        return str(_("%(minutes)s min outside the event's time")) % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    return str(_("%(hours)s h %(minutes)02d min outside the event's time")) % {
        "hours": hours,
        "minutes": rest,
    }


def distance_text(metres: int) -> str:
    if metres < 1000:
        return str(_("%(metres)s m away")) % {"metres": metres}
    return str(_("%(km).1f km away")) % {"km": metres / 1000}


def annotation(lead: MediaLead) -> str:
    """What the evidence link says of how it was found."""
    zone = (
        "the camera's clock had no zone: read in an assumed one"
        if lead.zone_assumed
        else "the capture time's zone was in the file"
    )
    return (
        f"Capture time and place match the event: {lead.seconds} s outside its time window, "
        f"{lead.metres} m from its place ({zone})."
    )


def decide(lead: MediaLead, *, accept: bool, user: User) -> MediaLead:
    """Accept (an evidence link from the item to the event, in the history with who) or
    reject; a lead decided already stays as it was (two people pressing at once)."""
    with transaction.atomic():
        lead = MediaLead.objects.select_for_update().get(pk=lead.pk)
        if lead.status != MediaLead.Status.SUGGESTED:
            return lead
        if accept:
            lead.evidence = history.save(
                EvidenceLink(
                    compartment_id=lead.compartment_id, item_id=lead.item_id,
                    event_id=lead.event_id, annotation=annotation(lead),
                ),
                actor=user,
            )  # fmt: skip
        lead.status = MediaLead.Status.ACCEPTED if accept else MediaLead.Status.REJECTED
        lead.decided_by, lead.decided_at = user, timezone.now()
        history.save(lead, actor=user)
    return lead


def ranked(rows: QuerySet[MediaLead]) -> QuerySet[MediaLead]:
    """Suggested and accepted leads (a rejected one is remembered, not shown), nearest first."""
    return (
        rows.exclude(status=MediaLead.Status.REJECTED)
        .select_related("event", "event__place", "evidence")
        .order_by("status", "seconds", "metres", "id")
    )


def _pending(compartment_id: int, limit: int) -> list[MediaLead]:
    rows = MediaLead.objects.filter(
        compartment_id=compartment_id, status=MediaLead.Status.SUGGESTED
    )
    found = list(
        rows.select_related("event", "event__place").order_by("seconds", "metres", "id")[:limit]
    )
    facts = describe(lead.item_id for lead in found)
    for lead in found:
        lead.item_facts = facts[lead.item_id]  # the item's name and thumbnail, for its row
    return found


def _count(compartment_id: int) -> int:
    return MediaLead.objects.filter(
        compartment_id=compartment_id, status=MediaLead.Status.SUGGESTED
    ).count()


def _get(ref: str) -> MediaLead | None:
    return MediaLead.objects.filter(pk=ids.pk(ref) or 0).first()


def _decide(lead: Any, accept: bool, user: Any) -> bool:
    if lead.status != MediaLead.Status.SUGGESTED:
        return False
    decided = decide(lead, accept=accept, user=user)
    return decided.decided_by_id == user.pk and (
        decided.status == (MediaLead.Status.ACCEPTED if accept else MediaLead.Status.REJECTED)
    )


def register_kind() -> None:
    leads.register(
        leads.Kind(
            key="media",
            label=_("Media and incidents"),
            permission="register.edit",
            count=_count,
            pending=_pending,
            get=_get,
            decide=_decide,
            template="register/leads/_media.html",
            accept_label=_("Accept as evidence"),
            accepted=_("Accepted: the item is now evidence of the event."),
        )
    )
