"""Staff pages of the vault. Each view declares its access (docket/accounts/views_access.py);
reads are audited, and downloads also go to the custody log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from docket.accounts import access, audit
from docket.accounts.views_access import listing, of_object
from docket.vault import custody, keys
from docket.vault.models import Checkpoint, CustodyEntry, Item
from docket.vault.store import read


def actor_of(request: HttpRequest) -> str:
    return f"user:{request.user.pk}:{request.user.get_username()}"


@listing("item.view")
def item_list(request: HttpRequest) -> HttpResponse:
    audit.record(request, "item.list", details={"page": request.GET.get("page", "1")})
    items = access.visible(Item.objects.order_by("-id"), request.user, "item.view")
    page = Paginator(items.select_related("compartment"), 50).get_page(request.GET.get("page"))
    return render(request, "vault/items.html", {"page": page, "total": page.paginator.count})


@of_object("item.view", Item)
def item_detail(request: HttpRequest, item: Item) -> HttpResponse:
    audit.record(request, "item.view", item)
    entries = CustodyEntry.objects.filter(item=item).order_by("index")
    return render(request, "vault/item.html", {"item": item, "entries": entries})


@of_object("item.read_original", Item, methods=("POST",))
def item_original(request: HttpRequest, item: Item) -> HttpResponseBase:
    """The original bytes, as a download. POST: a read is an action that is logged, never
    something a prefetching browser or a crawler should trigger."""
    try:
        chunks = read(item, actor=actor_of(request))
    except keys.KeyUnavailable as exc:
        return render(
            request, "vault/cannot_read.html", {"item": item, "reason": str(exc)}, status=503
        )
    audit.record(request, "item.read_original", item)
    response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="item-{item.pk}.bin"'
    response["Content-Length"] = str(item.size)
    return response


@listing("custody.view")
def log(request: HttpRequest) -> HttpResponse:
    """Entries of the items the user may see; entries about no item (the log's own) only for
    instance administrators. Checkpoints are shown to all: sizes and roots, no contents."""
    compartments = access.compartment_ids(request.user, "custody.view")
    shown = Q(item__compartment_id__in=compartments)
    if request.user.is_superuser:
        shown |= Q(item__isnull=True)
    entries = CustodyEntry.objects.filter(shown).order_by("-index")[:50]
    audit.record(request, "custody.list")
    return render(
        request,
        "vault/log.html",
        {
            "latest": custody.latest_checkpoint(),
            "checkpoints": Checkpoint.objects.order_by("-size")[:20],
            "entries": entries,
        },
    )
