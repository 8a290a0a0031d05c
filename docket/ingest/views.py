"""The Imports page: each import's counts and how far enrichment of its items has got."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from docket.accounts import access, audit
from docket.accounts.views_access import listing, staff_user
from docket.ingest.models import Batch
from docket.ingest.progress import progress_of


@listing("item.view")
def imports(request: HttpRequest) -> HttpResponse:
    audit.record(request, "import.list")
    compartments = access.compartment_ids(staff_user(request), "item.view")
    batches = Batch.objects.filter(compartment_id__in=compartments).select_related("compartment")
    rows = [progress_of(batch, failures=20) for batch in batches[:50]]
    return render(request, "ingest/imports.html", {"rows": rows})
