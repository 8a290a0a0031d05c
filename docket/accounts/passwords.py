"""One-time passwords for new staff accounts: shown once, replaced at first login."""

from __future__ import annotations

import secrets
import string

# Letters and digits only: nothing a terminal, a chat or a double-click splits or drops.
ALPHABET = string.ascii_letters + string.digits


def one_time_password(groups: int = 4, size: int = 6) -> str:
    """About 143 bits in four groups of six, e.g. `Xs3hjy-TMdVzR-JqI81a-QIo8J5`."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))
