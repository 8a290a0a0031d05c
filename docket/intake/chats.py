"""What the Telegram bot (telegram.py) and the worker share, without the Telegram library:
it takes 0.4 s to import, so only the bot and the job that sends a reply load it.

- A chat is known by a keyed hash of its id (`route_of`), never by the id itself.
- The messages of a chat, the sender's and the bot's, are remembered by number with that
  hash (`trace`), so that deleting the conversation reaches every one of them.
- A staff reply is sent by a worker (`send_reply`), the only process that can open the
  sealed chat id.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from docket.intake import conversation
from docket.intake.models import ChatMessage, Message
from docket.jobs import queue
from docket.vault import keys

#: the callback data of the "delete this conversation" button
DELETE = "delete"
CONTACT_PREFIX = "telegram:"


def route_of(chat_id: int) -> str:
    """The keyed hash by which the bot knows a chat (never the chat id itself)."""
    return salted_hmac("docket.intake.telegram.route", str(chat_id), algorithm="sha256").hexdigest()


def trace(route: str, message_ids: list[int]) -> None:
    ChatMessage.objects.bulk_create(ChatMessage(route=route, message_id=m) for m in message_ids)


def reply_text(created_at: datetime, text: str) -> str:
    """A staff reply as the chat shows it (in the active language)."""
    return _("Reply from the documenters (%(date)s):\n\n%(text)s") % {
        "date": created_at.date().isoformat(),
        "text": text,
    }


@queue.register("intake.telegram-reply")
def send_reply(payload: dict[str, Any]) -> None:
    from docket.intake import telegram

    message = Message.objects.select_related("submission").get(pk=payload["message"])
    submission = message.submission
    contact = conversation.contact(submission)
    if not contact.startswith(CONTACT_PREFIX):
        return
    chat_id = int(contact.removeprefix(CONTACT_PREFIX))
    shown = conversation.show(message, keys.identity())
    with translation.override(submission.language):
        text = reply_text(shown.created_at, shown.text)
        sent = asyncio.run(telegram.deliver(chat_id, text))
    trace(route_of(chat_id), [sent])
