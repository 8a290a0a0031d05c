"""The JSON API. Each view declares its access like the pages do, so the authorization matrix
covers it; answers for objects outside the caller's compartments are the same 404 as for
objects that do not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from docket.accounts import access, audit
from docket.accounts.views_access import Declared
from docket.api import tokens
from docket.vault.models import Item

View = Callable[..., HttpResponseBase]


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def api(scope: str, permission: str, model: type[Model] | None = None) -> Callable[[View], View]:
    def decorate(inner: View) -> View:
        @csrf_exempt  # no cookies: a bearer token cannot be sent by a cross-site form
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            token = tokens.authenticate(request.headers.get("Authorization", ""))
            if token is None:
                return _error(401, "a valid API token is needed: Authorization: Bearer dkt_…")
            if request.method != "GET":
                return _error(405, "only GET")
            if scope not in token.scopes:
                return _error(403, f"this token lacks the scope {scope}")
            request.user = token.user
            if model is not None:
                obj = model._default_manager.filter(pk=kwargs.pop("pk")).first()
                if obj is None or not access.can(token.user, permission, obj):  # type: ignore[arg-type]
                    return _error(404, "no such object")
                return inner(request, obj, *args, **kwargs)
            if not access.compartment_ids(token.user, permission):
                return _error(404, "no such collection")
            return inner(request, *args, **kwargs)

        kind = "api_object" if model is not None else "api_list"
        wrapper.docket_access = Declared(kind, permission, model, ("GET",))  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _item(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "sha256": item.sha256,
        "size": item.size,
        "compartment": item.compartment.name,
        "received_at": item.received_at.isoformat(),
    }


@api("items:read", "item.view")
def items(request: HttpRequest) -> HttpResponseBase:
    visible = access.visible(Item.objects.order_by("-id"), request.user, "item.view")
    try:
        after = int(request.GET.get("before", 0))
    except ValueError:
        return _error(400, "before must be an item id")
    if after:
        visible = visible.filter(pk__lt=after)
    page = list(visible.select_related("compartment")[:100])
    audit.record(request, "item.list", details={"via": "api", "before": after or None})
    return JsonResponse(
        {
            "items": [_item(i) for i in page],
            "next_before": page[-1].pk if len(page) == 100 else None,
        }
    )


@api("items:read", "item.view", Item)
def item(request: HttpRequest, obj: Item) -> HttpResponseBase:
    audit.record(request, "item.view", obj, details={"via": "api"})
    return JsonResponse(_item(obj))
