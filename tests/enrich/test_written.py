"""Written testimonies are read like scans: plain text in whatever encoding a Belarusian or
Russian machine wrote it, Word and OpenDocument files by page, read in the sandbox, found by
search and shown on the item's page; a hostile document is refused, not parsed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.test import Client

from docket.enrich.models import FileType, Run, TextPage
from docket.lib import doctext
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.personas import Team, log_in

TESTIMONY = "Мяне збілі ў двары Акрэсціна. Афіцэр з нумарам 0417 крычаў."


def test_plain_text_is_decoded_from_its_bytes() -> None:
    cases = {
        TESTIMONY.encode("utf-8"): "utf-8",
        TESTIMONY.encode("cp1251"): "cp1251",
        TESTIMONY.encode("utf-16"): "utf-16",
        b"\xef\xbb\xbf" + TESTIMONY.encode("utf-8"): "utf-8-sig",
    }
    for data, encoding in cases.items():
        assert doctext.plain(data) == ([TESTIMONY], encoding)
    assert doctext.plain(b"page one\fpage two")[0] == ["page one", "page two"]


def run_reader(path: Path, mime: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The reader as the sandbox runs it: its exit status, output and complaint."""
    status = doctext.main([str(path), mime])
    out, err = capsys.readouterr()
    return status, out, err


def test_word_and_opendocument_files_are_read_by_page(tmp_path: Path) -> None:
    pages = [["Протокол допроса", "Свидетель показал:"], ["Page two, signed."]]
    for made, mime in (
        (media.docx(tmp_path / "t.docx", pages), doctext.DOCX),
        (media.odt(tmp_path / "t.odt", pages), doctext.ODT),
    ):
        assert doctext.document(str(made), mime)[0] == [
            "Протокол допроса\nСвидетель показал:",
            "Page two, signed.",
        ], mime


def test_a_hostile_document_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entity = media.docx(tmp_path / "entity.docx", [], document_xml=(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    ))  # fmt: skip
    status, out, err = run_reader(entity, doctext.DOCX, capsys)
    assert status == 2 and "not a readable document" in err
    assert Path("/etc/hostname").read_text().strip() not in out

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a>" + b" " * (doctext.MAX_XML_BYTES + 10))
    status, out, err = run_reader(bomb, doctext.DOCX, capsys)
    assert status == 2 and "inflate" in err and out == ""

    not_zip = tmp_path / "not.odt"
    not_zip.write_bytes(b"PK\x03\x04 broken")
    assert run_reader(not_zip, doctext.ODT, capsys)[0] == 2


def test_written_testimonies_are_read_found_and_shown(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    typed = tmp_path / "testimony.txt"
    typed.write_bytes(TESTIMONY.encode("cp1251"))
    word = media.docx(tmp_path / "protocol.docx", [["Протокол"], ["Свидетель Лазовский"]])
    items = [enriching.put(p, compartment=team.a) for p in (typed, word)]
    enriching.work()
    assert [FileType.objects.get(item=i).kind for i in items] == ["text", "document"]
    for item in items:
        assert Run.objects.get(item=item, enricher="text").state == Run.State.DONE
    assert TextPage.objects.get(item=items[0]).text == TESTIMONY
    assert list(TextPage.objects.filter(item=items[1]).values_list("page", "text")) == [
        (1, "Протокол"),
        (2, "Свидетель Лазовский"),
    ]

    client = Client()
    log_in(client, team.owner)
    for query, item in (("Akrestsina", items[0]), ("Lazouski", items[1]), ("0417", items[0])):
        found = client.get("/register/search/", {"q": query}).content.decode()
        assert f"/vault/items/{item.pk}/" in found, query
    page = client.get(f"/vault/items/{items[0].pk}/").content.decode()
    assert "Акрэсціна" in page and "document text" in page
    outsider = Client()
    log_in(outsider, team.outsider)
    assert (
        f"/vault/items/{items[0].pk}/"
        not in outsider.get("/register/search/", {"q": "Akrestsina"}).content.decode()
    )
