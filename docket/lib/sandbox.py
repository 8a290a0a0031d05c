"""The sandbox every parser of an untrusted file runs in (docs/design.md §2.5).

Policy: a hostile file never takes the worker down, never reaches the network, another job's
files or the keys, and never writes outside its job's directory; it ends in a clear error that
is recorded on the item. A parser that cannot be isolated is not run at all, unless the
operator says so (`DOCKET_SANDBOX_UNSAFE=true`, for a development machine without bubblewrap).

How: each job gets a fresh private directory (`Box`). A parser runs there as a subprocess:
- under bubblewrap (`bwrap`), in new mount, PID, network, IPC, UTS, cgroup and user
  namespaces, as uid/gid 65534 with every capability dropped, in a new session and killed
  with the worker. It sees its box (read-write) and, read-only, `/usr`, the few files of
  `/etc` that programs need to start, `DOCKET_MODELS_DIR` and, for Docket's own parsers only
  (the worker's Python), the Python environment and the Docket package it runs from; never
  `DOCKET_DATA_DIR`, the keys or another box, and no other process. When the worker is
  root, bubblewrap itself runs as nobody, so that the parser is nobody on the host too and
  the process limit binds it;
- under a seccomp filter (compiled with libseccomp) that refuses ptrace, mount, keyctl, bpf,
  unshare/setns and new namespaces, and sockets other than AF_UNIX;
- with limits on CPU seconds, address space, the size of any file it writes, open files and
  processes (setrlimit), and a wall-clock timeout after which it is killed;
- with an empty environment but PATH, a UTF-8 locale and HOME/TMPDIR in the box;
- with stdout and stderr written to unnamed files beside the box (the file-size limit bounds
  them too), read back through the worker's own descriptors.
What a parser leaves in its box is read back only under the names its protocol defines, as
regular files reached without following a link (`Box.output`). The box is removed when the
job is done, whatever happened in it.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import resource
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

NOBODY = 65534
#: The Docket package this module belongs to: parsers of its own run from it.
_PACKAGE = Path(__file__).resolve().parents[1]
_RUN_MODULE = (
    "import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
    "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)"
)
#: The memory a parser may fill in /dev/shm (POSIX semaphores need it; nothing else does).
SHM_BYTES = 16 * 1024**2
#: A name a parser's output may have: plain parts, no `..`, no hidden file.
OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
#: Files of /etc that programs need to start (the linker's cache, the alternatives the
#: programs in /usr/bin point to, fonts for rendering PDF pages, the file types by name that
#: mat2 goes by); nothing else of /etc.
ETC = ("/etc/alternatives", "/etc/ld.so.cache", "/etc/fonts", "/etc/mime.types")
#: System calls no parser needs and a parser taken over would use to get out or to spy.
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root",
    "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr", "keyctl", "add_key", "request_key", "bpf", "unshare", "setns",
    "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "swapon", "swapoff", "reboot", "acct", "quotactl",
    "syslog", "io_uring_setup", "open_by_handle_at", "name_to_handle_at",
)  # fmt: skip
#: clone() flags that make new namespaces (each refused).
NAMESPACE_FLAGS = (
    0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000,
)  # fmt: skip
NOT_ISOLATED = (
    "parsers cannot be isolated here: bubblewrap (`bwrap`, Debian package bubblewrap) is "
    "missing or the kernel refuses user namespaces; nothing was run. Set "
    "DOCKET_SANDBOX_UNSAFE=true only on a development machine to run parsers without it"
)
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

    def __init__(
        self,
        path: Path,
        limits: Limits,
        *,
        unsafe: bool = False,
        readable: tuple[Path, ...] = (),
        secret: tuple[Path, ...] = (),
    ) -> None:
        self.path = path
        self.limits = limits
        #: Run parsers without bubblewrap when it cannot be had (DOCKET_SANDBOX_UNSAFE).
        self.unsafe = unsafe
        #: Further directories the parsers may read (DOCKET_MODELS_DIR).
        self.readable = readable
        #: Directories no parser may see, whatever is bound (DOCKET_DATA_DIR, the keys).
        self.secret = secret
        #: Device files the parsers may use (the GPU's, for the speech model alone).
        self.devices: tuple[Path, ...] = ()

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
        # "x": never through a link a parser left under that name.
        with open(source, "rb") as original, open(target, "xb") as copy:
            shutil.copyfileobj(original, copy, 1024 * 1024)
        _hand_over(target)
        return target

    def output(self, name: str) -> Path:
        """A file a parser made, under a name its protocol defines (`members/000001`): each
        part a plain name, each directory and the file itself reached without following a
        link, and the file a regular one. SandboxError otherwise. Nothing runs in the box any
        more when this is called (the parser's PID namespace died with it), so the path
        stays what was checked."""
        parts = name.split("/")
        if not all(OUTPUT_NAME.fullmatch(part) for part in parts):
            raise SandboxError(f"a parser named a file Docket does not accept: {name[:200]!r}")
        try:
            mode = _open_mode(self.path, parts)
        except OSError as exc:
            raise SandboxError(
                f"{name} is not a file of the box ({exc.strerror or exc}): not read"
            ) from None
        if not stat.S_ISREG(mode):
            raise SandboxError(f"{name} is not a regular file of the box: not read")
        return self.path.joinpath(*parts)

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
        started = time.monotonic()
        # stdout and stderr go to unnamed files outside the box: the parser holds them open
        # but cannot put a link in their place for the worker to follow.
        with (
            self._confinement(argv[0]) as (prefix, fds),
            tempfile.TemporaryFile(dir=self.path.parent) as out,
            tempfile.TemporaryFile(dir=self.path.parent) as err,
        ):
            process = subprocess.Popen(
                [*prefix, *argv],
                cwd=self.path,
                env=_environment(self.path),
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, killed as a whole
                preexec_fn=functools.partial(_set_limits, limits),
                close_fds=True,
                pass_fds=fds,
            )
            try:
                _wait(process, stdin, limits.wall_seconds)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                raise SandboxError(
                    f"{name} stopped after {limits.wall_seconds:g} s (wall-clock limit)"
                ) from None
            finally:
                _kill_group(process)  # anything it left running in the background
            seconds = time.monotonic() - started
            stderr = _read_capped(err)
            if process.returncode != 0:
                code = process.returncode
                if bubblewrap() and code > 128:
                    code = 128 - code  # bubblewrap exits 128+N when its child died of signal N
                raise SandboxError(_failure(name, code, stderr, limits))
            if os.fstat(out.fileno()).st_size > MAX_OUTPUT_BYTES:
                raise SandboxError(f"{name} wrote more than {MAX_OUTPUT_BYTES} bytes of output")
            out.seek(0)
            stdout = out.read()
        return Completed(stdout, stderr, seconds)

    def python(self, module: str, *args: str, limits: Limits | None = None) -> Completed:
        """Run one of Docket's own pure-Python parsers (an archive reader) in the box, from
        the very package the worker runs (isolated mode: no environment, no user site)."""
        return self.run(
            [sys.executable, "-I", "-c", _RUN_MODULE, str(_PACKAGE.parent), module, *args],
            limits=limits,
        )

    def start(
        self,
        argv: list[str],
        *,
        limits: Limits | None = None,
        environment: dict[str, str] | None = None,
    ) -> Resident:
        """Start a long-lived parser in the box, confined as `run` confines one, that talks
        over its stdin and stdout pipes only (the speech model: docket/enrich/stt.py). Its
        CPU-seconds limit is its whole life's; no wall-clock limit binds it, the caller times
        each answer. `environment` adds to the parser's (never PATH, HOME or TMPDIR)."""
        limits = limits or self.limits
        stack = ExitStack()
        try:
            prefix, fds = stack.enter_context(self._confinement(argv[0]))
            err = stack.enter_context(tempfile.TemporaryFile(dir=self.path.parent))
            env = _environment(self.path)
            env.update(
                (key, value) for key, value in (environment or {}).items()
                if key not in ("PATH", "HOME", "TMPDIR")
            )  # fmt: skip
            process = subprocess.Popen(
                [*prefix, *argv],
                cwd=self.path,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
                preexec_fn=functools.partial(_set_limits, limits),
                close_fds=True,
                pass_fds=fds,
            )
        except BaseException:
            stack.close()
            raise
        return Resident(Path(argv[0]).name, process, err, limits, stack)

    def python_resident(
        self,
        module: str,
        *args: str,
        limits: Limits | None = None,
        environment: dict[str, str] | None = None,
    ) -> Resident:
        """`start` for one of Docket's own modules, run as `python` runs one."""
        return self.start(
            [sys.executable, "-I", "-c", _RUN_MODULE, str(_PACKAGE.parent), module, *args],
            limits=limits, environment=environment,
        )  # fmt: skip

    @contextmanager
    def _confinement(self, program: str) -> Iterator[tuple[list[str], tuple[int, ...]]]:
        """The command prefix a parser runs under and the file descriptors it needs."""
        if bubblewrap():
            bound = self._bound(python=program == sys.executable)
            with _seccomp_fd() as fd, _as_nobody(self.path, bound) as (drop, sources):
                yield [*drop, *_bwrap(self.path, fd, sources, self.devices)], (fd,)
            return
        if not self.unsafe:
            raise SandboxError(NOT_ISOLATED)
        yield list(unsafe_isolation()), ()

    def _bound(self, *, python: bool) -> list[Path]:
        """The read-only directories and files besides /usr (see the policy above). The
        worker's Python and Docket's package only for Docket's own parsers: the other tools
        need neither, and binding a Python kept under /root costs a mount namespace more for
        every tool run (`_as_nobody`)."""
        own = [Path(sys.base_prefix), Path(sys.prefix), _PACKAGE] if python else []
        wanted = [*(Path(p) for p in ETC), *own, *self.readable]
        bound: list[Path] = []
        for path in wanted:
            if not path.exists() or path in bound or path.is_relative_to("/usr"):
                continue
            for secret in self.secret:
                if secret.resolve().is_relative_to(path.resolve()):
                    raise SandboxError(
                        f"{path} holds {secret}, which no parser may see: move it elsewhere"
                    )
            bound.append(path)
        return bound


class Resident:
    """A long-lived confined parser (`Box.start`): its pipes, and what must stay open while it
    lives (the seccomp program's descriptor, the directories bound for nobody)."""

    def __init__(
        self, name: str, process: subprocess.Popen[bytes], stderr: IO[bytes], limits: Limits,
        stack: ExitStack,
    ) -> None:  # fmt: skip
        self.name = name
        self.process = process
        self.limits = limits
        self._stderr = stderr
        self._stack = stack

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def failure(self) -> str:
        """Why it ended, as `run` says it of a parser (call once it has ended or been stopped)."""
        code = self.process.poll()
        if code is None:
            return f"{self.name} stopped answering"
        if bubblewrap() and code > 128:
            code = 128 - code
        return _failure(self.name, code, _read_capped(self._stderr), self.limits)

    def stop(self) -> None:
        """Kill it and everything it started (its stderr stays readable for `failure`)."""
        _kill_group(self.process)

    def close(self) -> None:
        """Stop it and release what it held; idempotent."""
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        _kill_group(self.process)
        self._stack.close()


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
    models = Path(settings.MODELS_DIR)
    try:
        yield Box(
            path,
            limits or Limits.default(),
            unsafe=settings.SANDBOX_UNSAFE,
            readable=(models,) if models.is_dir() else (),
            secret=(Path(settings.DATA_DIR), Path(settings.KEYS_DIR)),
        )
    finally:
        shutil.rmtree(path, ignore_errors=True)


@functools.cache
def bubblewrap() -> bool:
    """Whether bubblewrap runs here with the namespaces the policy needs (probed once)."""
    if shutil.which("bwrap") is None:
        return False
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    try:
        probe = subprocess.run(
            [*(drop if os.geteuid() == 0 else []),
             "bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
             *_system(), "--", "/usr/bin/true"],
            capture_output=True, check=False, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def isolated() -> bool:
    """Whether parsers run isolated (bubblewrap) rather than not at all or, if the operator
    allowed it, without."""
    return bubblewrap()


@functools.cache
def unsafe_isolation() -> tuple[str, ...]:
    """Without bubblewrap (DOCKET_SANDBOX_UNSAFE): cut the network and drop root, as far as
    this host allows. Parsers then share a uid and see each other's processes."""
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


@contextmanager
def _as_nobody(box: Path, bound: list[Path]) -> Iterator[tuple[list[str], dict[Path, Path]]]:
    """When the worker is root, bubblewrap itself runs as nobody, so that the parser is
    nobody on the host too (its processes count against nobody's limit; as root they would
    count against none). Nobody cannot reach a directory under a private one (a Python
    installed in /root): those are bind-mounted by root, in a mount namespace of the parser's
    own, onto empty directories beside the box, and bubblewrap binds them from there. Yields
    the command prefix and, for each bound path, where bubblewrap takes it from."""
    sources = {path: path for path in bound}
    if os.geteuid() != 0:
        yield [], sources
        return
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    hidden = [path for path in bound if not _reachable(path)]
    if not hidden:
        yield drop, sources
        return
    stage = Path(tempfile.mkdtemp(prefix=f"{box.name}.", dir=box.parent))
    stage.chmod(0o755)
    try:
        pairs: list[str] = []
        for n, path in enumerate(hidden):
            if not path.is_dir():
                raise SandboxError(f"{path} cannot be reached by the parsers' user")
            sources[path] = stage / str(n)
            sources[path].mkdir(mode=0o755)
            pairs += [str(path), str(sources[path])]
        mount = (
            'n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind "$1" "$2" || exit 125; '
            'shift 2; n=$((n - 1)); done; exec "$@"'
        )
        yield [
            "unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", mount, "sh", str(len(hidden)), *pairs, *drop,
        ], sources  # fmt: skip
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _reachable(path: Path) -> bool:
    """Whether any user may walk down to `path` (every directory above it searchable by all)."""
    return all(os.stat(above).st_mode & stat.S_IXOTH for above in path.parents)


def _bwrap(
    box: Path, seccomp_fd: int, sources: dict[Path, Path], devices: tuple[Path, ...] = ()
) -> list[str]:
    argv = [
        "bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
        "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL",
        "--die-with-parent", "--new-session", "--hostname", "box", *_system(),
    ]  # fmt: skip
    for path, source in sources.items():
        argv += ["--ro-bind", str(source), str(path)]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    for device in devices:
        argv += ["--dev-bind", str(device), str(device)]
    argv += [
        "--bind", str(box), str(box), "--chdir", str(box),
        # The root and /dev are bubblewrap's own memory-backed directories: read-only, so
        # that a parser writes nowhere but its box (whose size the file limit bounds) and a
        # small /dev/shm for the semaphores of tools that start worker processes (mat2).
        "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm",  # noqa: S108 (inside the box)
        "--remount-ro", "/dev", "--remount-ro", "/",
        "--seccomp", str(seccomp_fd), "--",
    ]  # fmt: skip
    return argv


def _system() -> list[str]:
    """/usr, read-only, and the links or directories at the top that lead into it."""
    argv = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = Path("/") / top
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    return argv


@contextmanager
def _seccomp_fd() -> Iterator[int]:
    fd = os.memfd_create("docket-seccomp", 0)  # no CLOEXEC: bwrap reads it
    try:
        os.write(fd, _seccomp_program())
        os.lseek(fd, 0, os.SEEK_SET)
        yield fd
    finally:
        os.close(fd)


@functools.cache
def _seccomp_program() -> bytes:
    """The BPF program bwrap loads before running the parser (libseccomp, through pyseccomp).
    Everything not named is allowed; what is named fails with an error the parser sees."""
    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    rules.add_rule(
        seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX)
    )
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(
            seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag)
        )
    # clone3 passes its flags in memory a filter cannot read: "not here" makes the C library
    # fall back to clone, whose flags it can.
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as program:
        rules.export_bpf(program)
        program.seek(0)
        return program.read()


