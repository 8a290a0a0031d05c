"""A whole Docket instance in a temporary directory, used only through the real `docket`
command, as an operator would.

`docket init` (migrations, keys, the custody log's first checkpoint) runs once per test run
and worker; each test gets a copy of that instance: its directory copied, and on PostgreSQL a
database made from the template's. A test that needs an instance set up otherwise (another
database key, other settings at init) makes its own with `Instance.create`."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PASSPHRASE = "a test passphrase, not a real one"


class Instance:
    """A Docket instance in a temporary directory, used only through the `docket` command."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    @classmethod
    def environment(cls, root: Path, database_url: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
        env["DOCKET_DATA_DIR"] = str(root)
        env["DOCKET_VAULT_PASSPHRASE"] = PASSPHRASE
        env["PYTHONUNBUFFERED"] = "1"
        env["DOCKET_ENRICH_ON_STORE"] = "false"
        if database_url:
            env["DOCKET_DATABASE_URL"] = database_url
        return env

    @classmethod
    def create(cls, root: Path, database_url: str | None = None) -> Instance:
        """A new instance, initialised by `docket init` (a cheap key derivation for tests)."""
        created = cls(root, cls.environment(root, database_url))
        created.run("init", "--scrypt-work-factor", "10")
        return created

    def copy(self, root: Path, database_url: str | None) -> Instance:
        """This instance's files and database, as a new instance of their own."""
        shutil.copytree(self.root, root, symlinks=True)
        return Instance(root, self.environment(root, database_url))

    def run(
        self,
        *args: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(
            [sys.executable, "-m", "docket", *args],
            env=env or self.env,
            capture_output=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"docket {' '.join(args)} exited {result.returncode}:\n"
                + result.stderr.decode(errors="replace")
            )
        return result

    def json(self, *args: str, check: bool = True) -> Any:
        return json.loads(self.run(*args, check=check).stdout)

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "docket", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )


def postgres_url() -> str | None:
    """The server the suite runs against (scripts/with-postgres.sh), or None on SQLite."""
    url = os.environ.get("DOCKET_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str | None]:
    """A new database on the suite's PostgreSQL server (a copy of `template` if given), dropped
    after; None on SQLite."""
    url = postgres_url()
    if url is None:
        yield None
        return
    import psycopg

    name = "docket_cli_" + secrets.token_hex(4)
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy_of}')
    try:
        yield urlunsplit(urlsplit(url)._replace(path="/" + name))
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_name(url: str | None) -> str | None:
    return urlsplit(url).path.lstrip("/") if url else None
