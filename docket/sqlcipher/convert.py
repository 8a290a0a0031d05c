"""Encrypting a plain database and changing the key (`docket db encrypt | rekey`).

Both copy the whole database into a new file with `sqlcipher_export`, then put it in place of
the old one with an atomic rename; the salt stays the database's own. The old file's blocks
may still be on the disk afterwards (a file system or an SSD keeps what it likes): encrypting
a database that already held evidence does not make the disk clean, an encrypted volume does.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3.dbapi2 as Database

from docket.sqlcipher import keys


def encrypt(database: Path, secret: str) -> None:
    """Turn the plain SQLite file `database` into one encrypted with `secret`."""
    if not keys.is_plain(database):
        raise keys.DatabaseKeyError(f"{database} is not a plain SQLite database")
    salt = keys.salt(database, create=True)
    _export(database, None, keys.raw_key(secret, salt))


def rekey(database: Path, old: str, new: str) -> None:
    """Re-encrypt `database` from the key `old` to the key `new`."""
    if keys.is_plain(database):
        raise keys.DatabaseKeyError(f"{database} is not encrypted: use `docket db encrypt`")
    salt = keys.salt(database, create=False)
    _export(database, keys.raw_key(old, salt), keys.raw_key(new, salt))


def _export(database: Path, old_key: str | None, new_key: str) -> None:
    target = database.with_name(database.name + ".new")
    target.unlink(missing_ok=True)
    source = Database.connect(str(database), isolation_level=None)
    try:
        source.execute("PRAGMA cipher_log_level = NONE")
        if old_key is not None:
            source.execute(keys.pragma(old_key))
        try:
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except Database.DatabaseError:
            raise keys.DatabaseKeyError(f"the current key does not open {database}") from None
        source.execute(f"ATTACH DATABASE ? AS fresh KEY \"x'{new_key}'\"", (str(target),))
        source.execute("SELECT sqlcipher_export('fresh')").fetchone()
        version = source.execute("PRAGMA main.user_version").fetchone()[0]
        source.execute(f"PRAGMA fresh.user_version = {int(version)}")
        source.execute("DETACH DATABASE fresh")
    finally:
        source.close()
    os.chmod(target, 0o600)
    _sync(target)
    os.replace(target, database)
    for suffix in ("-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    _sync(database.parent)


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
