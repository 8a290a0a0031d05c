"""Text by page: a PDF's own text layer where it has one (pdftotext), Tesseract OCR in
Belarusian, Russian and English for pictures and for scanned pages (pdftoppm renders them)."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="ocr",
    summary="text by page: PDF text layer, Tesseract OCR (be, ru, en)",
    kinds=("picture", "pdf"),
    outputs=("TextPage",),
    programs=("tesseract", "pdftotext", "pdftoppm", "pdfinfo"),
    version_argv=("tesseract", "--version"),
    searchable=True,
    quick=("picture",),
)
