"""Django's SQLite backend on SQLCipher: the same SQL, features and converters, every
connection opened with the raw key first (see the package policy)."""

from __future__ import annotations

import datetime
import decimal
import secrets
from collections.abc import Mapping
from itertools import tee
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as Database
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3 import base as sqlite
from django.db.backends.sqlite3._functions import register as register_functions
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from docket.sqlcipher import keys

# What Django registers on the standard library's sqlite3 module, on SQLCipher's.
Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite.decoder(parse_date))
Database.register_converter("time", sqlite.decoder(parse_time))
Database.register_converter("datetime", sqlite.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, sqlite.adapt_date)  # type: ignore[attr-defined]
Database.register_adapter(datetime.datetime, sqlite.adapt_datetime)  # type: ignore[attr-defined]


#: An in-memory database (the tests') lives and dies with the process: no salt file.
_MEMORY_SALT = secrets.token_bytes(keys.SALT_BYTES)


class CursorWrapper(Database.Cursor):
    """Django's query-style conversion (`%s` and `%(name)s`) on a SQLCipher cursor."""

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peek, param_list = tee(iter(param_list))
        first = next(peek, None)
        names = list(first) if first and isinstance(first, Mapping) else None
        return super().executemany(self.convert_query(query, param_names=names), param_list)

    convert_query = sqlite.SQLiteCursorWrapper.convert_query  # type: ignore[attr-defined]


class DatabaseWrapper(sqlite.DatabaseWrapper):
    vendor = "sqlite"
    display_name = "SQLite (SQLCipher)"
    Database = Database

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = Path(str(self.settings_dict["NAME"]))
        salt = _MEMORY_SALT if self.is_in_memory_db() else _salt(name)
        conn = Database.connect(**conn_params)
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our error to report
        conn.execute(keys.pragma(keys.raw_key(str(self.settings_dict["KEY"]), salt)))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Database.DatabaseError:
            conn.close()
            raise ImproperlyConfigured(
                f"DOCKET_DATABASE_KEY does not open {name}: the key is wrong (or the salt file "
                f"{keys.salt_path(name).name} is not this database's)"
            ) from None
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:  # type: ignore[attr-defined]
            if init_command := init_command.strip():
                conn.execute(init_command)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)


#: Each file's salt, read once per process with the check that the file is not plain (a
#: connection is opened per request; the file cannot be converted under a process holding it,
#: docket/sqlcipher/inuse.py).
_salts: dict[Path, bytes] = {}


def _salt(name: Path) -> bytes:
    if name not in _salts:
        if keys.is_plain(name):
            raise ImproperlyConfigured(
                f"{name} is not encrypted but DOCKET_DATABASE_KEY is set: encrypt it with "
                "`docket db encrypt` (or unset the key)"
            )
        try:
            _salts[name] = keys.salt(name, create=not _exists(name))
        except keys.DatabaseKeyError as exc:
            raise ImproperlyConfigured(str(exc)) from None
    return _salts[name]


def _exists(name: Path) -> bool:
    try:
        return name.stat().st_size > 0
    except FileNotFoundError:
        return False
