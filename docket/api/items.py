"""Item metadata: what the vault holds, never the bytes (scope items:read)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from docket.api.base import Cursor, Next, Pk, TokenAuth, answers, declare, one, page
from docket.vault.models import Item

router = Router(auth=TokenAuth("items:read"), tags=["items"])


class ItemOut(Schema):
    id: int
    sha256: str
    size: int
    compartment: str
    received_at: datetime


class Items(Next):
    items: list[ItemOut]


def _item(item: Item) -> ItemOut:
    return ItemOut(
        id=item.pk,
        sha256=item.sha256,
        size=item.size,
        compartment=item.compartment.name,
        received_at=item.received_at,
    )


@router.get("/items/", response=answers(Items), url_name="items")
@declare("item.view")
def items(request: HttpRequest, cursor: Query[Cursor]) -> Items:
    rows, after = page(
        request,
        Item.objects.select_related("compartment"),
        "item.view",
        before=cursor.before,
        action="item.list",
    )
    return Items(items=[_item(i) for i in rows], next_before=after)


@router.get("/items/{int:pk}/", response=answers(ItemOut), url_name="item")
@declare("item.view", Item)
def item(request: HttpRequest, pk: Pk) -> ItemOut:
    return _item(one(request, Item.objects.select_related("compartment"), pk, "item.view"))
