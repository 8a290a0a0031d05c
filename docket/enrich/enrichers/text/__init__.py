"""The words of a written testimony: plain text (its encoding found from the bytes), Word
(.docx) and OpenDocument (.odt) files, by page, read in the sandbox by docket/lib/doctext.py.
A PDF's own text is read by `ocr`."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="text",
    summary="text of plain-text, Word and OpenDocument testimonies, by page",
    kinds=("text", "document"),
    outputs=("TextPage",),
    searchable=True,
    quick=("text", "document"),
)
