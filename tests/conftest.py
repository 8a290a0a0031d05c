"""Shared fixtures: an in-process vault in the test database, a whole instance driven through
the real `docket` command, the personas, and a vault that enriches what it stores. What they
are made of lives in tests/support/."""

from __future__ import annotations

import compileall
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.enriching import Enriching
from tests.support.instance import PASSPHRASE, Instance, database_name, postgres_database
from tests.support.personas import Team, make_team


def pytest_sessionstart(session: pytest.Session) -> None:
    # The suite starts the real `docket` command hundreds of times. Where the environment sets
    # PYTHONDONTWRITEBYTECODE (as many containers do), each of those processes would compile
    # Docket's modules again, about 0.3 s apiece; compile them once, before the workers start.
    if not hasattr(session.config, "workerinput"):
        compileall.compile_dir(Path(__file__).parent.parent / "docket", quiet=1)


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

    initialise(scrypt_log_n=10, migrate=False)  # pytest-django migrated the test database
    return tmp_path


@pytest.fixture(scope="session")
def instance_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """One initialised instance per test run and worker, copied for each test."""
    with postgres_database() as database_url:
        yield Instance.create(tmp_path_factory.mktemp("template") / "instance", database_url)


@pytest.fixture
def instance(instance_template: Instance, tmp_path: Path) -> Iterator[Instance]:
    """An initialised instance of the test's own (a copy of the run's template)."""
    template_db = database_name(instance_template.env.get("DOCKET_DATABASE_URL"))
    with postgres_database(template=template_db) as database_url:
        yield instance_template.copy(tmp_path / "instance", database_url)


@pytest.fixture
def team(vault: Path) -> Team:
    return make_team()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The bundled Whisper model is joined from its two halves once per test session. The model
    # process reads it as nobody, as it reads DOCKET_MODELS_DIR in production.
    path = tmp_path_factory.mktemp("models")
    path.chmod(0o755)
    return path


@pytest.fixture
def sandbox_dir() -> Iterator[Path]:
    """A sandbox directory of the test's own, outside pytest's private temporary folders (the
    parsers run as nobody and must reach it)."""
    path = Path(tempfile.mkdtemp(prefix="docket-test-sandbox-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def enriching(
    settings: Any,
    vault: Path,
    models_dir: Path,
    sandbox_dir: Path,
    django_capture_on_commit_callbacks: Any,
) -> Enriching:
    settings.ENRICH_ON_STORE = True
    settings.MODELS_DIR = models_dir
    settings.SANDBOX_DIR = sandbox_dir
    return Enriching(vault, django_capture_on_commit_callbacks)
