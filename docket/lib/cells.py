"""Spreadsheet cells that cannot run: the one rule for every CSV written and read.

Policy: a spreadsheet reads a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return (or their full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20, which some spreadsheets fold
to the same) as a formula, and a formula can fetch a URL, leak other cells or run a command.
Text in the register can come from anonymous senders, so every such cell is written with a
leading `'`, which spreadsheets read as "this is text" and do not show. XLSX cells are written
as explicit strings instead, which no spreadsheet evaluates, and carry no `'` (those that need
one are marked with the "quote prefix" style, so that editing them keeps them text).

Reading removes exactly one leading `'` that `neutralise` would have added, so whatever is
exported imports again unchanged. A value that itself begins with `'` followed by a dangerous
character (`'=x`, `''=x`) is written with one more `'`, so it survives the round trip too;
harmless values that merely contain or begin with `'` are left alone both ways. Negative
numbers (`-3`, a longitude of `-0.12`) and a lone `-` are neutralised like anything else: they
come back exactly, and a spreadsheet shows them as text, which is what they are here.
"""

from __future__ import annotations

import re

DANGEROUS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
QUOTE = "'"

_NEEDS_QUOTE = re.compile(f"{QUOTE}*[{re.escape(DANGEROUS)}]")
_WAS_QUOTED = re.compile(f"{QUOTE}+[{re.escape(DANGEROUS)}]")


def needs_quote(value: str) -> bool:
    """Whether a spreadsheet could take the value for a formula (or `restore` would change it)."""
    return _NEEDS_QUOTE.match(value) is not None


def neutralise(value: str) -> str:
    """The value as a CSV cell that a spreadsheet shows as text and never evaluates."""
    return QUOTE + value if needs_quote(value) else value


def restore(value: str) -> str:
    """The value that `neutralise` turned into this cell (the cell itself if it was not)."""
    return value[1:] if _WAS_QUOTED.match(value) else value
