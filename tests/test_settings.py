"""Configuration: typed variables with clear errors, secrets from files, a clean deploy check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from docket.lib import env
from tests.support.instance import Instance


def test_a_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKET_HTTPS", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DOCKET_HTTPS must be true or false"):
        env.env_bool("DOCKET_HTTPS", False)


def test_a_secret_is_read_from_its_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("from-a-file\n")
    monkeypatch.setenv("DOCKET_SECRET_KEY_FILE", str(tmp_path / "secret"))
    assert env.env_secret("DOCKET_SECRET_KEY") == "from-a-file"
    monkeypatch.setenv("DOCKET_SECRET_KEY", "direct")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env.env_secret("DOCKET_SECRET_KEY")


def test_an_unknown_database_scheme_stops_the_command(instance: Instance) -> None:
    result = instance.run(
        "check", check=False, env={**instance.env, "DOCKET_DATABASE_URL": "mysql://x@y/z"}
    )
    assert result.returncode == 2
    assert b"DOCKET_DATABASE_URL must be sqlite" in result.stderr


def test_an_unknown_storage_scheme_stops_the_command(instance: Instance) -> None:
    result = instance.run(
        "check", check=False, env={**instance.env, "DOCKET_STORAGE_URL": "ftp://host/x"}
    )
    assert result.returncode == 2
    assert b"DOCKET_STORAGE_URL must start with file:// or s3://" in result.stderr


def test_deploy_check_is_clean_with_production_settings(instance: Instance, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(os.urandom(40).hex())
    production = {
        **instance.env,
        "DOCKET_HTTPS": "true",
        "DOCKET_ALLOWED_HOSTS": "docket.example.org",
        "DOCKET_SECRET_KEY_FILE": str(secret),
    }
    if "DOCKET_DATABASE_URL" not in instance.env:
        # Production on SQLite means an encrypted database (docket.W002 otherwise).
        production["DOCKET_DATABASE_KEY"] = "a production database key"
        instance.run("db", "encrypt", env=production)
    result = instance.run("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert b"System check identified no issues" in result.stdout


def test_deploy_check_flags_plain_http(instance: Instance) -> None:
    result = instance.run("check", "--deploy", "--fail-level", "WARNING", check=False)
    assert result.returncode != 0
    assert b"security.W004" in result.stderr  # no HSTS without DOCKET_HTTPS


def test_production_stores_passwords_with_argon2() -> None:
    """The tests swap in a fast hasher (tests/conftest.py); the settings Docket runs with, and
    every `docket` command the tests start, keep Argon2."""
    from docket import settings as production

    assert production.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_an_unknown_enricher_name_stops_start_up(instance: Instance) -> None:
    typo = {**instance.env, "DOCKET_ENRICHERS": "metadata,ocrr"}
    refused = instance.run("worker", "--until-idle", env=typo, check=False)
    assert refused.returncode != 0
    assert b"docket.E103" in refused.stderr and b"ocrr" in refused.stderr
    fine = {**instance.env, "DOCKET_ENRICHERS": "metadata,ocr"}
    assert instance.run("worker", "--until-idle", env=fine).returncode == 0


def test_an_unknown_time_zone_stops_the_command(instance: Instance) -> None:
    result = instance.run(
        "check", check=False, env={**instance.env, "DOCKET_TIME_ZONE": "Europe/Minks"}
    )
    assert result.returncode == 2
    assert b"DOCKET_TIME_ZONE: 'Europe/Minks' is not a time zone name" in result.stderr
    bad = instance.run("check", check=False, env={**instance.env, "DOCKET_MATCH_KM": "-1"})
    assert bad.returncode == 2 and b"DOCKET_MATCH_KM" in bad.stderr
