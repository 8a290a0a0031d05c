"""A public process holds no private key: whatever faces senders (`docket serve --intake-only`,
the Telegram bot, the e-mail poller) runs with the vault's public key only, so that a seized or
broken-into intake host opens no report (docs/intake.md). The vault passphrase is what opens
the private key; such a process refuses to start with it.

The settings (for DOCKET_INTAKE_ONLY and `docket serve --intake-only`) and the bot's and the
poller's command ask here, so the rule and its message are written once. It imports nothing
of Docket: the settings call it while they load.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


def refuse_private_key(process: str, passphrase: str | None) -> None:
    """Stop `process` (named for the message) from starting if it was given the passphrase."""
    if passphrase:
        raise ImproperlyConfigured(
            f"{process} must not hold the vault passphrase: unset DOCKET_VAULT_PASSPHRASE and "
            "DOCKET_VAULT_PASSPHRASE_FILE (it faces senders and holds only the vault's public "
            "key; decrypting, replies and assembly are done by the worker on the staff host)"
        )
