"""The instance's keys and how a process gets at them.

- The vault key pair (age X25519). The public key (`keys/vault.pub`, or DOCKET_VAULT_PUBLIC_KEY)
  is all a process needs to store files. The identity that decrypts them is kept only
  encrypted with the passphrase (`keys/vault-identity.age`, age's scrypt format); a process
  without DOCKET_VAULT_PASSPHRASE cannot read anything, by design: the public intake process
  runs that way.
- The log signing key (Ed25519, `keys/log-signing.key`) signs custody checkpoints. It cannot
  decrypt anything; a process that appends custody entries seals them with it.
Losing the passphrase or the identity file loses every original: docs/keys.md says what to
back up.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from docket.vault import age


class KeyUnavailable(RuntimeError):
    """A key this operation needs is not available to this process; the message says why."""


def public_key_path() -> Path:
    return Path(settings.KEYS_DIR) / "vault.pub"


def recipient() -> age.Recipient:
    text = settings.VAULT_PUBLIC_KEY
    if not text:
        path = public_key_path()
        if not path.exists():
            raise KeyUnavailable(
                f"no vault public key: run `docket init` or set DOCKET_VAULT_PUBLIC_KEY ({path})"
            )
        text = path.read_text()
    return age.Recipient.parse(text)


@functools.cache
def _identity_cached(path: str, passphrase: str) -> age.Identity:
    encrypted = Path(path).read_bytes()
    try:
        plain = age.decrypt_bytes(encrypted, passphrase=passphrase.encode())
    except age.NoIdentityError:
        raise KeyUnavailable("DOCKET_VAULT_PASSPHRASE does not open the vault identity") from None
    return age.Identity.parse(plain.decode())


def identity() -> age.Identity:
    path = Path(settings.VAULT_IDENTITY_FILE)
    if settings.INTAKE_ONLY:
        raise KeyUnavailable("the public intake process never decrypts (DOCKET_INTAKE_ONLY)")
    if not settings.VAULT_PASSPHRASE:
        raise KeyUnavailable(
            "this process holds only the vault's public key and cannot decrypt: "
            "set DOCKET_VAULT_PASSPHRASE or DOCKET_VAULT_PASSPHRASE_FILE"
        )
    if not path.exists():
        raise KeyUnavailable(f"this process has no vault identity file ({path}); it cannot decrypt")
    found = _identity_cached(str(path), settings.VAULT_PASSPHRASE)
    if found.recipient() != recipient():
        raise KeyUnavailable("the vault identity does not match the vault public key")
    return found


def _write_new(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create a key file; never overwrite one (losing a key loses the vault)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def create_vault_keys(passphrase: str, *, scrypt_log_n: int = age.DEFAULT_SCRYPT_LOG_N) -> str:
    new = age.Identity.generate()
    protected = age.encrypt_bytes(
        f"# Docket vault identity\n{new}\n".encode(),
        passphrase=passphrase.encode(),
        scrypt_log_n=scrypt_log_n,
    )
    _write_new(Path(settings.VAULT_IDENTITY_FILE), protected)
    public = str(new.recipient())
    _write_new(public_key_path(), (public + "\n").encode(), 0o644)
    return public


def signing_key() -> Ed25519PrivateKey:
    path = Path(settings.LOG_SIGNING_KEY_FILE)
    if not path.exists():
        raise KeyUnavailable(f"no log signing key ({path}): run `docket init`")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnavailable(f"{path} is not an Ed25519 key")
    return key


def signing_public_key() -> bytes:
    return signing_key().public_key().public_bytes_raw()


def create_signing_key() -> bytes:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_new(Path(settings.LOG_SIGNING_KEY_FILE), pem)
    return key.public_key().public_bytes_raw()
