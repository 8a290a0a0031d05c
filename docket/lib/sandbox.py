"""The sandbox every parser of an untrusted file runs in (docs/design.md §2.5).

Policy: a hostile file never takes the worker down, never reaches the network and never writes
outside its job's directory; it ends in a clear error that is recorded on the item.

How: each job gets a fresh private directory (`Box`). A parser runs there as a subprocess:
- with limits on CPU seconds, address space, the size of any file it writes, open files and
  processes (setrlimit), and a wall-clock timeout after which its whole process group is killed;
- in a new network namespace with nothing but a loopback that is down, where the worker runs
  as root (`unshare --net`) or may make one as a user (`unshare --user --net`);
- as the unprivileged user `nobody` when the worker is root (`setpriv`), so a parser that is
  taken over cannot read the vault's keys;
- with an empty environment but PATH, a UTF-8 locale and HOME/TMPDIR in the box;
- with stdout and stderr written to files in the box, so the file-size limit bounds them too.
The box is removed when the job is done, whatever happened in it.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

NOBODY = 65534
#: How much of a parser's stdout is read back; more is an error, not a silent cut.
MAX_OUTPUT_BYTES = 64 * 1024**2


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 600
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 4 * 1024**3
    open_files: int = 256
    processes: int = 512
    wall_seconds: float = 900.0

    @classmethod
    def default(cls) -> Limits:
        from django.conf import settings

        return cls(
            cpu_seconds=settings.SANDBOX_CPU_SECONDS,
            memory_bytes=settings.SANDBOX_MEMORY_MB * 1024**2,
            file_bytes=settings.SANDBOX_FILE_MB * 1024**2,
            wall_seconds=float(settings.SANDBOX_WALL_SECONDS),
        )

    def but(self, **changes: float | int) -> Limits:
        return replace(self, **changes)  # type: ignore[arg-type]


class SandboxError(Exception):
    """A parser failed on a file: the message says how, for the item's record."""


@dataclass(frozen=True)
class Completed:
    stdout: bytes
    stderr: bytes
    seconds: float


class Box:
    """A fresh directory for one job's parsers (use `box()`)."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits

    def put(self, name: str, chunks: Iterable[bytes]) -> Path:
        """Write an input file into the box (the vault's decrypted bytes, say)."""
        target = self.path / name
        with open(target, "xb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        _hand_over(target)
        return target

    def copy(self, source: Path, name: str) -> Path:
        target = self.path / name
        shutil.copyfile(source, target)
        _hand_over(target)
        return target

    def mkdir(self, name: str) -> Path:
        target = self.path / name
        target.mkdir()
        _hand_over(target)
        return target

    def run(
        self, argv: list[str], *, limits: Limits | None = None, stdin: bytes | None = None
    ) -> Completed:
        """Run one parser in the box; SandboxError unless it exits 0 within its limits."""
        limits = limits or self.limits
        name = Path(argv[0]).name
        stamp = f"{time.monotonic_ns()}"
        out_path, err_path = self.path / f".out-{stamp}", self.path / f".err-{stamp}"
        started = time.monotonic()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            _hand_over(out_path)
            _hand_over(err_path)
            process = subprocess.Popen(
                [*isolation(), *argv],
                cwd=self.path,
                env=_environment(self.path),
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, killed as a whole
                preexec_fn=functools.partial(_set_limits, limits),
                close_fds=True,
            )
            try:
                process.communicate(stdin, timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                raise SandboxError(
                    f"{name} stopped after {limits.wall_seconds:g} s (wall-clock limit)"
                ) from None
            finally:
                _kill_group(process)  # anything it left running in the background
        seconds = time.monotonic() - started
        stderr = _read_capped(err_path)
        if process.returncode != 0:
            raise SandboxError(_failure(name, process.returncode, stderr, limits))
        if out_path.stat().st_size > MAX_OUTPUT_BYTES:
            raise SandboxError(f"{name} wrote more than {MAX_OUTPUT_BYTES} bytes of output")
        stdout = out_path.read_bytes()
        out_path.unlink()
        err_path.unlink()
        return Completed(stdout, stderr, seconds)

    def python(self, module: str, *args: str, limits: Limits | None = None) -> Completed:
        """Run one of Docket's own pure-Python parsers (an archive reader) in the box."""
        return self.run([sys.executable, "-I", "-m", module, *args], limits=limits)


@contextmanager
def box(limits: Limits | None = None) -> Iterator[Box]:
    """A fresh private directory under DOCKET_SANDBOX_DIR, removed afterwards."""
    from django.conf import settings

    parent = Path(settings.SANDBOX_DIR)
    parent.mkdir(parents=True, exist_ok=True)
    # Traversable, not listable: box names are not for other local users to see.
    parent.chmod(0o711)
    path = Path(tempfile.mkdtemp(prefix="job-", dir=parent))
    _hand_over(path)
    try:
        yield Box(path, limits or Limits.default())
    finally:
        shutil.rmtree(path, ignore_errors=True)


@functools.cache
def isolation() -> tuple[str, ...]:
    """The command prefix that cuts the network (and drops root), as far as this host allows."""
    if os.geteuid() == 0:
        return (
            "unshare", "--net", "--",
            "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
        )  # fmt: skip
    probe = subprocess.run(
        ["unshare", "--user", "--net", "--", "true"], capture_output=True, check=False
    )
    if probe.returncode == 0:
        return ("unshare", "--user", "--net", "--")
    return ()


def network_isolated() -> bool:
    return bool(isolation())


def _hand_over(path: Path) -> None:
    # The parser runs as nobody when we are root: it must own its box, and nothing else.
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)


def _environment(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(home),
        # Tesseract's OpenMP threads fight each other when workers run in parallel.
        "OMP_THREAD_LIMIT": "1",
    }


def _set_limits(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _read_capped(path: Path, limit: int = 64 * 1024) -> bytes:
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - limit))
        return handle.read()


def _failure(name: str, code: int, stderr: bytes, limits: Limits) -> str:
    if code < 0:
        number = -code
        if number == signal.SIGXCPU:
            return f"{name} stopped after {limits.cpu_seconds} s of CPU (CPU limit)"
        if number == signal.SIGXFSZ:
            return f"{name} tried to write a file over {limits.file_bytes} bytes (file-size limit)"
        reason = f"was killed by {signal.Signals(number).name}"
    else:
        reason = f"exited with status {code}"
    last = _last_line(stderr)
    return f"{name} {reason}" + (f": {last}" if last else "")


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:500] if lines else ""
