"""The Telegram message an item came with is part of the item's words in search, and read for
mentions of the register's persons and units."""

from __future__ import annotations

from docket.ingest.models import Message
from docket.register import mentions, search
from docket.vault.models import Item


def _message_texts(item: Item) -> list[str]:
    return list(Message.objects.filter(item=item).values_list("text", flat=True))


def _message_passages(item: Item) -> list[mentions.Passage]:
    found = Message.objects.filter(item=item).exclude(text="").values_list("pk", "text")
    return [mentions.Passage(f"message {pk}", text) for pk, text in found]


search.add_texts("item", _message_texts)
mentions.add_item_texts(_message_passages)
