"""Who has the embedded database open: every process that connects to a SQLite file holds a
shared lock on `NAME.lock` beside it for as long as it lives; `docket db encrypt | rekey`
takes it exclusively, so that they never replace a file another process still writes to (its
writes would go to the old file and be lost)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from django.db import OperationalError

from docket.sqlcipher.keys import DatabaseKeyError

BUSY = "is being encrypted or re-keyed (`docket db`): try again after it"

#: database path -> the descriptor of its lock file, held until the process ends.
_held: dict[Path, int] = {}


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _descriptor(database: Path) -> int:
    if database not in _held:
        _held[database] = os.open(
            lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
        )
    return _held[database]


def share(database: Path) -> None:
    """Hold a shared lock (once per process); an error, not a wait, while one is converting
    the database: a connection opened now would be on the file about to be replaced."""
    if database in _held:
        return
    descriptor = _descriptor(database)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(_held.pop(database))
        raise OperationalError(f"{database} {BUSY}") from None


def exclusive(database: Path) -> None:
    """Take the lock alone, or say that other processes have the database open."""
    try:
        fcntl.flock(_descriptor(database), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise DatabaseKeyError(
            f"{database} is open in another process (the server, a worker, a command): stop "
            "them first"
        ) from None


def on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Django's `connection_created`: SQLite files only, not the tests' in-memory ones."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    share(Path(str(connection.settings_dict["NAME"])))
