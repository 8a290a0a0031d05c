"""File names from outside (an uploader's computer, an archive, an export) as the pages may
show them: without control and formatting characters. A right-to-left override would show
"invoice\u202egpj.exe" as "invoiceexe.jpg" and turn the text beside it around; a line break or
a NUL byte has no place in a name either."""

from __future__ import annotations

import unicodedata

#: Control (Cc), format (Cf: bidirectional overrides, zero-width characters), and line and
#: paragraph separators (Zl, Zp).
DROPPED = {"Cc", "Cf", "Zl", "Zp"}


def shown(name: str) -> str:
    cleaned = "".join(c for c in name if unicodedata.category(c) not in DROPPED)
    return " ".join(cleaned.split())