def _open_mode(root: Path, parts: list[str]) -> int:
    """The mode of root/parts…, walked with O_NOFOLLOW at every step (OSError on a link)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(root, flags | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        leaf = os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=fd)
        try:
            return os.fstat(leaf).st_mode
        finally:
            os.close(leaf)
    finally:
        os.close(fd)


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


def _wait(process: subprocess.Popen[bytes], stdin: bytes | None, timeout: float) -> None:
    """Until the parser exits (TimeoutExpired after `timeout`). Python's own wait with a
    timeout sleeps in steps of up to 50 ms, that is, 25 ms lost on average for every tool a
    job runs; a pidfd wakes this the moment the parser exits."""
    if stdin is not None or not hasattr(os, "pidfd_open"):
        process.communicate(stdin, timeout=timeout)
        return
    try:
        pidfd = os.pidfd_open(process.pid)
    except OSError:  # a kernel before 5.3
        process.wait(timeout)
        return
    try:
        waiting = select.poll()
        waiting.register(pidfd, select.POLLIN)
        if not waiting.poll(max(0, int(timeout * 1000))):
            raise subprocess.TimeoutExpired(process.args, timeout)
    finally:
        os.close(pidfd)
    process.wait()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _read_capped(handle: IO[bytes], limit: int = 64 * 1024) -> bytes:
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
