"""What the register tells the pages of an item: the title, description and tags documenters
gave it (docket/vault/describe.py); and the item list's filters by tag and by words."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from docket.lib import ids
from docket.register import search
from docket.register.models import ItemRecord, having_tag, tag_list
from docket.vault.describe import describer, item_filter


@describer
def recorded(pks: list[int]) -> dict[int, dict[str, Any]]:
    records = ItemRecord.objects.filter(item_id__in=pks)
    return {
        item_id: {"title": title, "description": description, "tags": tag_list(tags)}
        for item_id, title, description, tags in records.values_list(
            "item_id", "title", "description", "tags"
        )
    }


@item_filter("tag")
def tagged(items: QuerySet[Any], tag: str) -> QuerySet[Any]:
    return items.filter(pk__in=ItemRecord.objects.filter(having_tag(tag)).values("item_id"))


@item_filter("q")
def worded(items: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Items whose name, title, description, tags or words read in them match, as search
    finds them (in any script); an item's number finds it too."""
    found = search.matching(text, compartments=None).filter(kind="item").values("object_id")
    number = ids.pk(text.strip().lstrip("#"))
    if number is not None:
        return items.filter(pk__in=found) | items.filter(pk=number)
    return items.filter(pk__in=found)
