"""The one queue of leads of a compartment: every kind of suggestion (docket/register/leads.py)
waiting for an analyst, with filters by kind, and the one route that accepts or rejects any
of them. Each kind's own pages (an event's media, an item's near-duplicates, the duplicates
page) decide the same way."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff_user
from docket.accounts.models import Compartment
from docket.register.leads import KINDS, Kind

PER_PAGE = 20
#: Leads of each kind shown when every kind is listed at once.
FIRST = 5


def _kinds_in(user: Any, compartment_id: int) -> list[Kind]:
    return [
        k for k in KINDS.values() if compartment_id in access.compartment_ids(user, k.permission)
    ]


def _compartments(user: Any) -> list[Compartment]:
    ids: set[int] = set()
    for kind in KINDS.values():
        ids |= access.compartment_ids(user, kind.permission)
    return list(Compartment.objects.filter(pk__in=ids).order_by("name"))


def _count(kind: Kind, compartment_id: int) -> int:
    """On this page every count is exact (the duplicate persons' too, however long)."""
    known = kind.count(compartment_id)
    return known if known >= 0 else len(kind.pending(compartment_id, 10**9))


def _rows(kind: Kind, leads: list[Any], user: Any) -> list[dict[str, Any]]:
    if kind.prepare is not None and leads:
        kind.prepare(leads)
    return [
        {"lead": lead, "kind": kind, "may_decide": access.can(user, kind.permission, lead)}
        for lead in leads
    ]


@listing("register.edit")
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    compartments = _compartments(user)
    if not compartments:
        raise Http404("No such page.")
    wanted = request.GET.get("compartment", "")
    compartment = next((c for c in compartments if str(c.pk) == wanted), compartments[0])
    kinds = _kinds_in(user, compartment.pk)
    counts = {kind.key: _count(kind, compartment.pk) for kind in kinds}
    chosen = next((k for k in kinds if k.key == request.GET.get("kind")), None)
    audit.record(
        request, "lead.list", compartment=compartment,
        details={"kind": chosen.key if chosen else "all", "leads": sum(counts.values())},
    )  # fmt: skip
    sections = []
    page = None
    if chosen is not None:
        number = request.GET.get("page", "")
        page = Paginator(range(counts[chosen.key]), PER_PAGE).get_page(number)
        start = (page.number - 1) * PER_PAGE
        leads = list(chosen.pending(compartment.pk, start + PER_PAGE))[start:]
        sections.append({"kind": chosen, "rows": _rows(chosen, leads, user), "more": 0})
    else:
        for kind in kinds:
            leads = list(kind.pending(compartment.pk, FIRST))
            sections.append(
                {
                    "kind": kind,
                    "rows": _rows(kind, leads, user),
                    "more": counts[kind.key] - len(leads),
                }
            )
    query = {"compartment": compartment.pk, "kind": chosen.key if chosen else ""}
    return render(
        request,
        "leads/queue.html",
        {
            "compartment": compartment, "compartments": compartments,
            "kinds": [(kind, counts[kind.key]) for kind in kinds],
            "total": sum(counts.values()), "chosen": chosen, "sections": sections, "page": page,
            "query": urlencode({k: v for k, v in query.items() if v}),
        },
    )  # fmt: skip


@listing("register.edit", methods=("POST",))
def decide(request: HttpRequest) -> HttpResponseBase:
    """Accept or reject one lead, named by the form's `kind` and `lead`; 404 for one outside
    the compartments where the user may decide that kind."""
    user = staff_user(request)
    kind = KINDS.get(request.POST.get("kind", ""))
    lead = kind.get(request.POST.get("lead", "")[:40]) if kind is not None else None
    if kind is None or lead is None or not access.can(user, kind.permission, lead):
        raise Http404("No such lead.")
    choice = request.POST.get("decision")
    back = _back(request, lead)
    if choice not in ("accept", "reject"):
        messages.error(request, gettext("Choose whether to accept or reject the lead."))
        return redirect(back)
    accept = choice == "accept"
    if not kind.decide(lead, accept, user):
        messages.info(request, gettext("This lead was decided already."))
        return redirect(back)
    audit.record(
        request, "lead.decide", compartment=Compartment.objects.get(pk=lead.compartment_id),
        details={"kind": kind.key, "lead": lead.ref, "decision": choice},
    )  # fmt: skip
    if accept:
        messages.success(request, str(kind.accepted or gettext("Accepted.")))
    else:
        messages.success(request, gettext("Rejected: it will not be suggested again."))
    return redirect(back)


def _back(request: HttpRequest, lead: Any) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("leads:queue") + f"?compartment={lead.compartment_id}"


def menu_count(user: Any) -> int | None:
    """Leads waiting in the user's compartments, for the menu; None when they may decide none.
    Counts not known cheaply now (the duplicate persons before the matcher has run) are left
    out rather than computed on every page."""
    ids: set[int] = set()
    for kind in KINDS.values():
        ids |= access.compartment_ids(user, kind.permission)
    if not ids:
        return None
    total = 0
    for compartment_id in ids:
        for kind in _kinds_in(user, compartment_id):
            total += max(0, kind.count(compartment_id))
    return total
