"""Files that arrive in parts, over several requests (resumable uploads: a sender's in the
intake, a staff member's from the web): each part is sealed to the vault's key as it arrives,
so no plaintext byte of it touches the disk, and the parts are read back in order, checked
against their hashes, as one stream when the file is whole.

The caller keeps the list of parts and decides, under its own lock, whether a sealed part
counts (its offset still the expected one); this module only seals and reads.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from docket.vault import age, store

READ = 1024 * 1024


class Incomplete(Exception):
    """The body ended before its announced length: nothing of it was kept."""


def seal_part(directory: Path, body: IO[bytes], length: int) -> tuple[Path, store.Sealed]:
    """Seal exactly `length` bytes read from `body` into a new file in `directory`, fsynced;
    the caller renames it into place or removes it."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="part-", suffix=".part", dir=directory)
    staged = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            sealer = store.Sealer(handle)
            remaining = length
            while remaining:
                data = body.read(min(remaining, READ))
                if not data:
                    raise Incomplete()
                sealer.write(data)
                remaining -= len(data)
            return staged, sealer.finish()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def record(sealed: store.Sealed) -> dict[str, Any]:
    """What the caller keeps of a part, in order: {"size", "sha256", "blob_sha256"}."""
    return {"size": sealed.size, "sha256": sealed.sha256, "blob_sha256": sealed.blob_sha256}


def as_sealed(part: dict[str, Any]) -> store.Sealed:
    return store.Sealed(part["sha256"], part["size"], part["blob_sha256"])


class Reader(store.ChunkReader):
    """The plaintext of sealed parts, in order, as one readable stream (for `store.store`).
    A part whose plaintext does not match its recorded hash stops the read."""

    def __init__(self, paths: list[Path], parts: list[dict[str, Any]], identity: age.Identity):
        super().__init__(self._iterate(paths, parts, identity))

    @staticmethod
    def _iterate(
        paths: list[Path], parts: list[dict[str, Any]], identity: age.Identity
    ) -> Iterator[bytes]:
        for index, (path, part) in enumerate(zip(paths, parts, strict=True)):
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in age.decrypt_chunks(handle, [identity]):
                    digest.update(chunk)
                    yield chunk
            if digest.hexdigest() != part["sha256"]:
                raise ValueError(f"part {index} ({path.name}) does not match its hash")
