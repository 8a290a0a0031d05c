"""Enrichment of real files made at test time, through the queue, as the worker runs it."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction

from docket.accounts.models import Compartment
from docket.enrich import sealed
from docket.enrich.enrichers.pdq import implementation as pdq
from docket.enrich.models import Capture, Derivative, FileType, PerceptualHash, Run, TextPage
from docket.intake.models import intake_compartment
from docket.jobs.models import Job
from docket.vault import store
from docket.vault.models import CustodyEntry, Item
from docket.vault.store import read
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.personas import Team


def runs(item_id: int) -> dict[str, tuple[str, str]]:
    return {r.enricher: (r.state, r.error) for r in Run.objects.filter(item_id=item_id)}


def test_it_reads_time_place_and_device_from_a_photo(enriching: Enriching, tmp_path: Path) -> None:
    path = tmp_path / "photo.bin"  # the name says nothing; the bytes say JPEG
    media.photo(path, latitude=53.8611, longitude=27.4472, taken="2020:08:10 23:15:00",
                offset="+03:00")  # fmt: skip
    item = enriching.put(path)
    enriching.work()
    assert FileType.objects.get(item=item).mime == "image/jpeg"
    assert runs(item.pk) == {
        name: ("done", "") for name in ("filetype", "metadata", "thumbnails", "pdq", "ocr", "clean")
    }
    capture = Capture.objects.get(item=item)
    assert capture.taken_at == datetime(2020, 8, 10, 20, 15, tzinfo=UTC)
    assert capture.time_zone == "+03:00"
    assert "OffsetTimeOriginal" in capture.time_evidence
    assert capture.latitude == pytest.approx(53.8611, abs=1e-4)
    assert capture.longitude == pytest.approx(27.4472, abs=1e-4)
    assert capture.device == "TestCam X1"
    assert (capture.width, capture.height) == (640, 480)
    run = Run.objects.get(item=item, enricher="metadata")
    assert run.tool == "exiftool" and run.version and run.seconds is not None


def test_its_derived_files_are_vault_items_with_custody(
    enriching: Enriching, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    media.photo(path, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    item = enriching.put(path)
    enriching.work()
    kinds = set(Derivative.objects.filter(original=item).values_list("kind", flat=True))
    assert kinds == {"thumbnail", "clean-copy"}
    clean = Derivative.objects.get(original=item, kind="clean-copy").derived
    copy_path = tmp_path / "copy.jpg"
    copy_path.write_bytes(b"".join(read(clean, actor="test")))

    tags = subprocess.run(
        ["exiftool", "-s", "-GPSLatitude", "-Make", "-DateTimeOriginal", str(copy_path)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert tags == b"", "the clean copy keeps no place, device or time"
    derived = [e.leaf_text() for e in CustodyEntry.objects.filter(item=item, action="derived")]
    assert any(clean.sha256 in leaf and "clean-copy" in leaf for leaf in derived)
    received = CustodyEntry.objects.get(item=clean, action="received")
    assert item.sha256.encode() in bytes(received.leaf)
    # Derived files are not enriched themselves.
    assert not Run.objects.filter(item=clean).exists()


@pytest.mark.slow
def test_it_reads_when_a_video_was_made_and_hashes_its_keyframes(
    enriching: Enriching, tmp_path: Path
) -> None:
    path = tmp_path / "clip"
    media.video(path.with_suffix(".mp4"), created="2020-08-10T21:40:05Z", seconds=6)
    item = enriching.put(path.with_suffix(".mp4"))
    enriching.work()
    state = runs(item.pk)
    assert {k: v[0] for k, v in state.items()} == {
        "filetype": "done", "metadata": "done", "thumbnails": "done", "pdq": "done",
        "speech": "done", "clean": "done",
    }, state  # fmt: skip
    capture = Capture.objects.get(item=item)
    assert capture.taken_at == datetime(2020, 8, 10, 21, 40, 5, tzinfo=UTC)
    assert "creation_time" in capture.time_evidence
    assert capture.duration_seconds == pytest.approx(6, abs=0.1)
    keyframes = Derivative.objects.filter(original=item, kind="keyframe")
    assert keyframes.count() == 6
    assert Derivative.objects.filter(original=item, kind="contact-sheet").count() == 1
    hashes = PerceptualHash.objects.filter(item=item).order_by("at_seconds")
    assert [h.at_seconds for h in hashes] == [d.position for d in keyframes.order_by("position")]


@pytest.mark.slow
def test_a_copy_of_a_picture_has_a_near_pdq_hash(enriching: Enriching, tmp_path: Path) -> None:
    first = tmp_path / "a.jpg"
    media.jpeg(first, size="800x600")
    second = tmp_path / "b.png"
    media._ffmpeg("-i", str(first), "-vf", "scale=400:300", str(second))
    other = tmp_path / "c.jpg"
    media._ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=800x600", "-frames:v", "1", str(other))
    items = [enriching.put(first), enriching.put(second), enriching.put(other)]
    enriching.work()
    a, b, c = (PerceptualHash.objects.get(item=i).pdq for i in items)
    assert pdq.distance(a, b) <= 31 < pdq.distance(a, c)


@pytest.mark.slow
def test_it_reads_text_by_page_from_pdfs_and_scans(enriching: Enriching, tmp_path: Path) -> None:
    layered = tmp_path / "directive.pdf"
    layered.write_bytes(media.pdf("Order 17: clear the square by midnight"))
    scan_png = tmp_path / "scan.png"
    media.page(scan_png, "ПРИКАЗ 17\nЗачистить площадь до полуночи")
    scan_jpg = tmp_path / "scan.jpg"
    media._ffmpeg("-i", str(scan_png), str(scan_jpg))
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(media.scanned_pdf(scan_jpg.read_bytes(), 1700, 900))
    items = [enriching.put(layered), enriching.put(scanned)]
    enriching.work()
    first = TextPage.objects.get(item=items[0], page=1)
    assert first.method == "text-layer" and "clear the square" in first.text
    second = TextPage.objects.get(item=items[1], page=1)
    assert second.method == "ocr" and "площадь" in second.text.lower()


def _move(item: Item, to: Compartment) -> None:
    """Move an item as triage does: the update, then the registry, in one transaction."""
    source = item.compartment
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(compartment=to)
        for hook in store.ON_MOVED:
            hook(Item.objects.get(pk=item.pk), source)


def test_an_intake_original_waits_for_triage_and_its_derived_files_never_run(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    media.photo(path, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    item = enriching.put(path, compartment=intake_compartment())
    enriching.work()
    assert runs(item.pk) == {
        "filetype": ("done", ""), "thumbnails": ("done", ""), "clean": ("done", ""),
        "metadata": ("waiting", ""), "pdq": ("waiting", ""), "ocr": ("waiting", ""),
    }  # fmt: skip
    assert not Capture.objects.filter(item=item).exists()
    assert FileType.objects.get(item=item).description == ""
    derived = [d.derived for d in Derivative.objects.filter(original=item)]
    assert len(derived) == 2
    # Triage moves the original and its derived files; only the original's waiting steps run.
    with enriching.capture(execute=True):
        for moved in [Item.objects.get(pk=item.pk), *derived]:
            _move(moved, team.a)
    assert {r.enricher for r in Run.objects.filter(item=item, state="queued")} == {
        "metadata",
        "pdq",
        "ocr",
    }
    enriching.work()
    assert {state for state, _ in runs(item.pk).values()} == {"done"}
    assert not Run.objects.filter(item__in=derived).exists()
    capture = Capture.objects.get(item=item)
    assert (capture.device, capture.raw, capture.latitude) == ("TestCam X1", {}, None)
    opened = sealed.details(Capture.objects.get(pk=capture.pk))
    assert opened["latitude"] == pytest.approx(53.9) and opened["longitude"] == pytest.approx(27.56)
    assert b"53.9" not in bytes(capture.sealed)


def test_an_intake_original_moved_before_the_worker_saw_it_is_enriched_once_sealed(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    media.photo(path, latitude=52.1, longitude=23.7, taken="2020:08:12 10:00:00", offset="+03:00")
    item = enriching.put(path, compartment=intake_compartment())
    with enriching.capture(execute=True):
        _move(item, team.a)  # no step waits yet: the type is not known
    enriching.work()
    state = runs(item.pk)
    assert {k: v[0] for k, v in state.items()} == dict.fromkeys(
        ("filetype", "metadata", "thumbnails", "pdq", "ocr", "clean"), "done"
    ), state
    # Each step once, all in the item's own job: every one is quick on a picture.
    assert set(Run.objects.filter(item=item).values_list("attempts", flat=True)) == {1}
    assert not Job.objects.filter(kind="enrich.run").exists()
    capture = Capture.objects.get(item=item)
    assert capture.latitude is None and capture.raw == {} and capture.sealed is not None


def test_a_file_imported_by_staff_keeps_its_metadata_in_clear(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    media.photo(path, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-SerialNumber=CAM-0042", str(path)],
                   check=True)  # fmt: skip
    item = enriching.put(path, compartment=team.a)
    enriching.work()
    capture = Capture.objects.get(item=item)
    assert capture.sealed is None and capture.latitude == pytest.approx(53.9)
    assert capture.raw["exiftool"]["EXIF:SerialNumber"] == "CAM-0042"
    assert sealed.details(capture)["serial"] == "CAM-0042"
    assert "TestCam" in FileType.objects.get(item=item).description


def test_it_finds_who_a_file_names_among_its_tags() -> None:
    exif = {"EXIF:SerialNumber": "123", "MakerNotes:InternalSerialNumber": " 456 ",
            "EXIF:OwnerName": "Ann", "EXIF:Artist": "Ann", "XMP:Creator": ["Bo", "Ann"],
            "PDF:Author": "Cy", "XMP:CreatorTool": "Word", "EXIF:Make": "Canon"}  # fmt: skip
    probe = {"format": {"tags": {"ARTIST": "Di"}}, "streams": [{"tags": {"copyright": "Ed"}}]}
    assert sealed.identifying(exif, probe) == {
        "serial": "123; 456",
        "owner": "Ann",
        "artist": "Ann; Bo; Cy; Di",
        "copyright": "Ed",
    }


@pytest.mark.slow
def test_a_scanned_document_is_read_in_one_sandbox_run(
    enriching: Enriching, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every scanned page of a PDF is rendered and read by one tesseract in one confined
    process (its models load once per document), and each page keeps its own text."""
    from docket.lib.sandbox import Box

    words = ["ПРИКАЗ 17\nЗачистить площадь", "ПРИКАЗ 18\nДоставить на Окрестина",
             "ПРИКАЗ 19\nЗнаки не носить"]  # fmt: skip
    pictures = []
    for n, text in enumerate(words):
        png, jpg = tmp_path / f"scan-{n}.png", tmp_path / f"scan-{n}.jpg"
        media.page(png, text)
        media._ffmpeg("-i", str(png), str(jpg))
        pictures.append((jpg.read_bytes(), 1700, 900))
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(media.scanned_pages(pictures))
    calls: list[list[str]] = []
    real_run = Box.run

    def counted(self: Box, argv: list[str], **kwargs: object) -> object:
        calls.append(argv)
        return real_run(self, argv, **kwargs)  # type: ignore[arg-type]

    item = enriching.put(scanned)
    monkeypatch.setattr(Box, "run", counted)
    enriching.work()
    assert runs(item.pk)["ocr"] == ("done", "")
    reading = [argv for argv in calls if "tesseract" in " ".join(argv)]
    assert len(reading) == 1, reading
    assert sum("pdftoppm" in " ".join(argv) for argv in calls) == 1
    pages = {p.page: (p.method, p.text.lower()) for p in TextPage.objects.filter(item=item)}
    assert sorted(pages) == [1, 2, 3]
    assert all(method == "ocr" for method, _ in pages.values())
    assert "17" in pages[1][1] and "зачистить" in pages[1][1]
    assert "18" in pages[2][1] and "окрестина" in pages[2][1]
    assert "19" in pages[3][1] and "знаки" in pages[3][1]
    assert "окрестина" not in pages[1][1] + pages[3][1]
