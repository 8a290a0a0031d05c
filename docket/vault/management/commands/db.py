from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from docket.sqlcipher import convert, inuse, keys


class Command(BaseCommand):
    help = (
        "The embedded database at rest: `encrypt` a plain SQLite database with "
        "DOCKET_DATABASE_KEY, `rekey` it to a new key. Stop the server and workers first."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        encrypt = verbs.add_parser("encrypt", help="encrypt a plain database with the key")
        encrypt.add_argument(
            "--if-plain", action="store_true",
            help="do nothing, successfully, when the database is already encrypted or new",
        )  # fmt: skip
        rekey = verbs.add_parser("rekey", help="re-encrypt the database to a new key")
        rekey.add_argument(
            "--new-key-file", type=Path, metavar="FILE",
            help="read the new key from FILE (otherwise it is asked for twice)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        database, secret = self._database()
        connections.close_all()
        try:
            inuse.exclusive(database)
            if options["verb"] == "encrypt":
                if options["if_plain"] and not keys.is_plain(database):
                    self.stdout.write(f"{database} is not a plain database: nothing to do")
                    return
                convert.encrypt(database, secret)
                self.stdout.write(f"{database} is encrypted (SQLCipher 4)")
            else:
                convert.rekey(database, secret, self._new_key(options["new_key_file"]))
                self.stdout.write(
                    f"{database} is re-encrypted: set DOCKET_DATABASE_KEY to the new key"
                )
        except keys.DatabaseKeyError as exc:
            raise CommandError(str(exc)) from None

    def _database(self) -> tuple[Path, str]:
        config = settings.DATABASES["default"]
        if not str(config["ENGINE"]).endswith(("sqlite3", "sqlcipher")):
            raise CommandError(
                "only the embedded SQLite database is encrypted by Docket; put PostgreSQL on "
                "an encrypted volume"
            )
        if not settings.DATABASE_KEY:
            raise CommandError("set DOCKET_DATABASE_KEY (or DOCKET_DATABASE_KEY_FILE) first")
        database = Path(str(config["NAME"]))
        if not database.is_file():
            raise CommandError(f"no database at {database}")
        return database, settings.DATABASE_KEY

    def _new_key(self, path: Path | None) -> str:
        if path is not None:
            try:
                new = path.read_text().rstrip("\r\n")
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        elif sys.stdin.isatty():
            new = getpass.getpass("new database key: ")
            if getpass.getpass("again: ") != new:
                raise CommandError("the two keys differ: nothing changed")
        else:
            raise CommandError("give the new key with --new-key-file FILE")
        if len(new) < 12:
            raise CommandError("the new key is shorter than 12 characters: nothing changed")
        return new
