"""The Telegram intake bot (`docket intake telegram`); the job that sends staff replies is in
chats.py, which the worker loads without the Telegram library.

Policy (docs/design.md §2.2):
- The bot keeps no Telegram user id, username, name or phone in the clear. A chat is known by
  a keyed hash of its id (`route`, keyed with DOCKET_SECRET_KEY), which finds the report that
  the chat's next message belongs to; the chat id itself is sealed to the organisation's key
  in the submission's `contact`. The bot runs with the public key only, like the web intake.
- What a sender sends is sealed the moment it is downloaded: text as a message of the
  conversation, each photo, video, voice message, audio or document as a vault item. The
  file's name on the sender's phone is never stored. Files are stored, not opened: enrichment
  parses them later, in the sandbox.
- The first message opens a report and answers with its receipt. Every answer offers to
  delete the conversation from the chat (Telegram deletes a private chat's messages on both
  sides); deleting also unlinks the chat, so a seized phone shows nothing and the server no
  longer ties this chat to the report. `/continue` with the receipt links it again.
- On /start the bot says how to check that it is the genuine one: the name in Telegram's
  header (which no impostor can take) and a fingerprint, both published on the
  organisation's website (DOCKET_TELEGRAM_VERIFY_URL).
- Staff replies are sent by a worker, the only process that can open the sealed chat id
  (chats.py, which also holds the routing hash without loading the Telegram library).
- The Bot API is reached through docket/lib/telegram.py.
- Nothing is logged about a sender: updates are never logged, and errors are logged by type.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from telegram import InlineKeyboardMarkup, Update
from telegram import Message as TelegramMessage
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from docket.intake import conversation, limits, receipts, uploads
from docket.intake.channels.telegram.chats import (
    CONTACT_PREFIX,
    DELETE,
    reply_text,
    route_of,
    trace,
)
from docket.intake.models import ChatMessage, Message, Submission
from docket.lib import telegram as bot_api
from docket.vault import age, keys

log = logging.getLogger(__name__)

CHANNEL = Submission.Channel.TELEGRAM
PRIVATE = filters.ChatType.PRIVATE


class NotConfigured(Exception):
    pass


def language_of(update: object) -> str:
    """The sender's Telegram language if Docket speaks it, else English."""
    user = update.effective_user if isinstance(update, Update) else None
    code = ((user and user.language_code) or "").split("-")[0].lower()
    return code if code in receipts.LANGUAGES else "en"


def fingerprint(bot_id: int, username: str) -> str:
    """What the organisation publishes beside the bot's name: it binds the bot to the key that
    reports are sealed to."""
    digest = hashlib.sha256(f"{bot_id}:{username.lower()}:{keys.recipient()}".encode()).hexdigest()
    return " ".join(digest[i : i + 4].upper() for i in range(0, 20, 4))


def _token() -> str:
    if not settings.TELEGRAM_TOKEN:
        raise NotConfigured("set DOCKET_TELEGRAM_TOKEN (or DOCKET_TELEGRAM_TOKEN_FILE)")
    return settings.TELEGRAM_TOKEN


# --- What the bot does with the database (run in a thread: the ORM is synchronous) ----------


@dataclass
class Answer:
    text: str
    offer_delete: bool = True
    extra: list[str] = field(default_factory=list)


def _current(route: str) -> Submission | None:
    return Submission.objects.filter(route=route).order_by("-pk").first()


def _receive(chat_id: int, language: str, text: str, files: list[bytes], seen: list[int]) -> Answer:
    """Store a message from a chat: it opens a report, or adds to the chat's current one."""
    close_old_connections()
    route = route_of(chat_id)
    trace(route, seen)
    submission = _current(route)
    size = sum(len(f) for f in files)
    with translation.override(language):
        try:
            if submission is None:
                limits.ensure_files(0, 0, adding=len(files), adding_size=size)
                limits.take("submissions", per_hour=settings.INTAKE_SUBMISSIONS_PER_HOUR)
                items = [uploads.store_chunks([f], channel=CHANNEL) for f in files]
                _opened, receipt = conversation.open_submission(
                    channel=CHANNEL, language=language, text=text, files=items,
                    contact=f"{CONTACT_PREFIX}{chat_id}", route=route,
                )  # fmt: skip
                return Answer(
                    _(
                        "Your report is stored and encrypted. Your receipt:\n\n%(receipt)s\n\n"
                        "Write these eight words down now, somewhere safe and not on this phone. "
                        "Nobody can show them again or recover them. With them you can read our "
                        "replies here (/continue) or on our website.\n\n"
                        "Anything more you send here is added to this report."
                    )
                    % {"receipt": receipt}
                )
            if text.strip():
                conversation.ensure_message_budget(submission)
            limits.ensure_files(
                submission.file_count, submission.byte_count, adding=len(files), adding_size=size
            )
            items = [
                uploads.store_chunks([f], channel=CHANNEL, compartment=submission.compartment)
                for f in files
            ]
            conversation.add_from_sender(submission, text, items)
            return Answer(_("Stored and added to your report."))
        except limits.Refused as refused:
            return Answer(refused.message, offer_delete=False)


