from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def intake(vault: Path, settings: Any) -> Path:
    """A vault with a cheap receipt hash (the real cost, 64 MiB × 3, is for production) and
    no disk reserve (test machines have little space)."""
    settings.RECEIPT_ARGON2_MEMORY_KIB = 1024
    settings.RECEIPT_ARGON2_TIME = 1
    settings.INTAKE_DISK_RESERVE_MB = 0
    return vault
