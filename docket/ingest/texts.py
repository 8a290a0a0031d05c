"""The Telegram message an item came with is part of the item's words in search."""

from __future__ import annotations

from docket.ingest.models import Message
from docket.register import search
from docket.vault.models import Item


def _message_texts(item: Item) -> list[str]:
    return list(Message.objects.filter(item=item).values_list("text", flat=True))


search.add_texts("item", _message_texts)
