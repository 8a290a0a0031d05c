"""The text of a written testimony, by page; run only inside the sandbox (`Box.python`).

    python -I -m docket.lib.doctext FILE MIME

prints {"pages": [text, …], "how": …}. Plain text is decoded from its byte-order mark, else as
UTF-8, else as Windows-1251 (what Belarusian and Russian Windows machines write); a form feed
starts a page. A Word (.docx) or OpenDocument (.odt) file is a ZIP archive of XML: its
paragraphs are read with defusedxml (no entities, no external references), each member capped
in size before it is inflated; page breaks the writer put in (or Word's last layout) start a
page. No Django import.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

from defusedxml import DefusedXmlException, ElementTree

#: The most text a testimony may give (characters), and the most XML it may inflate to.
MAX_CHARACTERS = 5_000_000
MAX_XML_BYTES = 64 * 1024 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip


class Refused(Exception):
    """The file is not what it claims, or too big to read."""


def plain(data: bytes) -> tuple[list[str], str]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, "replace").split("\f"), encoding
    try:
        return data.decode("utf-8").split("\f"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", "replace").split("\f"), "cp1251"


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise Refused(f"no {name} in the document") from None
    if info.file_size > MAX_XML_BYTES:
        raise Refused(f"{name} would inflate to {info.file_size} bytes")
    with archive.open(info) as handle:
        data = handle.read(MAX_XML_BYTES + 1)  # the size in the header may lie
    if len(data) > MAX_XML_BYTES:
        raise Refused(f"{name} inflates past {MAX_XML_BYTES} bytes")
    return data


def _pages(pieces: Iterator[str]) -> list[str]:
    """Pieces of text with "\f" where a page ends, as pages with their paragraphs."""
    text = "".join(pieces)
    return [re.sub(r"\n{3,}", "\n\n", page).strip() for page in text.split("\f")]


def _docx(root: Any) -> Iterator[str]:
    for paragraph in root.iter(f"{W}p"):
        for node in paragraph.iter():
            if node.tag == f"{W}t" and node.text:
                yield node.text
            elif node.tag == f"{W}tab":
                yield "\t"
            elif node.tag == f"{W}br":
                yield "\f" if node.get(f"{W}type") == "page" else "\n"
            elif node.tag == f"{W}lastRenderedPageBreak":
                yield "\f"
        yield "\n"


def _odt(root: Any) -> Iterator[str]:
    def inline(node: Any) -> Iterator[str]:
        if node.text:
            yield node.text
        for child in node:
            if child.tag == f"{TEXT}s":
                yield " " * int(child.get(f"{TEXT}c", "1"))
            elif child.tag == f"{TEXT}tab":
                yield "\t"
            elif child.tag == f"{TEXT}line-break":
                yield "\n"
            elif child.tag == f"{TEXT}soft-page-break":
                yield "\f"
            else:
                yield from inline(child)
            if child.tail:
                yield child.tail

    for node in root.iter():
        if node.tag == f"{TEXT}soft-page-break":
            yield "\f"
        elif node.tag in (f"{TEXT}p", f"{TEXT}h"):
            yield from inline(node)
            yield "\n"


def document(path: str, mime: str) -> tuple[list[str], str]:
    try:
        with zipfile.ZipFile(path) as archive:
            if mime == DOCX:
                root = ElementTree.fromstring(_member(archive, "word/document.xml"))
                return _pages(_docx(root)), "docx"
            root = ElementTree.fromstring(_member(archive, "content.xml"))
            return _pages(_odt(root)), "odt"
    except (zipfile.BadZipFile, ElementTree.ParseError, DefusedXmlException) as exc:
        raise Refused(f"not a readable document: {exc}") from None


def main(argv: list[str]) -> int:
    path, mime = argv
    try:
        if mime in (DOCX, ODT):
            pages, how = document(path, mime)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_CHARACTERS * 4 + 1)
            if len(data) > MAX_CHARACTERS * 4:
                raise Refused("too long for a written testimony")
            pages, how = plain(data)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if sum(len(page) for page in pages) > MAX_CHARACTERS:
        print("too long for a written testimony", file=sys.stderr)
        return 2
    print(json.dumps({"pages": pages, "how": how}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
