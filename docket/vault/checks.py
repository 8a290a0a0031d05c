"""System checks of the vault's configuration (`docket check`, and at every start)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from docket.lib.commands import CHECKS_TAG


@register(Tags.security, CHECKS_TAG, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SECRET_KEY_FROM_ENV or (Path(settings.KEYS_DIR) / "secret-key").exists():
        return []
    return [
        Error(
            "No persistent web secret key: each process would make up its own.",
            hint="Run `docket init`, or set DOCKET_SECRET_KEY / DOCKET_SECRET_KEY_FILE.",
            id="docket.E001",
        )
    ]


@register(CHECKS_TAG)
def check_vault(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    public_file = Path(settings.KEYS_DIR) / "vault.pub"
    if not settings.VAULT_PUBLIC_KEY and not public_file.exists():
        messages.append(
            Warning(
                "This instance has no vault key yet.",
                hint="Run `docket init` (or set DOCKET_VAULT_PUBLIC_KEY on an intake host).",
                id="docket.W001",
            )
        )
    if settings.VAULT_PUBLIC_KEY:
        from docket.vault import age

        try:
            age.Recipient.parse(settings.VAULT_PUBLIC_KEY)
        except age.AgeError as exc:
            messages.append(
                Error(
                    f"DOCKET_VAULT_PUBLIC_KEY is not an age public key: {exc}",
                    hint="It looks like age1… (see keys/vault.pub of the instance).",
                    id="docket.E002",
                )
            )
    if settings.TSA_URL and not settings.TSA_URL.startswith(("http://", "https://")):
        messages.append(
            Error(
                "DOCKET_TSA_URL must be an http:// or https:// URL.",
                hint="An RFC 3161 timestamp authority, for example http://timestamp.example/tsa",
                id="docket.E003",
            )
        )
    return messages


@register(Tags.security, CHECKS_TAG, deploy=True)
def check_database_at_rest(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A server seized switched off must not give up the register (docs/threat-model.md)."""
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if not engine.endswith("sqlite3"):
        return []
    return [
        Warning(
            "The SQLite database is not encrypted at rest: a server seized switched off gives "
            "up the register, the search index and who did what.",
            hint="Set DOCKET_DATABASE_KEY (or _FILE) and run `docket db encrypt` (docs/keys.md).",
            id="docket.W002",
        )
    ]
