"""Stage 1 of storing an imported file (docket/vault/store.py `seal`: SHA-256 of the plaintext,
encryption, SHA-256 of the ciphertext, write, fsync) in worker processes, while the importing
process commits the files sealed before it (the rows and custody entries) in their order.

Processes, not threads: the hash and AEAD calls release the GIL, but each 64 KiB chunk must take
it back, and a thread busy with the ORM keeps it for milliseconds at a time (measured: encrypting
beside Python work on two threads took as long as one after the other; in a second process it
overlaps).

A sealed file is only a staging file: nothing here reports, records or commits anything, so
the guarantees of `store` are the caller's as before (it commits and reports in order, and only
what is durable). The workers are forked when the pool starts, with the code already loaded;
they open no database connection, and they die with the importing process (PR_SET_PDEATHSIG):
a SIGKILL leaves at most their staging files, as it did the importing process's own.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any

from docket.ingest import archives
from docket.vault import store

#: Worker processes: two keep both cores of a small server busy while the importing process
#: waits on its database; more would only share the same cores and disk.
WORKERS = 2
#: Files handed to the workers ahead of the one being committed. Memory does not grow with it
#: (each worker streams its file through one buffer); only staging files wait on disk.
AHEAD = 32

_PR_SET_PDEATHSIG = 1
_progress: Any = None  # in a worker: the byte count shared with the importing process


def _started(progress: Any, parent: int) -> None:
    """In each worker: die with the importing process, and count bytes where it can see them."""
    global _progress
    _progress = progress
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(1)


def _count(n: int) -> None:
    with _progress.get_lock():
        _progress.value += n


def _seal(path: str, staged: str) -> store.Sealed | None:
    """In a worker: seal the file at `path` into the staging file `staged`; None, sealing
    nothing, when it looks like an archive (the importing process stores and unpacks those)."""
    # O_NOFOLLOW: the file may have been swapped for a link since the walk.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        head = handle.read(512)
        if archives.looks_like_archive(head):
            return None
        handle.seek(0)
        with open(staged, "r+b") as out:
            return store.seal(handle, out, on_bytes=_count)


class Sealers:
    """A pool of sealing processes; `wait` gives each file's result in the order asked for."""

    def __init__(self, workers: int = WORKERS) -> None:
        context = multiprocessing.get_context("fork")
        self._progress = context.Value("q", 0)
        self._reported = 0
        self._pool = ProcessPoolExecutor(
            max(1, min(workers, os.cpu_count() or 1)),
            mp_context=context,
            initializer=_started,
            initargs=(self._progress, os.getpid()),
        )

    def submit(self, path: os.PathLike[str] | str, staged: os.PathLike[str] | str) -> Future[Any]:
        return self._pool.submit(_seal, os.fspath(path), os.fspath(staged))

    def wait(
        self, future: Future[Any], on_bytes: Callable[[int], object] | None = None
    ) -> store.Sealed | None:
        """The file's Sealed (None: an archive, not sealed), telling `on_bytes` how far the
        workers have read meanwhile; re-raises the worker's OSError."""
        while True:
            try:
                result: store.Sealed | None = future.result(timeout=0.2)
            except TimeoutError:
                self._tell(on_bytes)
                if future.done():  # the worker's own TimeoutError (an OSError)
                    raise
                continue
            except BaseException:
                self._tell(on_bytes)
                raise
            self._tell(on_bytes)
            return result

    def _tell(self, on_bytes: Callable[[int], object] | None) -> None:
        total = self._progress.value
        if on_bytes is not None and total > self._reported:
            on_bytes(total - self._reported)
        self._reported = total

    def close(self) -> None:
        """Stop the workers (what they were sealing is left to the caller's staging files)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Sealers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
