"""Archives given to `docket import files`: the archive is stored as it is, then unpacked in
the sandbox (docket/lib/unpack.py) within DOCKET_IMPORT_ARCHIVE_MAX_FILES and _MAX_MB, and
each member is imported as an item of its own. Only the first bytes are looked at here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from docket.lib import sandbox

NOT_AN_ARCHIVE = "not a zip or tar archive"
#: The names the unpacker gives members' files (docket/lib/unpack.py); no other is read.
MEMBER_FILE = re.compile(r"[0-9]{6}")


def looks_like_archive(head: bytes) -> bool:
    """Zip, tar, or a compressed stream that may hold a tar (checked by the unpacker), from a
    file's first 512 bytes."""
    return (
        head.startswith(b"PK\x03\x04")
        or head[257:262] == b"ustar"
        or head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"))
    )


@dataclass
class Unpacked:
    members: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    error: str = ""
    not_an_archive: bool = False


def unpack(handle: BinaryIO, on_member: Callable[[str, Path], None]) -> Unpacked:
    """Unpack the archive read from `handle` in a fresh box and call `on_member(name, file)`
    for each member, in order."""
    result = Unpacked()
    with sandbox.box() as box:
        box.put("archive", iter(lambda: handle.read(1024 * 1024), b""))
        out = box.mkdir("members")
        try:
            done = box.python(
                "docket.lib.unpack", "archive", "members",
                "--max-files", str(settings.IMPORT_ARCHIVE_MAX_FILES),
                "--max-bytes", str(settings.IMPORT_ARCHIVE_MAX_MB * 1024**2),
            )  # fmt: skip
        except sandbox.SandboxError as exc:
            result.error = str(exc)
            return result
        for line in done.stdout.decode("utf-8", "replace").splitlines():
            entry = json.loads(line)
            if "file" in entry:
                result.members += 1
                on_member(str(entry["member"]), _member_file(box, out, entry["file"]))
            elif "skipped" in entry:
                result.skipped.append({"path": str(entry["member"]), "reason": entry["skipped"]})
            elif "error" in entry:
                if entry["error"] == NOT_AN_ARCHIVE and not result.members:
                    result.not_an_archive = True
                else:
                    result.error = str(entry["error"])
    return result


def _member_file(box: sandbox.Box, out: Path, name: object) -> Path:
    if not (isinstance(name, str) and MEMBER_FILE.fullmatch(name)):
        raise sandbox.SandboxError(f"the unpacker named a file it does not make: {name!r:.200}")
    return box.output(f"{out.name}/{name}")
