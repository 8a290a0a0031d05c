"""What `clean` runs (its declaration is in __init__.py): loaded the first time it runs, so
only a worker that runs it pays for its imports."""

from __future__ import annotations

from docket.enrich.base import Context, NotApplicable, Outcome, program_version
from docket.enrich.enrichers.clean import DECLARATION
from docket.enrich.models import Derivative

#: mat2 picks its parser by extension, so the box copy gets the one libmagic's type implies.
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tiff",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/x-wav": "wav",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "application/pdf": "pdf",
}


def enrich(context: Context) -> Outcome:
    extension = EXTENSIONS.get(context.mime)
    if extension is None:
        raise NotApplicable(f"mat2 does not clean {context.mime}")
    box = context.box
    box.copy(context.original, f"share.{extension}")
    # mat2's default for a PDF renders each page to a picture: slower, and it drops the text
    # layer, but nothing hidden in the document's structure survives.
    # No `--no-sandbox`: mat2 0.13 reads that flag the wrong way round and then starts its own
    # bubblewrap, which cannot nest inside Docket's (stricter) one.
    box.run(["mat2", f"share.{extension}"])
    cleaned = box.output(f"share.cleaned.{extension}")
    context.derive(cleaned, Derivative.Kind.CLEAN_COPY, tool="mat2")
    version = program_version(DECLARATION.version_argv).removeprefix("mat2 ")
    return Outcome("mat2", version)
