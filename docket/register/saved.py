"""Saved searches: a named filter of the event list or the search page, for oneself or shared
within a compartment.

Policy: a saved search keeps the query string only, never results; a shared one is offered to
those who see the register of its compartment and to nobody else; only its owner deletes it.
Saving and deleting are audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff, staff_user
from docket.accounts.models import Compartment
from docket.lib import ids
from docket.register.models import SavedSearch

PAGES = {SavedSearch.Page.EVENTS: "register:events", SavedSearch.Page.SEARCH: "register:search"}


def offered(user: Any, page: str) -> QuerySet[SavedSearch]:
    shared = access.compartment_ids(user, "register.view")
    return (
        SavedSearch.objects.filter(page=page)
        .filter(Q(owner=user) | Q(compartment__in=shared))
        .select_related("owner", "compartment")
    )


def context(request: HttpRequest, page: str) -> dict[str, Any]:
    """What the saved-searches box of `page` shows."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "saved": offered(request.user, page),
        "saved_page": page,
        "saved_query": query.urlencode(),
        "share_with": Compartment.objects.filter(
            pk__in=access.compartment_ids(request.user, "register.view")
        ).order_by("name"),
    }


def url_of(saved: SavedSearch) -> str:
    return f"{reverse(PAGES[SavedSearch.Page(saved.page)])}?{saved.query}"


@listing("register.view", methods=("POST",))
def save(request: HttpRequest) -> HttpResponseBase:
    user = staff_user(request)
    page = request.POST.get("page", "")
    if page not in SavedSearch.Page.values:
        raise Http404("No such page.")
    name = " ".join(request.POST.get("name", "").split())[:100]
    query = request.POST.get("query", "")[:1000]
    back = f"{reverse(PAGES[SavedSearch.Page(page)])}?{query}"
    if not name:
        messages.error(request, gettext("Give the search a name to find it again."))
        return redirect(back)
    share = request.POST.get("share", "")
    compartment = None
    if share:
        share_pk = ids.pk(share)
        if share_pk is None or share_pk not in access.compartment_ids(user, "register.view"):
            messages.error(
                request, gettext("Share it only in a compartment whose register you see.")
            )
            return redirect(back)
        compartment = Compartment.objects.get(pk=share_pk)
    saved = SavedSearch.objects.create(
        owner=user, name=name, page=page, query=query, compartment=compartment
    )
    shared_in = compartment.name if compartment else ""
    audit.record(
        request, "search.save", saved, compartment=compartment,
        details={"name": name, "query": query, "shared_in": shared_in},
    )  # fmt: skip
    messages.success(
        request,
        gettext("Saved as “%(name)s”; shared in %(compartment)s.")
        % {"name": name, "compartment": compartment.name}
        if compartment
        else gettext("Saved as “%(name)s”, for you alone.") % {"name": name},
    )
    return redirect(url_of(saved))


@staff(methods=("POST",))
def delete(request: HttpRequest) -> HttpResponseBase:
    wanted = request.POST.get("saved", "")
    saved = SavedSearch.objects.filter(pk=ids.pk(wanted) or 0, owner=staff_user(request)).first()
    if saved is None:
        raise Http404("No such saved search of yours.")
    audit.record(request, "search.delete", saved, details={"name": saved.name})
    back = reverse(PAGES[SavedSearch.Page(saved.page)])
    saved.delete()
    messages.success(request, gettext("The saved search is deleted."))
    return redirect(back)
