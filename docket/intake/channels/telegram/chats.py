"""What the Telegram bot (bot.py) and the worker share, without the Telegram library:
it takes 0.4 s to import, so only the bot and the job that sends a reply load it.

- A chat is known by a keyed hash of its id (`route_of`), never by the id itself.
- The messages of a chat, the sender's and the bot's, are remembered by number with that
  hash (`trace`), so that deleting the conversation reaches every one of them.
- A staff reply is sent by a worker (`send_reply`), the only process that can open the
  sealed chat id.
- A route is forgotten once neither side has written for DOCKET_TELEGRAM_ROUTE_DAYS days
  (`forget_idle_routes`, a worker's chore): the report's link to the chat, its sealed
  chat id and the chat's message numbers are deleted. A later staff reply is kept for the
  sender to read with their receipt and is not sent to the chat; the inbox says so, and
  `/continue` with the receipt links a chat again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from docket.intake import conversation
from docket.intake.models import ChatMessage, Message, Submission
from docket.jobs import queue
from docket.lib.chores import chore
from docket.vault import keys

log = logging.getLogger(__name__)

#: the callback data of the "delete this conversation" button
DELETE = "delete"
CONTACT_PREFIX = "telegram:"


def route_of(chat_id: int) -> str:
    """The keyed hash by which the bot knows a chat (never the chat id itself). Its salt names
    where the bot once was, and stays: another would lose every chat's route."""
    return salted_hmac("docket.intake.telegram.route", str(chat_id), algorithm="sha256").hexdigest()


def trace(route: str, message_ids: list[int]) -> None:
    ChatMessage.objects.bulk_create(ChatMessage(route=route, message_id=m) for m in message_ids)


def reply_text(created_at: datetime, text: str) -> str:
    """A staff reply as the chat shows it (in the active language)."""
    return _("Reply from the documenters (%(date)s):\n\n%(text)s") % {
        "date": created_at.date().isoformat(),
        "text": text,
    }


def route_gone(submission: Submission) -> bool:
    """A Telegram report whose chat was forgotten: replies can no longer reach the chat."""
    return submission.channel == Submission.Channel.TELEGRAM and not submission.contact


@queue.register("intake.telegram-reply")
def send_reply(payload: dict[str, Any]) -> None:
    from docket.intake.channels.telegram import bot

    message = Message.objects.select_related("submission").get(pk=payload["message"])
    submission = message.submission
    if route_gone(submission):
        # Forgotten between the reply and this job: the reply stays for the receipt to read.
        log.info("a reply was not sent to Telegram: the chat's route was forgotten")
        return
    contact = conversation.contact(submission)
    if not contact.startswith(CONTACT_PREFIX):
        return
    chat_id = int(contact.removeprefix(CONTACT_PREFIX))
    shown = conversation.show(message, keys.identity())
    with translation.override(submission.language):
        text = reply_text(shown.created_at, shown.text)
        sent = asyncio.run(bot.deliver(chat_id, text))
    trace(route_of(chat_id), [sent])


@chore("intake.telegram-routes", every_seconds=3600)
def forget_idle_routes(now: datetime | None = None) -> int:
    """Forget the routes of chats where neither side has written for DOCKET_TELEGRAM_ROUTE_DAYS
    days; returns how many reports lost their chat."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TELEGRAM_ROUTE_DAYS)
    last_reply = (
        Message.objects.filter(submission=OuterRef("pk"), direction=Message.Direction.TO_SENDER)
        .order_by("-pk")
        .values("created_at")[:1]
    )
    linked = Submission.objects.filter(
        Q(route__gt="") | Q(channel=Submission.Channel.TELEGRAM, contact__isnull=False)
    ).annotate(last_reply=Subquery(last_reply))
    idle = linked.filter(
        Q(last_from_sender_at__isnull=True) | Q(last_from_sender_at__lt=cutoff),
        Q(last_reply__isnull=True) | Q(last_reply__lt=cutoff),
        created_at__lt=cutoff,
    )
    with transaction.atomic():
        forgotten = list(idle.values_list("pk", "channel"))
        telegram = [pk for pk, channel in forgotten if channel == Submission.Channel.TELEGRAM]
        Submission.objects.filter(pk__in=[pk for pk, _ in forgotten]).update(route="")
        Submission.objects.filter(pk__in=telegram).update(contact=None)
        # A chat's numbers go once nothing was written in it since the cutoff (every message,
        # either side's, is traced) and no report still active is linked to it.
        active = Submission.objects.exclude(route="").values("route")
        quiet = (
            ChatMessage.objects.values("route")
            .annotate(last=Max("created_at"))
            .filter(last__lt=cutoff)
            .exclude(route__in=active)
            .values("route")
        )
        ChatMessage.objects.filter(route__in=quiet).delete()
    if forgotten:
        log.info("forgot the Telegram chats of %d idle reports", len(forgotten))
    return len(forgotten)
