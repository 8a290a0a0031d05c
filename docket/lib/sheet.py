"""The first worksheet of an XLSX workbook as CSV, for the register's import. Run only inside
the sandbox (`python -m docket.lib.sheet BOOK --max-rows N`): a workbook is a zip of XML that
anyone could have made, so it is opened where a bomb or a parser bug reaches nothing.

openpyxl reads the XML through defusedxml (no entity expansion, no DTD, no external entity)
and in read-only mode (one row at a time). Each cell is written as the CSV export writes it
(docket/lib/cells.py), so the import reads an XLSX exactly as the CSV of the same rows.
Numbers typed as numbers come back as written (`10`, not `10.0`); dates in ISO 8601.
Exit status 2 with one line on standard error when the file is not a workbook or is too long.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date, datetime, time
from typing import Any

from docket.lib.cells import neutralise


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _root(exc: BaseException) -> str:
    """The name of the first error in a chain (openpyxl wraps the XML parser's in its own)."""
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docket.lib.sheet")
    parser.add_argument("book")
    parser.add_argument("--max-rows", type=int, required=True)
    parser.add_argument("--max-columns", type=int, default=100)
    options = parser.parse_args(argv)
    from openpyxl import load_workbook

    try:
        book = load_workbook(options.book, read_only=True, data_only=True)
    except Exception as exc:  # any malformed workbook: zip, XML or openpyxl's own errors
        print(f"not a workbook Docket can read ({_root(exc)})", file=sys.stderr)
        return 2
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        print("the workbook has no worksheet", file=sys.stderr)
        return 2
    writer = csv.writer(sys.stdout)
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > options.max_rows:
                print(f"more than {options.max_rows - 1} rows: split the file", file=sys.stderr)
                return 2
            cells = [text(value) for value in row[: options.max_columns]]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                writer.writerow([neutralise(cell) for cell in cells])
    except Exception as exc:  # a sheet's XML refused (an entity, a DTD) or malformed
        print(f"not a workbook Docket can read ({_root(exc)})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
