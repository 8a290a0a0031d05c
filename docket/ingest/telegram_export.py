"""`docket import telegram EXPORT_DIR`: a Telegram Desktop export in JSON ("Export chat
history" or "Export Telegram data", machine-readable JSON) into the vault.

Each chat, group or channel becomes a Collection; each message a Message row with its text,
date, author and forwarded-from, linked to the media item it carried. Media paths come from
result.json, a file someone else may have made: a path that is absolute, climbs out of the
export with "..", or is a symbolic link is refused and reported, never followed. Idempotent:
running it again updates the messages and stores nothing twice, so an interrupted import is
resumed by running it again. A message whose date cannot be read, or could not be a message's
(before 1970 or after tomorrow: a damaged or hostile export), is skipped with the reason and
the import goes on; its media file, if any, is still stored.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from docket.accounts.models import Compartment
from docket.ingest.files import Summary, index_names
from docket.ingest.models import Batch, BatchItem, Collection, Message
from docket.vault import custody
from docket.vault.store import store

MEDIA_KEYS = ("photo", "file")
SEAL_EVERY_SECONDS = 2.0
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# `date` is the exporting computer's local time, up to 14 hours ahead of UTC
LATEST_AHEAD = timedelta(days=1)


class ExportError(Exception):
    """The folder is not a Telegram JSON export (the message says what to do)."""


@dataclass
class TelegramSummary(Summary):
    collections: int = 0
    messages: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"collections": self.collections, "messages": self.messages, **super().as_json()}


def load(export: Path) -> list[dict[str, Any]]:
    """The chats of an export: one chat's export, or a whole account's `chats.list`."""
    path = export / "result.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ExportError(
            f"{path} not found: export with Telegram Desktop in the JSON format "
            "(Settings → Advanced → Export Telegram data, or a chat's ⋮ → Export chat history, "
            "format: Machine-readable JSON)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path} is not readable JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return [data]
    chats = data.get("chats", {}).get("list") if isinstance(data, dict) else None
    if isinstance(chats, list):
        return [c for c in chats if isinstance(c, dict) and isinstance(c.get("messages"), list)]
    raise ExportError(f"{path} holds neither a chat's messages nor a list of chats")


def count_messages(chats: list[dict[str, Any]]) -> int:
    return sum(len(chat["messages"]) for chat in chats)


def text_of(message: dict[str, Any]) -> str:
    """The plain text of a message: a string, or a list of strings and formatted parts."""
    text = message.get("text", "")
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in text)
    return ""


class BadDate(ValueError):
    """A message's date that cannot be read or cannot be when a message was sent."""


def sent_at(message: dict[str, Any]) -> tuple[datetime, bool]:
    """(time, exact?): `date_unixtime` is UTC; older exports only have the exporting
    computer's local time in `date`, kept as if UTC and marked inexact."""
    try:
        unix = message.get("date_unixtime")
        if unix is not None:
            when, exact = datetime.fromtimestamp(int(unix), tz=UTC), True
        else:
            when = datetime.fromisoformat(str(message["date"])).replace(tzinfo=UTC)
            exact = False
    # a time_t too large for the platform is an OSError (EOVERFLOW), not an OverflowError
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise BadDate("unreadable date") from None
    if not EARLIEST <= when <= datetime.now(UTC) + LATEST_AHEAD:
        raise BadDate(f"date {when:%Y-%m-%d} is before 1970 or in the future")
    return when, exact


def media_path(export: Path, relative: str) -> tuple[Path | None, str]:
    """(path, "") for a media file inside the export, or (None, why not)."""
    if relative.startswith("(File ") or relative.startswith("(File"):
        return None, "not included in the export"
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        return None, "path leaves the export folder"
    path = export.joinpath(*pure.parts)
    current = export
    for part in pure.parts:
        current = current / part
        try:
            mode = current.lstat().st_mode
        except FileNotFoundError:
            return None, "missing from the export folder"
        if stat.S_ISLNK(mode):
            return None, "symbolic link (not followed)"
    if not stat.S_ISREG(path.lstat().st_mode):
        return None, "not a regular file"
    return path, ""


def messages(chats: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for chat in chats:
        for message in chat["messages"]:
            if isinstance(message, dict):
                yield chat, message


def import_export(
    export: Path,
    chats: list[dict[str, Any]],
    *,
    compartment: Compartment,
    actor: str,
    batch: Batch | None = None,
    on_message: Callable[[], object] | None = None,
) -> TelegramSummary:
    summary = TelegramSummary()
    collections: dict[int, Collection] = {}
    last_seal = time.monotonic()
    for chat, message in messages(chats):
        if on_message:
            on_message()
        if message.get("type") != "message":
            continue  # service messages: joins, pins, title changes
        chat_id = int(chat.get("id", 0))
        if chat_id not in collections:
            collections[chat_id], _ = Collection.objects.update_or_create(
                compartment=compartment,
                external_id=chat_id,
                defaults={"name": str(chat.get("name") or chat_id)[:300],
                          "kind": str(chat.get("type", ""))[:40]},
            )  # fmt: skip
            summary.collections += 1
        collection = collections[chat_id]
        label = f"{collection.name}/{message.get('id')}"
        item = None
        relative = next((str(message[k]) for k in MEDIA_KEYS if message.get(k)), "")
        if relative:
            path, reason = media_path(export, relative)
            if path is None:
                summary.skipped.append({"path": f"{label}: {relative}", "reason": reason})
            else:
                item = _store(path, label, collection, message, summary, compartment, actor)
                if item is not None and batch is not None:
                    BatchItem.objects.get_or_create(
                        batch=batch, item=item, defaults={"path": label}
                    )
        try:
            when, exact = sent_at(message)
        except BadDate as exc:
            summary.skipped.append({"path": label, "reason": f"{exc}: message not imported"})
            continue
        Message.objects.update_or_create(
            collection=collection,
            message_id=int(message.get("id", 0)),
            defaults={
                "sent_at": when,
                "sent_at_exact": exact,
                "author": str(message.get("from") or "")[:300],
                "forwarded_from": str(message.get("forwarded_from") or "")[:300],
                "text": text_of(message),
                "item": item,
            },
        )
        summary.messages += 1
        if time.monotonic() - last_seal > SEAL_EVERY_SECONDS:
            custody.seal()
            _save(batch, summary)
            last_seal = time.monotonic()
    custody.seal()
    _save(batch, summary, finished=True)
    return summary


def _store(
    path: Path,
    label: str,
    collection: Collection,
    message: dict[str, Any],
    summary: TelegramSummary,
    compartment: Compartment,
    actor: str,
) -> Any:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb", buffering=0) as handle:
            result = store(
                handle,
                actor=actor,
                compartment=compartment,
                details={"via": "import telegram", "chat": collection.name,
                         "message": message.get("id")},
            )  # fmt: skip
    except OSError as exc:
        summary.failed.append({"path": label, "error": exc.strerror or str(exc)})
        return None
    if result.created:
        summary.stored += 1
    else:
        summary.received_again += 1
    return result.item


def _save(batch: Batch | None, summary: TelegramSummary, *, finished: bool = False) -> None:
    if batch is not None:
        if finished:  # findable by chat, message and its words at once
            index_names(batch)
        summary.save_to(batch, finished=finished)
