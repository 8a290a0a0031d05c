"""The Telegram Bot API through python-telegram-bot: a client and a polling application for a
bot's token on an API server (Telegram's, or a local telegram-bot-api server's), and the calls
that need no handler: who the bot is, and sending one message.

The library takes 0.4 s to import: only the bot and the job that sends a reply import this
module, never a process at start-up.
"""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application


def _urls(api: str) -> tuple[str, str]:
    """The Bot API's method and file URLs on a server."""
    return f"{api}/bot", f"{api}/file/bot"


def client(token: str, api: str) -> Bot:
    base_url, base_file_url = _urls(api)
    return Bot(token, base_url=base_url, base_file_url=base_file_url)


def application(token: str, api: str) -> Application:
    """An application that polls for updates; the caller adds its handlers."""
    base_url, base_file_url = _urls(api)
    builder = Application.builder().token(token).base_url(base_url)
    return builder.base_file_url(base_file_url).build()


def one_button(text: str, data: str) -> InlineKeyboardMarkup:
    """A keyboard of one button under a message; pressing it sends `data` back to the bot."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]])


async def whoami(token: str, api: str) -> tuple[int, str]:
    """The bot's id and username."""
    async with client(token, api) as bot:
        user = await bot.get_me()
        return user.id, user.username or ""


async def send(
    token: str, api: str, chat_id: int, text: str, *, markup: InlineKeyboardMarkup | None = None
) -> int:
    """Send one message to a chat; returns its number there."""
    async with client(token, api) as bot:
        sent = await bot.send_message(chat_id, text, reply_markup=markup)
        return sent.message_id
