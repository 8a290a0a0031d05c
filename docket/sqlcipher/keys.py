"""Turning DOCKET_DATABASE_KEY into the raw key SQLCipher is given (see the package policy)."""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from pathlib import Path

#: scrypt's cost: about a tenth of a second, once per process.
SCRYPT_N = 2**15
SALT_BYTES = 16
#: The first bytes of every plain SQLite file (an encrypted one starts with random bytes).
PLAIN_HEADER = b"SQLite format 3\x00"


class DatabaseKeyError(Exception):
    """The database and the key given do not go together: the message says how."""


def salt_path(database: Path) -> Path:
    return database.with_name(database.name + ".salt")


def salt(database: Path, *, create: bool) -> bytes:
    """The database's salt, made (0600, written durably) when `create` and there is none."""
    path = salt_path(database)
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        if not create:
            raise DatabaseKeyError(
                f"{path} is missing: without it the database key cannot be derived "
                "(restore it from the backup it was kept with)"
            ) from None
        return _new_salt(path)
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != SALT_BYTES:
        raise DatabaseKeyError(f"{path} does not hold a salt ({SALT_BYTES} bytes in hex)")
    return value


def _new_salt(path: Path) -> bytes:
    value = secrets.token_bytes(SALT_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return value


@functools.cache
def raw_key(secret: str, salt: bytes) -> str:
    """The 256-bit key, in hex, that SQLCipher takes as it is (no PBKDF2 per connection)."""
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=8, p=1, maxmem=64 * 1024**2, dklen=32
    ).hex()


def pragma(hex_key: str, *, schema: str = "main") -> str:
    return f"PRAGMA {schema}.key = \"x'{hex_key}'\""


def is_plain(database: Path) -> bool:
    """Whether the file is an unencrypted SQLite database (False for a missing or empty one)."""
    try:
        with open(database, "rb") as handle:
            return handle.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False
