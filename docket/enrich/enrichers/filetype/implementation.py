"""What `filetype` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import json

import magic

from docket.enrich import sealed
from docket.enrich.base import Context, Outcome
from docket.enrich.models import FileType

ARCHIVES = {
    "application/zip",
    "application/x-tar",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
}


#: Written testimonies the `text` enricher reads (docket/lib/doctext.py).
DOCUMENTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
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
    if mime == "text/plain":
        return "text"
    if mime in DOCUMENTS:
        return "document"
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
