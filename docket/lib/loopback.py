"""Processes on this machine's loopback: a free port to serve on, and waiting until a served
process answers (the benchmarks and the tests start Docket's own servers)."""

from __future__ import annotations

import socket
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_served(url: str, seconds: float = 60) -> None:
    """Return once `url` answers at all; raise the last error after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310  (loopback only)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
