"""What `filetype` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

import json
import shutil

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


#: libmagic's own command-line program, run in the box: it starts in milliseconds, where a
#: Python in the box (docket.lib.filetype, used when `file` is not installed) takes a tenth of
#: a second for every item. Both print what the same library and database find.
FILE = 'file -b --mime-type -- "$1" && file -b -- "$1"'


def enrich(context: Context) -> Outcome:
    found = _found(context)
    mime = str(found["mime"])[:150]
    kind = kind_of(mime)
    description = "" if sealed.from_intake(context.item) else str(found["description"])[:500]
    FileType.objects.update_or_create(
        item=context.item, defaults={"mime": mime, "description": description, "kind": kind}
    )
    context.mime, context.kind = mime, kind
    return Outcome("libmagic", str(magic.version()))


def _found(context: Context) -> dict[str, str]:
    name = context.original.name
    if shutil.which("file") is None:
        found: dict[str, str] = json.loads(context.box.python("docket.lib.filetype", name).stdout)
        return found
    done = context.box.run(["sh", "-c", FILE, "sh", name])
    mime, _, description = done.stdout.decode("utf-8", "replace").partition("\n")
    return {"mime": mime.strip(), "description": description.strip()}
