"""A log filter that removes network addresses from every message.

Docket keeps no IP address of anyone (docs/design.md §2.2). Our own code never logs one, but
libraries do: gunicorn writes "Invalid request from ip=…" at WARNING. Every handler Docket
configures carries this filter, so a library's habit cannot become a record of who connected.
"""

from __future__ import annotations

import logging
import re

_IPV4 = re.compile(r"\bip=\S+|\b(?:\d{1,3}\.){3}\d{1,3}\b")  # and gunicorn's "ip=…"
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:]{2,39}(?![\w:.])")
REMOVED = "[address removed]"


def _ipv6(match: re.Match[str]) -> str:
    text = match.group(0)
    # "::" or four colons and more: an IPv6 address; a clock time has two colons and no "::".
    return REMOVED if "::" in text or text.count(":") >= 4 else text


def redact(text: str) -> str:
    return _IPV6_CANDIDATE.sub(_ipv6, _IPV4.sub(REMOVED, text))


class NoAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Exceptions are formatted later from exc_info; keep the type, drop the text.
            exc = record.exc_info[1]
            if redact(str(exc)) != str(exc):
                record.exc_text = f"{type(exc).__name__}: {redact(str(exc))}"
                record.exc_info = None
        return True
