"""Creating an instance: directories, database, keys, and the custody log's first entry."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from docket.vault import age, custody, keys, notes
from docket.vault.models import LogState


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)
    vault_public_key: str = ""
    log_verifier_key: str = ""


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def initialise(*, scrypt_log_n: int = age.DEFAULT_SCRYPT_LOG_N, migrate: bool = True) -> InitResult:
    """Create what is missing, never replace what exists (a replaced key loses the vault).
    `migrate=False` for a database known to be migrated already (the tests')."""
    result = InitResult()
    needs_keys = not Path(settings.VAULT_IDENTITY_FILE).exists() and not settings.VAULT_PUBLIC_KEY
    passphrase: str = settings.VAULT_PASSPHRASE or ""
    if needs_keys and not passphrase:
        # Said before anything is made: no database is left half set up.
        raise keys.KeyUnavailable(
            "set DOCKET_VAULT_PASSPHRASE or DOCKET_VAULT_PASSPHRASE_FILE: it protects the "
            "key that decrypts the vault, and cannot be recovered if lost"
        )
    data_dir, keys_dir = Path(settings.DATA_DIR), Path(settings.KEYS_DIR)
    _private_dir(data_dir)
    _private_dir(keys_dir)
    _private_dir(Path(settings.TMP_DIR))
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)

    secret_file = keys_dir / "secret-key"
    if not secret_file.exists() and not settings.SECRET_KEY_FROM_ENV:
        keys._write_new(secret_file, secrets.token_urlsafe(50).encode())
        result.created.append("web secret key")

    if needs_keys:
        keys.create_vault_keys(passphrase, scrypt_log_n=scrypt_log_n)
        result.created.append("vault key pair")
    result.vault_public_key = str(keys.recipient())

    if not Path(settings.LOG_SIGNING_KEY_FILE).exists():
        keys.create_signing_key()
        result.created.append("log signing key")

    with transaction.atomic():
        if not LogState.objects.filter(pk=1).exists():
            origin = settings.LOG_ORIGIN or f"docket.invalid/{secrets.token_hex(8)}"
            LogState.objects.create(pk=1, origin=origin, size=0)
            verifier = notes.verifier_key(origin, keys.signing_public_key())
            # The log's first entry commits it to its own keys.
            custody.append(
                "log initialised",
                actor="docket init",
                details={"vault_public_key": result.vault_public_key, "log_key": verifier},
            )
            result.created.append("custody log")
    from docket.accounts.models import Compartment
    from docket.vault.store import DEFAULT_COMPARTMENT

    _, made = Compartment.objects.get_or_create(
        name=DEFAULT_COMPARTMENT, defaults={"description": "created by docket init"}
    )
    if made:
        result.created.append(f"compartment {DEFAULT_COMPARTMENT!r}")
    custody.seal()
    result.log_verifier_key = notes.verifier_key(custody.origin(), keys.signing_public_key())
    return result
