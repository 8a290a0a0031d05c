"""Type detection by libmagic, from the bytes: a file's claimed name or type is never trusted.
Its result decides which other enrichers run. libmagic's description quotes text from the file
(a JPEG comment, EXIF fields, a document's author): for an original sent through the intake only
the MIME type is kept."""

from __future__ import annotations

import json

import magic

from docket.enrich import sealed
from docket.enrich.base import Context, Declaration, Outcome
from docket.enrich.models import FileType

DECLARATION = Declaration(
    name="filetype",
    summary="file type from the bytes (libmagic)",
    kinds=(),  # every file; it runs first and sorts files into kinds
    outputs=("FileType",),
)

ARCHIVES = {
    "application/zip",
    "application/x-tar",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
}


def kind_of(mime: str) -> str:
    if mime.startswith("image/"):
        return "picture"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("audio/"):
        return "audio"
    if mime == "application/pdf":
        return "pdf"
    if mime in ARCHIVES:
        return "archive"
    return "other"


def enrich(context: Context) -> Outcome:
    done = context.box.python("docket.lib.filetype", context.original.name)
    found = json.loads(done.stdout)
    mime = str(found["mime"])[:150]
    kind = kind_of(mime)
    description = "" if sealed.from_intake(context.item) else str(found["description"])[:500]
    FileType.objects.update_or_create(
        item=context.item, defaults={"mime": mime, "description": description, "kind": kind}
    )
    context.mime, context.kind = mime, kind
    return Outcome("libmagic", str(magic.version()))
