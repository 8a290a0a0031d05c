"""Files made to break parsers: each ends in a recorded error, the worker goes on, the item
stays in the vault, and nothing is written outside the job's box."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from docket.enrich.models import Run
from docket.vault.models import Item
from docket.vault.store import read
from tests.support import media
from tests.support.enriching import Enriching


def png_bomb(path: Path, side: int) -> None:
    """A PNG of side x side grey pixels: a few hundred kilobytes that decode to side² bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    squeeze = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + pixels
    body = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def states(item: Item) -> dict[str, tuple[str, str]]:
    return {r.enricher: (r.state, r.error) for r in Run.objects.filter(item=item)}


def outside_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_decompression_bomb_hits_the_memory_limit(
    enriching: Enriching, tmp_path: Path, settings: Any
) -> None:
    settings.SANDBOX_MEMORY_MB = 256
    bomb = tmp_path / "bomb.png"
    png_bomb(bomb, 20000)  # 400 MB of pixels
    assert bomb.stat().st_size < 1024 * 1024
    item = enriching.put(bomb)
    enriching.work()
    found = states(item)
    assert found["filetype"][0] == "done"
    for name in ("thumbnails", "pdq"):
        state, error = found[name]
        assert state == "failed" and error.startswith("ffmpeg"), (name, error)
    assert found["ocr"][0] == "failed"
    assert b"".join(read(item, actor="test")) == bomb.read_bytes(), "the original is intact"


@pytest.mark.slow
def test_a_hanging_parser_is_stopped_at_the_wall_clock_limit(
    enriching: Enriching, tmp_path: Path, settings: Any
) -> None:
    # A 300 KB picture of a cellular automaton that keeps Tesseract's layout analysis busy
    # for minutes.
    settings.SANDBOX_WALL_SECONDS = 3
    picture = tmp_path / "pattern.png"
    media._ffmpeg(
        "-f", "lavfi", "-i", "cellauto=s=3000x3000:rule=110", "-frames:v", "1", str(picture)
    )  # fmt: skip
    item = enriching.put(picture)
    enriching.work()
    state, error = states(item)["ocr"]
    assert state == "failed"
    assert error == "tesseract stopped after 3 s (wall-clock limit)"
    # Killed as a group: no tesseract is left running.
    left = subprocess.run(["pgrep", "-f", "tesseract original"], capture_output=True)
    assert left.returncode == 1
    assert states(item)["thumbnails"][0] == "done", "the other enrichers still ran"


def test_a_truncated_video_and_a_malformed_pdf_fail_clearly(
    enriching: Enriching, tmp_path: Path, settings: Any
) -> None:
    whole = media.video(tmp_path / "whole.mp4", created="2020-08-10T21:00:00Z", seconds=4)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole[: len(whole) // 2])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ntrailer garbage")
    before = outside_files(tmp_path)
    video, document = enriching.put(truncated), enriching.put(broken)
    jobs = enriching.work()
    assert jobs >= 4
    failed_video = {k: v for k, v in states(video).items() if v[0] == "failed"}
    assert "metadata" in failed_video
    assert failed_video["metadata"][1] == (
        "ffprobe exited with status 1: original: Invalid data found when processing input"
    )
    ocr_state, ocr_error = states(document)["ocr"]
    assert ocr_state == "failed" and ocr_error.startswith("pdfinfo exited with status")
    assert Item.objects.filter(pk__in=[video.pk, document.pk]).count() == 2
    # Nothing written beside the inputs (only the vault grew), and every box is gone.
    assert {p for p in outside_files(tmp_path) if "vault" not in p.parts} == {
        p for p in before if "vault" not in p.parts
    }
    assert not any(Path(settings.SANDBOX_DIR).iterdir())
