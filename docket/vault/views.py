"""Staff pages of the vault. Every page needs a logged-in staff member; the per-compartment
checks of the access issue will replace `login_required` here, in one place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from docket.vault import custody, keys
from docket.vault.models import Checkpoint, CustodyEntry, Item
from docket.vault.store import read


def actor_of(request: HttpRequest) -> str:
    return f"user:{request.user.pk}:{request.user.get_username()}"


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Item.objects.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(request, "vault/items.html", {"page": page, "total": page.paginator.count})


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    entries = CustodyEntry.objects.filter(item=item).order_by("index")
    return render(request, "vault/item.html", {"item": item, "entries": entries})


@login_required
@require_POST
def item_original(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The original bytes, as a download. POST: a read is an action that is logged, never
    something a prefetching browser or a crawler should trigger."""
    item = get_object_or_404(Item, pk=pk)
    try:
        chunks = read(item, actor=actor_of(request))
    except keys.KeyError_ as exc:
        return render(
            request, "vault/cannot_read.html", {"item": item, "reason": str(exc)}, status=503
        )
    response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="item-{item.pk}.bin"'
    response["Content-Length"] = str(item.size)
    return response


@login_required
def log(request: HttpRequest) -> HttpResponse:
    latest = custody.latest_checkpoint()
    checkpoints = Checkpoint.objects.order_by("-size")[:20]
    entries = CustodyEntry.objects.order_by("-index")[:50]
    return render(
        request,
        "vault/log.html",
        {"latest": latest, "checkpoints": checkpoints, "entries": entries},
    )
