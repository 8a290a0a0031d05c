"""Shared fixtures: an in-process vault in the test database, and a whole instance driven
through the real `docket` command (its own database: a fresh one on PostgreSQL runs)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from docket.accounts.models import Compartment, Grant, Role, User

STAFF_PASSWORD = "a long staff password 42"
PASSPHRASE = "a test passphrase, not a real one"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 costs a quarter of a second per password by design; the tests make hundreds of
    # accounts. Production keeps Argon2 (tests/test_settings.py checks it); the login flows
    # tested here do not depend on which hasher stores the password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_enrichment_unless_asked(settings: Any) -> None:
    # Enrichment runs OCR and speech-to-text on every stored file: the tests of other parts
    # would spend minutes on it. tests/enrich switches it back on.
    settings.ENRICH_ON_STORE = False


@pytest.fixture
def vault(settings: Any, tmp_path: Path, db: None) -> Path:
    """An initialised vault (keys, custody log) whose files live under tmp_path."""
    keys = tmp_path / "keys"
    settings.DATA_DIR = tmp_path
    settings.KEYS_DIR = keys
    settings.TMP_DIR = tmp_path / "tmp"
    settings.VAULT_IDENTITY_FILE = keys / "vault-identity.age"
    settings.LOG_SIGNING_KEY_FILE = keys / "log-signing.key"
    settings.VAULT_PASSPHRASE = PASSPHRASE
    settings.VAULT_PUBLIC_KEY = None
    settings.TSA_URL = None
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {
            "BACKEND": "docket.lib.storage.DurableFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "vault")},
        },
    }
    from docket.vault.instance import initialise

    initialise(scrypt_log_n=10)
    return tmp_path


class Instance:
    """A Docket instance in a temporary directory, used only through the `docket` command."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

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


def _postgres_database() -> Iterator[str | None]:
    url = os.environ.get("DOCKET_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    name = "docket_cli_" + secrets.token_hex(4)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(tmp_path / "instance")
    env["DOCKET_VAULT_PASSPHRASE"] = PASSPHRASE
    env["PYTHONUNBUFFERED"] = "1"
    env["DOCKET_ENRICH_ON_STORE"] = "false"
    for database_url in _postgres_database():
        if database_url:
            env["DOCKET_DATABASE_URL"] = database_url
        created = Instance(tmp_path / "instance", env)
        created.run("init", "--scrypt-work-factor", "10")
        yield created


def write_files(root: Path, sizes: dict[str, int], seed: int = 1) -> dict[str, bytes]:
    """Files of the given sizes with distinct random content; returns name -> content."""
    import random

    rng = random.Random(seed)
    made = {}
    for name, size in sizes.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = rng.randbytes(size)
        path.write_bytes(data)
        made[name] = data
    return made


@dataclass
class Team:
    """Two compartments and the people of the style guide: an owner (analyst in A), a
    teammate with another role (intake in A), an auditor of A, an outsider (analyst in B)."""

    a: Compartment
    b: Compartment
    owner: User
    teammate: User
    auditor: User
    outsider: User


def person(name: str, compartment: Compartment, role: str) -> User:
    user = User.objects.create_user(name, password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=compartment, role=role)
    return user


@pytest.fixture
def team(vault: Path) -> Team:
    a = Compartment.objects.create(name="okr-casefiles")
    b = Compartment.objects.create(name="hrodna-casefiles")
    return Team(
        a=a,
        b=b,
        owner=person("owner", a, Role.ANALYST),
        teammate=person("teammate", a, Role.INTAKE),
        auditor=person("auditor", a, Role.AUDITOR),
        outsider=person("outsider", b, Role.ANALYST),
    )


def log_in(client: Any, user: User) -> None:
    """A staff session as the real login leaves it: password and second factor passed."""
    import time

    from docket.accounts.second_factor import VERIFIED_AT

    client.force_login(user)
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()
