"""`docket import files`: every regular file under the given paths goes into the vault.

Idempotent by content: a file already held is recorded as "received again", never stored
twice, so an interrupted import is resumed by running it again. Symbolic links and special
files (FIFOs, devices) are skipped and reported, never followed: a link can point anywhere, and
reading a FIFO blocks for ever.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docket.accounts.models import Compartment
from docket.vault import custody
from docket.vault.store import Stored, store

SEAL_EVERY_SECONDS = 2.0


@dataclass
class Found:
    path: Path
    label: str  # the path relative to the argument it was found under
    size: int


@dataclass
class Summary:
    stored: int = 0
    received_again: int = 0
    bytes: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "received_again": self.received_again,
            "bytes": self.bytes,
            "failed": self.failed,
            "skipped": self.skipped,
        }


def walk(paths: list[Path], summary: Summary) -> Iterator[Found]:
    """Regular files under `paths`, in a stable order; problems go to the summary."""
    for root in paths:
        try:
            info = root.lstat()
        except OSError as exc:
            summary.failed.append({"path": str(root), "error": exc.strerror or str(exc)})
            continue
        if stat.S_ISREG(info.st_mode):
            yield Found(root, root.name, info.st_size)
        elif stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(root, summary)
        else:
            summary.skipped.append({"path": str(root), "reason": _kind(info.st_mode)})


def _walk_dir(root: Path, summary: Summary) -> Iterator[Found]:
    def on_error(exc: OSError) -> None:
        summary.failed.append({"path": str(exc.filename), "error": exc.strerror or str(exc)})

    for directory, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory, name)
            try:
                info = path.lstat()
            except OSError as exc:
                summary.failed.append({"path": str(path), "error": exc.strerror or str(exc)})
                continue
            if stat.S_ISREG(info.st_mode):
                yield Found(path, str(path.relative_to(root.parent)), info.st_size)
            else:
                summary.skipped.append({"path": str(path), "reason": _kind(info.st_mode)})


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link (not followed)"
    return "not a regular file"


def import_files(
    files: list[Found],
    summary: Summary,
    *,
    actor: str,
    compartment: Compartment | None = None,
    on_stored: Callable[[Found, Stored], None] | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> Summary:
    """Store each file; report each one only once it is durable; seal checkpoints as we go."""
    last_seal = time.monotonic()
    for found in files:
        try:
            # O_NOFOLLOW: the file may have been swapped for a link since the walk.
            fd = os.open(found.path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb", buffering=0) as handle:
                result = store(
                    handle,
                    actor=actor,
                    compartment=compartment,
                    details={"via": "import files", "path": found.label},
                    on_bytes=on_progress,
                )
        except OSError as exc:
            summary.failed.append({"path": str(found.path), "error": exc.strerror or str(exc)})
            continue
        if result.created:
            summary.stored += 1
            summary.bytes += result.item.size
        else:
            summary.received_again += 1
        if on_stored:
            on_stored(found, result)
        if time.monotonic() - last_seal > SEAL_EVERY_SECONDS:
            custody.seal()
            last_seal = time.monotonic()
    custody.seal()
    return summary
