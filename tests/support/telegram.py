"""A Telegram sender and the bot's environment, against the local Bot API server
(tests/support/botapi.py)."""

from __future__ import annotations

import re

from tests.support.botapi import BotApi
from tests.support.instance import Instance
from tests.support.intake import intake_env

TOKEN = "7000000001:AAtest-token-never-logged-9f8e7d"
SENDER = {
    "id": 987654321, "is_bot": False, "first_name": "Alesia-Distinct", "last_name": "Tracewell",
    "username": "distinct_sender_77", "language_code": "ru",
}  # fmt: skip


def bot_env(instance: Instance, api: BotApi) -> dict[str, str]:
    env = intake_env(instance)
    env.update(
        DOCKET_TELEGRAM_TOKEN=TOKEN,
        DOCKET_TELEGRAM_API=api.url,
        DOCKET_TELEGRAM_VERIFY_URL="https://docs.example.org/telegram",
    )
    return env


def receipt_in(text: str) -> str:
    lines = [line for line in text.splitlines() if re.fullmatch(r"(\w+ ){7}\w+", line)]
    assert lines, text
    return lines[0]
