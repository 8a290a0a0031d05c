"""Unpack a zip or tar archive safely; run only inside the sandbox (`Box.python`).

    python -I -m docket.lib.unpack ARCHIVE OUTDIR --max-files N --max-bytes B

Members are written as OUTDIR/000001, 000002, … and never under their own names, so an entry
called `../../etc/passwd` or `/root/.ssh/x` has nowhere to go; the names are only reported.
Links, devices and directories are skipped and reported. The unpacked size and the number of
members are counted as bytes come out, so a zip bomb stops at the limit, not at a full disk.
One JSON line per member on stdout: {"member", "file", "size"} or {"member", "skipped"}; the
last line is {"done": true} or {"error": …}. Pure Python with no Django import.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

CHUNK = 1024 * 1024


class LimitExceeded(Exception):
    pass


class NotAnArchive(Exception):
    pass


def unsafe_name(name: str) -> str | None:
    """Why a member name could escape the output directory (reported, never used as a path)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute():
        return "absolute path"
    if ".." in path.parts:
        return "path leaves the archive (..)"
    return None


def members(archive: Path) -> Iterator[tuple[str, str | None, IO[bytes] | None]]:
    """(name, reason to skip or None, stream) for each member."""
    if not zipfile.is_zipfile(archive) and not tarfile.is_tarfile(archive):
        raise NotAnArchive("not a zip or tar archive")
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                mode = (info.external_attr >> 16) & 0o170000
                if info.is_dir():
                    continue
                if mode == 0o120000:
                    yield info.filename, "symbolic link (not followed)", None
                    continue
                reason = unsafe_name(info.filename)
                if reason:
                    yield info.filename, reason, None
                    continue
                with zipped.open(info) as stream:
                    yield info.filename, None, stream
        return
    with tarfile.open(archive, mode="r:*") as tarred:
        for member in tarred:
            if member.isdir():
                continue
            if member.issym() or member.islnk():
                yield member.name, "link (not followed)", None
                continue
            if not member.isfile():
                yield member.name, "not a regular file", None
                continue
            reason = unsafe_name(member.name)
            if reason:
                yield member.name, reason, None
                continue
            extracted = tarred.extractfile(member)
            if extracted is not None:
                yield member.name, None, extracted


def unpack(
    archive: Path, out: Path, *, max_files: int, max_bytes: int
) -> Iterator[dict[str, object]]:
    total = 0
    count = 0
    for name, skipped, stream in members(archive):
        if skipped or stream is None:
            yield {"member": name, "skipped": skipped or "unreadable"}
            continue
        count += 1
        if count > max_files:
            raise LimitExceeded(f"archive has more than {max_files} files (limit)")
        target = out / f"{count:06d}"
        size = 0
        with open(target, "xb") as handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                total += len(chunk)
                if total > max_bytes:
                    raise LimitExceeded(f"archive unpacks to more than {max_bytes} bytes (limit)")
                handle.write(chunk)
        yield {"member": name, "file": target.name, "size": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docket.lib.unpack")
    parser.add_argument("archive", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--max-files", type=int, required=True)
    parser.add_argument("--max-bytes", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        for line in unpack(
            args.archive, args.out, max_files=args.max_files, max_bytes=args.max_bytes
        ):
            print(json.dumps(line, ensure_ascii=False), flush=True)
    except (
        LimitExceeded,
        NotAnArchive,
        zipfile.BadZipFile,
        tarfile.TarError,
        EOFError,
        OSError,
    ) as exc:
        message = str(exc) or type(exc).__name__
        print(json.dumps({"error": message}, ensure_ascii=False), flush=True)
        return 0  # the manifest says what was unpacked before the error
    print(json.dumps({"done": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
