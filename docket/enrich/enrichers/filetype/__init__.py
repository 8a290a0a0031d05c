"""Type detection by libmagic, from the bytes: a file's claimed name or type is never trusted.
Its result decides which other enrichers run. libmagic's description quotes text from the file
(a JPEG comment, EXIF fields, a document's author): for an original sent through the intake only
the MIME type is kept."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="filetype",
    summary="file type from the bytes (libmagic)",
    kinds=(),  # every file; it runs first and sorts files into kinds
    outputs=("FileType",),
    # Once its type is known, an item is found by its name (and the type in it), its title
    # and tags: every item is indexed after this step.
    searchable=True,
)
