"""Durable blob storage behind Django's Storage API.

The vault writes each encrypted blob to a staging file, fsyncs it, then hands it here to be
committed under its final name. For a local directory the commit is a rename followed by an
fsync of the directory, so after a crash a blob is either whole under its final name or absent;
for S3-compatible stores it is one PUT (multipart for large files), durable once it returns.
A caller may give the times a local blob file records (the intake gives the hour only); an S3
store records the upload's own time and offers no way to change it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _makedirs_durably(path: Path) -> None:
    """Create missing directories and fsync each parent, so the new names survive a crash."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=0o700)
        fsync_dir(directory.parent)


class DurableFileSystemStorage(FileSystemStorage):
    """A local directory where a committed file has been renamed into place and fsynced."""

    def staging_dir(self) -> Path:
        # Inside the vault directory so the commit is a rename on one file system.
        path = Path(self.location) / ".staging"
        _makedirs_durably(path)
        return path

    def commit(
        self, staged: Path, name: str, *, times: datetime | None = None, sync: bool = True
    ) -> None:
        """sync=False leaves the directory's fsync to the caller (`sync_dirs`, once for a
        batch): the blob is not durable, and must not be reported, until then."""
        target = Path(self.path(name))
        _makedirs_durably(target.parent)
        if target.exists():
            raise FileExistsError(f"vault blob {name} exists already")
        if times is not None:
            # Set before the rename, which keeps them, so that no crash leaves the finer time.
            # The inode's change time (ctime) cannot be set; the directory's times are set too.
            stamp = times.timestamp()
            os.utime(staged, (stamp, stamp))
        os.replace(staged, target)
        if times is not None:
            os.utime(target.parent, (times.timestamp(), times.timestamp()))
        if sync:
            fsync_dir(target.parent)

    def sync_dirs(self, names: list[str]) -> None:
        """fsync each directory the named blobs were committed to, once."""
        for directory in sorted({Path(self.path(name)).parent for name in names}):
            fsync_dir(directory)

    def stray_names(self) -> Iterator[str]:
        """Every stored name, for finding blobs that no item owns."""
        root = Path(self.location)
        for path in root.rglob("*"):
            if path.is_file() and ".staging" not in path.relative_to(root).parts:
                yield str(path.relative_to(root))


class BlobStore:
    """The vault's view of its storage: stage a file, commit it, read it back."""

    def __init__(self, storage: Storage, staging_dir: Path) -> None:
        self.storage = storage
        self._staging_dir = staging_dir

    @classmethod
    def default(cls) -> BlobStore:
        from django.conf import settings

        return cls(storages["vault"], Path(settings.TMP_DIR))

    def staging_dir(self) -> Path:
        if isinstance(self.storage, DurableFileSystemStorage):
            return self.storage.staging_dir()
        _makedirs_durably(self._staging_dir)
        return self._staging_dir

    @contextlib.contextmanager
    def staged_file(self) -> Iterator[tuple[Path, IO[bytes]]]:
        """A new staging file; removed on exit unless it was committed (moved away)."""
        fd, name = tempfile.mkstemp(prefix="blob-", suffix=".part", dir=self.staging_dir())
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield path, handle
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def commit(
        self, staged: Path, name: str, *, times: datetime | None = None, sync: bool = True
    ) -> None:
        """Commit a staged file as `name`. `times`, when given, becomes a local file's access
        and modification times; an S3-compatible store sets its own and cannot be told.
        sync=False: a local blob is durable only once `sync_dirs` has been called for it (an
        S3 PUT is durable when it returns either way)."""
        if isinstance(self.storage, DurableFileSystemStorage):
            self.storage.commit(staged, name, times=times, sync=sync)
            return
        if self.storage.exists(name):
            raise FileExistsError(f"vault blob {name} exists already")
        with staged.open("rb") as handle:
            saved = self.storage.save(name, File(handle, name=name))
        if saved != name:  # the backend renamed it: refuse rather than lose track of it
            self.storage.delete(saved)
            raise FileExistsError(f"storage renamed blob {name} to {saved}")

    def sync_dirs(self, names: list[str]) -> None:
        """Make blobs committed with sync=False durable (one fsync per directory)."""
        if isinstance(self.storage, DurableFileSystemStorage):
            self.storage.sync_dirs(names)

    def open(self, name: str) -> IO[Any]:
        return self.storage.open(name, "rb")

    def exists(self, name: str) -> bool:
        return self.storage.exists(name)

    def delete(self, name: str) -> None:
        self.storage.delete(name)

    def names(self) -> Iterator[str]:
        if isinstance(self.storage, DurableFileSystemStorage):
            yield from self.storage.stray_names()
            return
        yield from _walk(self.storage, "")


def _walk(storage: Storage, prefix: str) -> Iterator[str]:
    dirs, files = storage.listdir(prefix)
    for name in files:
        yield f"{prefix}{name}"
    for directory in dirs:
        yield from _walk(storage, f"{prefix}{directory}/")
