"""Mentions on the pages: which persons and units an item's texts name (a section of the item's
page), where a person, unit or event is named (their pages), and the one route that accepts or
rejects a suggestion. Everything here reads Mention rows only (docket/register/mentions.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from docket.accounts import access
from docket.accounts.guards import listing, staff_user
from docket.lib import ids
from docket.register import mentions
from docket.register.models import Event, Mention, Person, Unit
from docket.vault.describe import describe
from docket.vault.models import Item
from docket.vault.sections import item_section


def _shown(rows: QuerySet[Mention]) -> QuerySet[Mention]:
    """Suggested and accepted mentions (a rejected one is remembered, not shown), best first."""
    return (
        rows.exclude(status=Mention.Status.REJECTED)
        .select_related("person", "unit", "event", "evidence")
        .order_by("status", "-score", "id")
    )


@item_section("register/_item_mentions.html", order=40)
def item_mentions(item: Item, user: Any) -> dict[str, Any]:
    if not access.can(user, "register.view", item):
        return {"mentions": []}
    rows = _shown(Mention.objects.filter(item=item, compartment_id=item.compartment_id))
    return {"mentions": list(rows), "may_decide": access.can(user, "register.edit", item)}


def of_subject(subject: Person | Unit, user: Any) -> dict[str, Any]:
    """Where a person or unit is named, for their page: items (with what the pages call
    them) and event descriptions of their own compartment."""
    field = "person" if isinstance(subject, Person) else "unit"
    rows = _shown(
        Mention.objects.filter(**{field: subject}, compartment_id=subject.compartment_id).filter(
            Q(item__compartment_id=F("compartment_id")) | Q(event__isnull=False)
        )
    )
    if not access.can(user, "item.view", subject):
        rows = rows.filter(event__isnull=False)
    found = list(rows)
    facts = describe(m.item_id for m in found if m.item_id)
    return {
        "mentions": [(m, facts.get(m.item_id) if m.item_id else None) for m in found],
        "mentioned_items": len({m.item_id for m in found if m.item_id}),
        "mentioned_events": len({m.event_id for m in found if m.event_id}),
        "may_decide": access.can(user, "register.edit", subject),
    }


def of_event(event: Event, user: Any) -> dict[str, Any]:
    """The persons and units its description names, for the event's page."""
    rows = _shown(Mention.objects.filter(event=event, compartment_id=event.compartment_id))
    return {"mentions": list(rows), "may_decide": access.can(user, "register.edit", event)}


@listing("register.edit", methods=("POST",))
def decide(request: HttpRequest) -> HttpResponseBase:
    """Accept or reject one suggestion, named by the form's `mention`; 404 for one outside the
    compartments where the user may change the register."""
    user = staff_user(request)
    wanted = request.POST.get("mention", "")
    mention = Mention.objects.filter(pk=ids.pk(wanted) or 0).first()
    if mention is None or not access.can(user, "register.edit", mention):
        raise Http404("No such mention.")
    choice = request.POST.get("decision")
    if choice not in ("accept", "reject"):
        messages.error(request, gettext("Choose whether to accept or reject the mention."))
        return redirect(_back(request, mention))
    decided = mentions.decide(mention, accept=choice == "accept", user=user)
    accepted = decided.status == Mention.Status.ACCEPTED
    if decided.decided_by_id != user.pk or accepted != (choice == "accept"):
        messages.info(request, gettext("This mention was decided already."))
    elif decided.evidence_id:
        messages.success(request, gettext("Accepted: the item is now evidence about the person."))
    elif accepted:
        messages.success(request, gettext("Accepted."))
    else:
        messages.success(request, gettext("Rejected: it will not be suggested again."))
    return redirect(_back(request, decided))


def _back(request: HttpRequest, mention: Mention) -> str:
    """The page the form was on, or the page of what the mention is in."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    if mention.item_id:
        return reverse("vault:item", args=[mention.item_id])
    return reverse("register:event", args=[mention.event_id])
