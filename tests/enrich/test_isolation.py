"""A parser taken over by a hostile file: it cannot reach another job's box, the keys, the
network or the host's processes, cannot make the worker read outside its box, and cannot
exhaust the host; each attempt fails and the failure is what gets recorded on the item."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from docket.enrich import checks
from docket.ingest import archives
from docket.lib import sandbox


@pytest.fixture(autouse=True)
def private(settings: Any, sandbox_dir: Path, tmp_path: Path) -> Path:
    """A data directory with keys in it, as a real deployment has."""
    settings.SANDBOX_DIR = sandbox_dir
    settings.DATA_DIR = tmp_path / "data"
    settings.KEYS_DIR = settings.DATA_DIR / "keys"
    settings.KEYS_DIR.mkdir(parents=True)
    (settings.KEYS_DIR / "vault.age").write_text("AGE-SECRET-KEY-CANARY")
    return Path(settings.KEYS_DIR)


def python(box: sandbox.Box, code: str, **limits: float | int) -> sandbox.Completed:
    """Run Python code as a parser would run in the box."""
    chosen = box.limits.but(**limits) if limits else None
    return box.run([sys.executable, "-I", "-c", code], limits=chosen)


@pytest.mark.slow
def test_a_parser_sees_no_other_box_no_keys_and_no_other_process(private: Path) -> None:
    with sandbox.box() as first, sandbox.box() as second:
        started = threading.Event()

        def hold() -> None:
            started.set()
            python(first, "import time; open('secret', 'w').write('CANARY'); time.sleep(4)")

        holder = threading.Thread(target=hold)
        holder.start()
        started.wait()
        time.sleep(1)
        try:
            seen = json.loads(
                python(
                    second,
                    "import json, os\n"
                    "print(json.dumps({'pids': [p for p in os.listdir('/proc') if p.isdigit()],"
                    f" 'box': os.path.exists({str(first.path)!r}),"
                    f" 'keys': os.path.exists({str(private)!r}),"
                    " 'uid': os.getuid(), 'root': sorted(os.listdir('/'))}))",
                ).stdout
            )
            with pytest.raises(sandbox.SandboxError) as reading:
                python(second, f"print(open({str(first.path / 'secret')!r}).read())")
        finally:
            holder.join()
    assert seen["box"] is False and seen["keys"] is False
    assert seen["uid"] == sandbox.NOBODY
    assert len(seen["pids"]) <= 3, seen["pids"]  # bwrap's init, the parser, nothing of ours
    assert "No such file" in str(reading.value) and "CANARY" not in str(reading.value)


def test_the_worker_reads_no_link_a_parser_plants(private: Path) -> None:
    with sandbox.box() as box:
        python(
            box,
            "import os\n"
            f"os.symlink({str(private / 'vault.age')!r}, 'thumbnail.jpg')\n"
            "os.mkdir('real'); os.symlink('/etc', 'members')\n"
            "os.mkfifo('sheet.jpg')",
        )
        for name in ("thumbnail.jpg", "members/passwd", "sheet.jpg"):
            with pytest.raises(sandbox.SandboxError, match="not"):
                box.output(name)
        for name in ("../keys/vault.age", "/etc/passwd", ".out-1", "a/../../b", ""):
            with pytest.raises(sandbox.SandboxError, match="does not accept"):
                box.output(name)
        with pytest.raises(FileExistsError):
            box.copy(private / "vault.age", "thumbnail.jpg")  # not written through the link
        assert (private / "vault.age").read_text() == "AGE-SECRET-KEY-CANARY"
        with pytest.raises(sandbox.SandboxError, match="does not make"):
            archives._member_file(box, box.path / "members", "../thumbnail.jpg")


def test_a_parser_opens_no_network_socket(private: Path) -> None:
    with sandbox.box() as box:
        with pytest.raises(sandbox.SandboxError, match="Address family not supported"):
            python(box, "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)")
        with pytest.raises(sandbox.SandboxError, match="Address family not supported"):
            python(box, "import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)")
        # Local pipes between a tool's own processes still work.
        assert python(box, "import socket; socket.socketpair(); print('ok')").stdout == b"ok\n"


@pytest.mark.parametrize(
    "call",
    [
        "libc.ptrace(0, 0, 0, 0)",  # PTRACE_TRACEME
        "libc.unshare(0x10000000)",  # CLONE_NEWUSER
        "libc.unshare(0x00020000)",  # CLONE_NEWNS
        "libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)",
        "libc.syscall(250, 0, 0, 0)",  # keyctl
        "libc.syscall(321, 0, 0, 0)",  # bpf
        "libc.syscall(308, 0, 0)",  # setns
    ],
)
def test_a_parser_cannot_trace_mount_or_make_namespaces(private: Path, call: str) -> None:
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"if {call} == 0: print('ALLOWED')\n"
        "else: raise SystemExit('refused: ' + os.strerror(ctypes.get_errno()))"
    )
    with sandbox.box() as box, pytest.raises(sandbox.SandboxError) as refused:
        python(box, code)
    assert "refused: Operation not permitted" in str(refused.value)


def test_a_fork_bomb_ends_in_an_error_and_leaves_nothing_running(private: Path) -> None:
    marker = f"bomb-{time.monotonic_ns()}"
    code = (
        "import os, time\n"
        f"tag = {marker!r}\n"
        "while True:\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(120)\n"
        "        os._exit(0)\n"
    )
    with sandbox.box() as box, pytest.raises(sandbox.SandboxError) as stopped:
        python(box, code, processes=64, wall_seconds=60)
    assert "Resource temporarily unavailable" in str(stopped.value)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, check=False)
    assert left.stdout == b"", "every process of the box died with it"


def test_no_parser_runs_without_isolation_unless_the_operator_says_so(
    private: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sandbox.isolated(), "this machine has bubblewrap (make setup installs it)"
    monkeypatch.setattr(sandbox, "bubblewrap", lambda: False)
    with sandbox.box() as box:
        with pytest.raises(sandbox.SandboxError, match="cannot be isolated"):
            python(box, "open('ran', 'w')")
        assert not (box.path / "ran").exists(), "nothing was run"
    [error] = checks._isolation(deploy=True)
    assert error.id == "docket.E102" and error.is_serious()
    [warning] = checks._isolation(deploy=False)
    assert warning.id == "docket.W102" and "no parser runs" in warning.msg

    settings.SANDBOX_UNSAFE = True
    with sandbox.box() as box:
        python(box, "open('ran', 'w')")
        assert (box.path / "ran").exists()
    [warning] = checks._isolation(deploy=False)
    assert "DOCKET_SANDBOX_UNSAFE=true" in warning.msg


def test_the_keys_directory_is_never_bound(settings: Any, private: Path) -> None:
    """Were the Python environment inside the data directory, the box would show the keys:
    the sandbox refuses rather than bind it."""
    with sandbox.box() as box:
        box.readable = (Path(settings.DATA_DIR),)
        with pytest.raises(sandbox.SandboxError, match="which no parser may see"):
            python(box, "print(1)")
    assert os.path.exists(private)


def test_a_parser_cannot_swap_its_output_for_a_link(private: Path) -> None:
    """stdout and stderr are the worker's own unnamed files: a link a parser makes under the
    name its descriptor shows is not what the worker reads back."""
    swap = (
        "import os, sys\n"
        "for fd in (1, 2):\n"
        "    target = os.readlink(f'/proc/self/fd/{fd}')\n"
        "    try:\n"
        "        os.unlink(target)\n"
        "    except OSError:\n"
        "        pass\n"
        "    try:\n"
        f"        os.symlink({str(private / 'vault.age')!r}, target)\n"
        "    except OSError:\n"
        "        pass\n"
        "print('only this')\n"
    )
    with sandbox.box() as box:
        assert python(box, swap).stdout == b"only this\n"
        with pytest.raises(sandbox.SandboxError) as failed:
            python(box, swap + "raise SystemExit(3)")
    assert "CANARY" not in str(failed.value)


@pytest.mark.parametrize("place", ["/", "/tmp", "/dev", "/proc"])
def test_a_parser_writes_nowhere_but_its_box(private: Path, place: str) -> None:
    with sandbox.box() as box, pytest.raises(sandbox.SandboxError) as refused:
        python(box, f"open({place!r} + '/filler', 'wb').write(b'x' * 4096)")
    assert "Read-only file system" in str(refused.value) or "No such file" in str(refused.value)


def test_a_limit_that_kills_a_parser_is_named(private: Path) -> None:
    with sandbox.box() as box, pytest.raises(sandbox.SandboxError) as stopped:
        box.run(
            ["head", "-c", str(4 * 1024 * 1024), "/dev/zero"],
            limits=box.limits.but(file_bytes=1024 * 1024),
        )
    assert "file-size limit" in str(stopped.value), str(stopped.value)


def test_shared_memory_is_there_for_semaphores_but_small(private: Path) -> None:
    with sandbox.box() as box:
        python(box, "import multiprocessing; multiprocessing.Lock()")
        with pytest.raises(sandbox.SandboxError, match="No space left on device"):
            python(box, f"open('/dev/shm/filler', 'wb').write(b'x' * {2 * sandbox.SHM_BYTES})")


def test_a_tool_sees_neither_the_workers_python_nor_dockets_code(private: Path) -> None:
    """Only Docket's own parsers (run by the worker's Python) get the Python environment and
    the package bound; exiftool, ffmpeg or tesseract see neither."""
    package = Path(sandbox.__file__).resolve().parents[1]
    with sandbox.box() as box:
        for path in (sys.prefix, sys.base_prefix, str(package)):
            with pytest.raises(sandbox.SandboxError, match="ls exited"):
                box.run(["ls", path])
        assert python(box, "import sys; print(sys.prefix)").stdout.strip() == sys.prefix.encode()
