"""The Imports page: each import's counts and how far enrichment of its items has got; and, on
an item's page, the Telegram message it came in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff_user
from docket.ingest.models import Batch, Message
from docket.ingest.progress import progress_of
from docket.vault.models import Item
from docket.vault.sections import item_section


@listing("item.view")
def imports(request: HttpRequest) -> HttpResponse:
    audit.record(request, "import.list")
    compartments = access.compartment_ids(staff_user(request), "item.view")
    batches = Batch.objects.filter(compartment_id__in=compartments).select_related("compartment")
    rows = [progress_of(batch, failures=20) for batch in batches[:50]]
    return render(request, "ingest/imports.html", {"rows": rows})


@item_section("ingest/_item.html", order=20)
def item_messages(item: Item, user: Any) -> dict[str, Any]:
    """Where an item from a Telegram export came from: its message, chat, author and text."""
    return {"source_messages": Message.objects.filter(item=item).select_related("collection")}
