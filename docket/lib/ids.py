"""A record's id as a form or a URL sends it."""

from __future__ import annotations

import re

#: The largest id a database integer holds (SQLite's INTEGER, PostgreSQL's bigint): a larger
#: number names no row, and would overflow the query rather than find none.
LARGEST = 2**63 - 1


def number(text: str) -> int | None:
    """A whole number of 0 or more written in `text` in ASCII digits, else None: for "", "-1",
    "1.0", " 1", "²" (which `str.isdigit()` accepts and `int()` refuses; a header may carry
    it, being Latin-1) and a number past LARGEST."""
    if not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    value = int(text)
    return value if value <= LARGEST else None


def pk(text: str) -> int | None:
    """The id written in `text`, read as `number` reads it."""
    return number(text)
