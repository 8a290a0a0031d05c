"""Media and incidents on the pages: the incidents near an item's capture time and place (a
section of the item's page), the media that may show an event (its page), and the one route
that accepts or rejects a lead. Everything here reads MediaLead rows only
(docket/register/media_leads.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from docket.accounts import access
from docket.accounts.guards import listing, staff_user
from docket.lib import ids
from docket.register import media_leads
from docket.register.models import Event, MediaLead
from docket.vault.describe import describe
from docket.vault.models import Item
from docket.vault.sections import item_section


@item_section("register/_item_media_leads.html", order=6)
def item_leads(item: Item, user: Any) -> dict[str, Any]:
    """Incidents near this item's time and place, nearest first."""
    if not access.can(user, "register.view", item):
        return {"media_leads": []}
    rows = media_leads.ranked(
        MediaLead.objects.filter(item=item, compartment_id=item.compartment_id)
    )
    return {
        "media_leads": list(rows),
        "may_decide_media": access.can(user, "register.edit", item),
    }


def of_event(event: Event, user: Any) -> dict[str, Any]:
    """Media that may show this event, nearest first, with what is known of each item."""
    rows = list(
        media_leads.ranked(
            MediaLead.objects.filter(event=event, compartment_id=event.compartment_id)
        )
    )
    if not access.can(user, "item.view", event):
        rows = []
    facts = describe(lead.item_id for lead in rows)
    return {
        "media_leads": [(lead, facts[lead.item_id]) for lead in rows],
        "may_decide_media": access.can(user, "register.edit", event),
    }


@listing("register.edit", methods=("POST",))
def decide(request: HttpRequest) -> HttpResponseBase:
    """Accept or reject one lead, named by the form's `lead`; 404 for one outside the
    compartments where the user may change the register."""
    user = staff_user(request)
    wanted = request.POST.get("lead", "")
    lead = MediaLead.objects.filter(pk=ids.pk(wanted) or 0).first()
    if lead is None or not access.can(user, "register.edit", lead):
        raise Http404("No such lead.")
    choice = request.POST.get("decision")
    if choice not in ("accept", "reject"):
        messages.error(request, gettext("Choose whether to accept or reject the suggestion."))
        return redirect(_back(request, lead))
    decided = media_leads.decide(lead, accept=choice == "accept", user=user)
    accepted = decided.status == MediaLead.Status.ACCEPTED
    if decided.decided_by_id != user.pk or accepted != (choice == "accept"):
        messages.info(request, gettext("This suggestion was decided already."))
    elif accepted:
        messages.success(request, gettext("Accepted: the item is now evidence of the event."))
    else:
        messages.success(request, gettext("Rejected: it will not be suggested again."))
    return redirect(_back(request, decided))


def _back(request: HttpRequest, lead: MediaLead) -> str:
    """The page the form was on, or the event's page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("register:event", args=[lead.event_id])
