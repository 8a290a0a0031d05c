"""The Telegram intake: the bot and what the worker shares with it."""
