"""The address filter: what a log line must never keep."""

from __future__ import annotations

import logging

import pytest

from docket.lib.addresses import NoAddresses, redact


@pytest.mark.parametrize(
    "line",
    [
        "Invalid request from ip=127.0.0.2: Invalid HTTP request line",
        "connection from 185.12.4.200 refused",
        "peer 2001:db8:85a3:0:0:8a2e:370:7334 reset",
        "peer fe80::1ff:fe23:4567:890a reset",
        "peer ::1 reset",
    ],
)
def test_it_removes_addresses(line: str) -> None:
    cleaned = redact(line)
    assert "[address removed]" in cleaned
    for address in ("127.0.0.2", "185.12.4.200", "2001:db8", "fe80::", "::1"):
        assert address not in cleaned


def test_it_keeps_times_and_ordinary_text() -> None:
    line = "2026-11-22 02:32:13 WARNING job 12 failed: file truncated at byte 4096"
    assert redact(line) == line


def test_the_filter_rewrites_records_and_their_exceptions() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "from %s", ("10.0.0.7",), None)
    assert NoAddresses().filter(record)
    assert record.getMessage() == "from [address removed]"
    try:
        raise ConnectionError("reset by 10.0.0.8")
    except ConnectionError as exc:
        failed = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "boom", None, (type(exc), exc, None)
        )
    NoAddresses().filter(failed)
    assert failed.exc_info is None and "10.0.0.8" not in (failed.exc_text or "")