def _resume(chat_id: int, language: str, receipt: str) -> Answer:
    """Link the chat to the report a receipt opens, and show the replies it has."""
    close_old_connections()
    route = route_of(chat_id)
    with translation.override(language):
        try:
            found = conversation.find(receipt)
        except limits.Refused as refused:
            return Answer(refused.message, offer_delete=False)
        if found is None:
            return Answer(
                _("No report has this receipt. Check the eight words and send them again."),
                offer_delete=False,
            )
        with transaction.atomic():
            Submission.objects.filter(route=route).update(route="")
            Submission.objects.filter(pk=found.submission.pk).update(route=route)
            if found.submission.channel == CHANNEL:
                # Replies go to the chat the sender now writes from.
                sealed = f"{CONTACT_PREFIX}{chat_id}".encode()
                contact = age.encrypt_bytes(sealed, [keys.recipient()])
                Submission.objects.filter(pk=found.submission.pk).update(contact=contact)
        replies = [
            reply_text(shown.created_at, shown.text)
            for shown in conversation.thread(found.submission, found.derived.identity)
            if shown.direction == Message.Direction.TO_SENDER
        ]
        if replies:
            text = _("Found your report. Its replies follow. Anything you send now is added to it.")
        else:
            text = _(
                "Found your report. There is no reply yet. Anything you send now is added to it."
            )
        return Answer(text, extra=replies)


def _detach(chat_id: int) -> None:
    close_old_connections()
    Submission.objects.filter(route=route_of(chat_id)).update(route="")


def _traced(chat_id: int) -> list[int]:
    close_old_connections()
    route = route_of(chat_id)
    return list(ChatMessage.objects.filter(route=route).values_list("message_id", flat=True))


def _forget(chat_id: int, message_ids: list[int]) -> None:
    route = route_of(chat_id)
    with transaction.atomic():
        ChatMessage.objects.filter(route=route, message_id__in=message_ids).delete()
        Submission.objects.filter(route=route).update(route="")


# --- The bot's handlers ----------------------------------------------------------------------


def _media(message: TelegramMessage) -> list[Any]:
    """The files of a message, the largest size of a photo."""
    found: list[Any] = []
    if message.photo:
        found.append(message.photo[-1])
    for kind in ("video", "voice", "audio", "document", "video_note", "animation"):
        attachment = getattr(message, kind)
        if attachment is not None:
            found.append(attachment)
    return found


def _delete_button() -> InlineKeyboardMarkup:
    """The offer to delete the conversation, under an answer or a reply (active language)."""
    return bot_api.one_button(_("Delete this conversation from the chat"), DELETE)


async def _send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, answer: Answer) -> None:
    """Send an answer (the first message with the offer to delete, if made) and remember the
    messages so that deleting the conversation reaches them."""
    markup = _delete_button() if answer.offer_delete else None
    sent = [(await context.bot.send_message(chat_id, answer.text, reply_markup=markup)).message_id]
    for text in answer.extra:
        sent.append((await context.bot.send_message(chat_id, text)).message_id)
    await sync_to_async(trace)(route_of(chat_id), sent)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat and update.effective_message
    language = language_of(update)
    me = context.bot
    with translation.override(language):
        text = _(
            "Here you can tell us what happened to you or what you saw: write it, and send "
            "photos, videos, voice messages and documents.\n\n"
            "First check that this is the genuine bot. The name at the top of this chat must "
            "be @%(username)s, and our own website must list the same name and this "
            "fingerprint:\n\n%(fingerprint)s\n\n"
            "An impostor can copy this message but not the name @%(username)s. Open our "
            "website yourself%(where)s; do not follow a link someone sent you.\n\n"
            "Everything you send is encrypted as soon as it is stored. Your first message "
            "gets a receipt: eight words that let you read our replies later. Whenever you "
            "like, the bot deletes this conversation from your chat.\n\n"
            "/delete - delete this conversation from the chat\n"
            "/new - start a new report\n"
            "/continue WORDS - go on with a report, given its receipt"
        ) % {
            "username": me.username,
            "fingerprint": await sync_to_async(fingerprint)(me.id, me.username),
            "where": f" ({settings.TELEGRAM_VERIFY_URL})" if settings.TELEGRAM_VERIFY_URL else "",
        }
        chat_id = update.effective_chat.id
        await sync_to_async(trace)(route_of(chat_id), [update.effective_message.message_id])
        await _send(context, chat_id, Answer(text, offer_delete=False))


