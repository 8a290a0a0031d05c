"""The same picture across sources on the pages: an item's near-duplicates (a section of its
page), the groups of each compartment (/vault/near-duplicates/), a pair as a lead of the one
queue, and the route that confirms or rejects a pair. Everything here reads NearDuplicate
rows only (docket/enrich/neardup.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.accounts import access
from docket.accounts.guards import listing, staff_user
from docket.accounts.models import Compartment
from docket.enrich import neardup
from docket.enrich.models import NearDuplicate
from docket.lib import ids
from docket.register import leads
from docket.vault.describe import describe
from docket.vault.models import Item
from docket.vault.sections import item_section

PERMISSION = "item.view"
#: Who may confirm or reject a pair: those who change the register (as any lead).
DECIDE = "register.edit"
#: Groups shown on one page at most (the largest).
SHOWN_GROUPS = 200


@item_section("enrich/_item_near_duplicates.html", order=15)
def item_near_duplicates(item: Item, user: Any) -> dict[str, Any]:
    """After what enrichment found: the same picture or footage elsewhere in the
    compartment, closest first."""
    if not access.can(user, PERMISSION, item):
        return {"near_duplicates": []}
    pairs = neardup.of_item(item)
    facts = describe(pair.other(item.pk) for pair in pairs)
    return {
        "near_duplicates": [(pair, facts[pair.other(item.pk)]) for pair in pairs],
        "may_decide_near": access.can(user, DECIDE, item),
    }


@listing(PERMISSION)
def groups_page(request: HttpRequest) -> HttpResponse:
    """The groups of near-duplicates in the compartments the user may see, largest first."""
    user = staff_user(request)
    visible = list(
        Compartment.objects.filter(pk__in=access.compartment_ids(user, PERMISSION)).order_by("name")
    )
    wanted = request.GET.get("compartment", "")
    chosen = [c for c in visible if str(c.pk) == wanted] or visible
    found = neardup.groups(chosen)
    shown = found[:SHOWN_GROUPS]
    facts = describe(pk for group in shown for pk in group.items)
    rows = [(group, [facts[pk] for pk in group.items]) for group in shown]
    return render(
        request,
        "enrich/near_duplicates.html",
        {
            "rows": rows, "total": len(found), "more": len(found) - len(shown),
            "compartments": visible, "chosen": chosen[0] if len(chosen) == 1 else None,
        },
    )  # fmt: skip


@listing(DECIDE, methods=("POST",))
def decide(request: HttpRequest) -> HttpResponseBase:
    """Confirm or reject one pair, named by the form's `pair`; 404 for one outside the
    compartments where the user may change the register."""
    user = staff_user(request)
    wanted = request.POST.get("pair", "")
    pair = NearDuplicate.objects.filter(pk=ids.pk(wanted) or 0).first()
    if pair is None or not access.can(user, DECIDE, pair):
        raise Http404("No such pair.")
    choice = request.POST.get("decision")
    if choice not in ("accept", "reject"):
        messages.error(request, gettext("Choose whether it is the same picture or not."))
        return redirect(_back(request, pair))
    decided = neardup.decide(pair, accept=choice == "accept", user=user)
    accepted = decided.status == NearDuplicate.Status.ACCEPTED
    if decided.decided_by_id != user.pk or accepted != (choice == "accept"):
        messages.info(request, gettext("This pair was decided already."))
    elif accepted:
        messages.success(request, gettext("Confirmed: the same picture."))
    else:
        messages.success(request, gettext("Rejected: it will not be suggested again."))
    return redirect(_back(request, decided))


def _back(request: HttpRequest, pair: NearDuplicate) -> str:
    """The page the form was on, or the page of the pair's first item."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("vault:item", args=[pair.a_id])


# A pair as a lead of the one queue (docket/register/leads.py).


def _count(compartment_id: int) -> int:
    return neardup.shown(
        NearDuplicate.objects.filter(
            compartment_id=compartment_id, status=NearDuplicate.Status.SUGGESTED
        )
    ).count()


def _pending(compartment_id: int, limit: int) -> Sequence[NearDuplicate]:
    """The undecided pairs, closest first, each with `sides`: the facts of both items."""
    rows = list(
        neardup.shown(
            NearDuplicate.objects.filter(
                compartment_id=compartment_id, status=NearDuplicate.Status.SUGGESTED
            )
        ).order_by("distance", "id")[:limit]
    )
    facts = describe(pk for row in rows for pk in (row.a_id, row.b_id))
    for row in rows:
        row.sides = (facts[row.a_id], facts[row.b_id])
    return rows


def _get(ref: str) -> NearDuplicate | None:
    row = NearDuplicate.objects.filter(pk=ids.pk(ref) or 0).first()
    if row is not None:
        facts = describe([row.a_id, row.b_id])
        row.sides = (facts[row.a_id], facts[row.b_id])
    return row


def _decide(pair: NearDuplicate, accept: bool, user: Any) -> bool:
    decided = neardup.decide(pair, accept=accept, user=user)
    return (
        decided.decided_by_id == user.pk
        and (decided.status == NearDuplicate.Status.ACCEPTED) == accept
    )


LEAD = leads.Kind(
    key="near-duplicates",
    label=_("Same picture"),
    permission=DECIDE,
    count=_count,
    pending=_pending,
    get=_get,
    decide=_decide,
    template="enrich/leads/_near_duplicate.html",
    accept_label=_("Same picture"),
    accepted=_("Confirmed: the same picture."),
    page="vault:near_duplicates",
)
