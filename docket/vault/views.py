"""Staff pages of the vault. Each view declares its access (docket/accounts/guards.py);
reads are audited, and downloads also go to the custody log."""

from __future__ import annotations

import itertools
import re
from collections.abc import Generator, Iterator

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from docket.accounts import access, audit
from docket.accounts.guards import listing, of_object
from docket.vault import custody, keys, media
from docket.vault.describe import BULK_FORMS, FILTERS, SCOPES, describe, describe_one
from docket.vault.models import Checkpoint, CustodyEntry, Item
from docket.vault.sections import sections_of
from docket.vault.store import read
from docket.vault.words import in_words


def actor_of(request: HttpRequest) -> str:
    return f"user:{request.user.pk}:{request.user.get_username()}"


@listing("item.view")
def item_list(request: HttpRequest) -> HttpResponse:
    """Items with the names, types, thumbnails and capture facts the apps above know
    (docket/vault/describe.py), narrowed by the filters they register."""
    asked = {
        name: value.strip()[:200]
        for name in FILTERS
        if (value := request.GET.get(name, "")) and value.strip()
    }
    scopes = {s.name: s for s in SCOPES}
    shown = request.GET.get("show", "")
    shown = shown if shown in scopes or shown == "all" else (SCOPES[0].name if SCOPES else "all")
    audit.record(request, "item.list", details={"page": request.GET.get("page", "1"), **asked})
    items = access.visible(Item.objects.order_by("-id"), request.user, "item.view")
    if shown != "all":
        items = scopes[shown].narrow(items)
    for name, value in asked.items():
        items = FILTERS[name](items, value)
    page = Paginator(items.select_related("compartment"), 50).get_page(request.GET.get("page"))
    facts = describe(item.pk for item in page)
    rows = [(item, facts[item.pk]) for item in page]
    context = {
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "asked": asked,
        "shown": shown,
        "scopes": [(s.name, s.label()) for s in SCOPES],
        "can_upload": bool(access.compartment_ids(request.user, "item.upload")),
    }
    bulk = [found for choose in BULK_FORMS if (found := choose(request.user))]
    context["bulk_forms"] = [template for template, _ in bulk]
    for _, extra in bulk:
        context.update(extra)
    return render(request, "vault/items.html", context)


@of_object("item.view", Item)
def item_detail(request: HttpRequest, item: Item) -> HttpResponse:
    audit.record(request, "item.view", item)
    entries = in_words(CustodyEntry.objects.filter(item=item).order_by("index"))
    context = {
        "item": item,
        "facts": describe_one(item.pk),
        "entries": entries,
        **sections_of(item, request.user),
    }
    return render(request, "vault/item.html", context)


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


def _range(header: str, size: int) -> tuple[int, int] | None:
    """The bytes asked for by a single-range `Range` header (RFC 9110 §14), else all of
    them; None for a range that cannot be satisfied: one that starts past the end, or ends
    before it starts (`bytes=500-100`), which is answered 416 before anything is read."""
    everything = (0, max(size - 1, 0))
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return everything
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses
    asked = re.fullmatch(r"([0-9]*)-([0-9]*)", spec.strip())
    if asked is None or asked.group(1) == asked.group(2) == "":
        return everything
    first, last = asked.groups()
    if not first:  # the last N bytes
        return (max(size - int(last), 0), size - 1) if int(last) else None
    start = int(first)
    if start >= size or (last and int(last) < start):
        return None
    return start, min(int(last), size - 1) if last else size - 1


def _slice(
    head: bytes, chunks: Generator[bytes, None, None], start: int, end: int
) -> Iterator[bytes]:
    """Bytes start..end (inclusive) of a stream that can only be read from its beginning (an
    age stream is decrypted in order)."""
    position = 0
    try:
        for chunk in itertools.chain([head], chunks):
            low, high = max(start - position, 0), min(end + 1 - position, len(chunk))
            if low < high:
                yield chunk[low:high]
            position += len(chunk)
            if position > end:
                return
    finally:
        chunks.close()


#: What may ask for an original to be shown: an element of a Docket page. Never a link followed,
#: a prefetch or another site (browsers say so in Sec-Fetch-*; old ones send nothing).
EMBEDDED = {"video", "audio", "image", "iframe", "embed", "object"}


@xframe_options_sameorigin
@of_object("item.read_original", Item)
def item_shown(request: HttpRequest, item: Item) -> HttpResponseBase:
    """The original shown inline (a recording to play, a document or picture to read) while
    linking it as evidence. A read like a download: custody entry and audit row per request."""
    destination = request.headers.get("Sec-Fetch-Dest")
    site = request.headers.get("Sec-Fetch-Site")
    if (destination is not None and destination not in EMBEDDED) or site not in (
        None,
        "same-origin",
    ):
        return HttpResponse(
            gettext("Originals are shown only inside Docket's own pages."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    window = _range(request.headers.get("Range", ""), item.size)
    if window is None:  # unsatisfiable: nothing to decrypt, no read to log
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{item.size}"
        return refused
    try:
        chunks = read(item, actor=actor_of(request))
    except keys.KeyUnavailable as exc:
        return render(
            request, "vault/cannot_read.html", {"item": item, "reason": str(exc)}, status=503
        )
    head = next(chunks, b"")
    shown = media.sniff(head)
    audit.record(request, "item.show", item, details={"type": shown.content_type if shown else ""})
    if shown is None:
        chunks.close()
        return HttpResponse(
            gettext("This kind of file is not shown here: download the original."),
            status=415,
            content_type="text/plain; charset=utf-8",
        )
    start, end = window
    body = _slice(head, chunks, start, end)
    response = StreamingHttpResponse(body, content_type=shown.content_type)
    if (start, end) != (0, item.size - 1):
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{item.size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"  # players seek with ranges; each is a logged read
    response["Content-Disposition"] = f'inline; filename="item-{item.pk}.{shown.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Nothing in it may run or fetch; Chromium's PDF viewer does not work in a sandbox.
    sandbox = "" if shown.kind == "document" else "sandbox; "
    response["Content-Security-Policy"] = f"{sandbox}default-src 'none'; frame-ancestors 'self'"
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
            "entries": in_words(entries),
        },
    )