async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    language = language_of(update)
    text = message.text or message.caption or ""
    media = _media(message)
    with translation.override(language):
        if not text.strip() and not media:
            answer = Answer(
                _("This bot takes text, photos, videos, voice messages, audio and documents."),
                offer_delete=False,
            )
            await sync_to_async(trace)(route_of(chat_id), [message.message_id])
            await _send(context, chat_id, answer)
            return
        too_large = [m for m in media if (m.file_size or 0) > settings.INTAKE_MAX_FILE_BYTES]
        if too_large:
            limit = filesizeformat(settings.INTAKE_MAX_FILE_BYTES)
            refused = limits.Refused(limits.TOO_LARGE, limit=limit)
            await _send(context, chat_id, Answer(refused.message, offer_delete=False))
            return
        files = []
        try:
            for attachment in media:
                downloaded = await (await attachment.get_file()).download_as_bytearray()
                files.append(bytes(downloaded))
        except TelegramError:
            # The public Bot API hands bots files of up to 20 MB only.
            text = _(
                "Telegram did not pass this file on to us (it lets bots receive files of up "
                "to 20 MB). Nothing of this message was stored: send large files through our "
                "website, or split a video into shorter parts."
            )
            await sync_to_async(trace)(route_of(chat_id), [message.message_id])
            await _send(context, chat_id, Answer(text, offer_delete=False))
            return
    answer = await sync_to_async(_receive)(chat_id, language, text, files, [message.message_id])
    with translation.override(language):
        await _send(context, chat_id, answer)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    language = language_of(update)
    receipt = " ".join(context.args or [])
    # The receipt is not left in the chat.
    try:
        await context.bot.delete_message(chat_id, message.message_id)
    except TelegramError:
        await sync_to_async(trace)(route_of(chat_id), [message.message_id])
    with translation.override(language):
        if not receipt:
            answer = Answer(
                _("Send /continue followed by the eight words of your receipt."),
                offer_delete=False,
            )
        else:
            answer = await sync_to_async(_resume)(chat_id, language, receipt)
        await _send(context, chat_id, answer)


async def new_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat and update.effective_message
    chat_id = update.effective_chat.id
    language = language_of(update)
    await sync_to_async(_detach)(chat_id)
    await sync_to_async(trace)(route_of(chat_id), [update.effective_message.message_id])
    with translation.override(language):
        text = _("Your next message starts a new report, with a receipt of its own.")
        await _send(context, chat_id, Answer(text))


async def delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete every message of the conversation that the bot knows of, both sides."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    ids = await sync_to_async(_traced)(chat_id)
    here = update.effective_message
    if here is not None and here.message_id not in ids:
        ids.append(here.message_id)
    failed = 0
    for message_id in sorted(ids):
        try:
            await context.bot.delete_message(chat_id, message_id)
        except TelegramError:
            failed += 1  # older than Telegram allows (48 hours), or already gone
    await sync_to_async(_forget)(chat_id, ids)
    language = language_of(update)
    with translation.override(language):
        if failed:
            notice = _(
                "Deleted. Telegram did not let the bot delete some older messages: delete them "
                "yourself, and then the chat."
            )
        else:
            notice = _("Deleted. You can also delete the chat itself from your list.")
    if update.callback_query is not None:
        await update.callback_query.answer(notice, show_alert=True)
    else:
        await context.bot.send_message(chat_id, notice)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # The type alone: an exception's text or the update could name the sender.
    log.error("a Telegram update failed: %s", type(context.error).__name__)
    if isinstance(update, Update) and update.effective_chat is not None:
        language = language_of(update)
        with translation.override(language):
            text = _("Something went wrong and that message was not stored. Please send it again.")
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            pass


def application() -> Application:
    """The bot: an application polling DOCKET_TELEGRAM_API with the handlers above."""
    app = bot_api.application(_token(), settings.TELEGRAM_API)
    app.add_handler(CommandHandler(["start", "help"], start, filters=PRIVATE))
    app.add_handler(CommandHandler("continue", resume, filters=PRIVATE))
    app.add_handler(CommandHandler("new", new_report, filters=PRIVATE))
    app.add_handler(CommandHandler("delete", delete, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(delete, pattern=f"^{DELETE}$"))
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, receive))
    app.add_error_handler(on_error)
    return app


def run() -> None:
    """Poll the Bot API until stopped (SIGINT or SIGTERM)."""
    bot_application = application()
    log.info("Telegram intake bot polling %s", settings.TELEGRAM_API)
    bot_application.run_polling(allowed_updates=["message", "callback_query"], poll_interval=0.0)


def published() -> dict[str, str]:
    """What to publish on the organisation's website so senders can check the bot."""
    bot_id, username = asyncio.run(bot_api.whoami(_token(), settings.TELEGRAM_API))
    return {"username": f"@{username}", "fingerprint": fingerprint(bot_id, username)}


async def deliver(chat_id: int, text: str) -> int:
    """Send a staff reply (for chats.send_reply, in the worker); returns its message number."""
    markup = _delete_button()
    return await bot_api.send(_token(), settings.TELEGRAM_API, chat_id, text, markup=markup)
