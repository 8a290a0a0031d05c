"""Real media files made at test time with the programs Docket's users' files come from:
a JPEG photo and an MP4 video by ffmpeg, spoken words by espeak-ng in an Ogg Opus voice
message (as Telegram sends them), a PDF document."""

from __future__ import annotations

import importlib.util
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

_SAMPLES = Path(__file__).resolve().parents[2] / "scripts" / "make_samples.py"


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120
    )


def jpeg(path: Path, size: str = "640x480") -> bytes:
    _ffmpeg("-f", "lavfi", "-i", f"testsrc=size={size}", "-frames:v", "1", str(path))
    return path.read_bytes()


def mp4(path: Path, seconds: int = 2) -> bytes:
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=25",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path.read_bytes()


def voice(path: Path, words: str) -> bytes:
    """`words` spoken by espeak-ng, as an Ogg Opus voice message."""
    wav = path.with_suffix(".wav")
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), words], check=True, timeout=60)
    _ffmpeg("-i", str(wav), "-c:a", "libopus", "-b:a", "24k", str(path))
    return path.read_bytes()


def samples() -> Any:
    """scripts/make_samples.py, which makes the demo's samples (and some of the tests').
    Loaded once and kept in sys.modules, where its dataclasses look themselves up."""
    if "make_samples" in sys.modules:
        return sys.modules["make_samples"]
    spec = importlib.util.spec_from_file_location("make_samples", _SAMPLES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    return module


def pdf(text: str) -> bytes:
    return bytes(samples().pdf(text))


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def photo(path: Path, *, latitude: float, longitude: float, taken: str, offset: str) -> bytes:
    """A JPEG whose EXIF says where and when (written by exiftool, as a phone would):
    `taken` is "YYYY:MM:DD HH:MM:SS" on the camera's clock, `offset` like "+03:00"."""
    made = path.with_name(path.name + ".jpg")
    jpeg(made)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original",
         f"-DateTimeOriginal={taken}", f"-OffsetTimeOriginal={offset}",
         "-Make=TestCam", "-Model=TestCam X1",
         f"-GPSLatitude={abs(latitude)}", f"-GPSLatitudeRef={'N' if latitude >= 0 else 'S'}",
         f"-GPSLongitude={abs(longitude)}", f"-GPSLongitudeRef={'E' if longitude >= 0 else 'W'}",
         str(made)],
        check=True, timeout=60,
    )  # fmt: skip
    made.replace(path)
    return path.read_bytes()


def video(path: Path, *, created: str, seconds: int = 4) -> bytes:
    """An MP4 whose container says when it was made (`created`: ISO 8601 in UTC)."""
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=25",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        "-metadata", f"creation_time={created}", str(path),
    )  # fmt: skip
    return path.read_bytes()


def speech(path: Path, words: str, *, voice_name: str = "en") -> bytes:
    """`words` spoken by espeak-ng, as a WAV file."""
    subprocess.run(["espeak-ng", "-v", voice_name, "-w", str(path), words], check=True, timeout=60)
    return path.read_bytes()


def page(path: Path, text: str) -> bytes:
    """A scanned-looking page: `text` (lines) drawn black on white with DejaVu Sans, as PNG."""
    source = path.with_suffix(".txt")
    source.write_text(text, encoding="utf-8")
    _ffmpeg(
        "-f", "lavfi", "-i", "color=white:size=1700x900", "-frames:v", "1",
        "-vf", f"drawtext=fontfile={FONT}:textfile={source}:fontsize=40:fontcolor=black"
               ":x=60:y=60:line_spacing=24",
        str(path),
    )  # fmt: skip
    return path.read_bytes()


def scanned_pdf(picture: bytes, width: int, height: int) -> bytes:
    """A one-page PDF holding only a JPEG (no text layer), as a scanner makes them."""
    return scanned_pages([(picture, width, height)])


def scanned_pages(pictures: list[tuple[bytes, int, int]]) -> bytes:
    """A PDF of one page per JPEG (picture, width, height), with no text layer."""
    count = len(pictures)
    kids = b" ".join(b"%d 0 R" % (3 + 3 * n) for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
    ]
    for n, (picture, width, height) in enumerate(pictures):
        page, image, contents = 3 + 3 * n, 4 + 3 * n, 5 + 3 * n
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject "
            b"<< /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (width, height, image, contents)
        )
        assert len(objects) == page
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
            % (width, height, len(picture), picture)
        )
        drawing = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (width, height)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(drawing), drawing))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def write_files(root: Path, sizes: dict[str, int], seed: int = 1) -> dict[str, bytes]:
    """Files of the given sizes with distinct random content; returns name -> content."""
    rng = random.Random(seed)
    made = {}
    for name, size in sizes.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = rng.randbytes(size)
        path.write_bytes(data)
        made[name] = data
    return made


def wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A silent PCM WAV file, made here."""
    frames = b"\x00\x00" * int(seconds * rate)
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
    '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
    'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
    '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    '"word/document.xml"/></Relationships>'
)


def docx(path: Path, pages: list[list[str]], *, document_xml: str | None = None) -> Path:
    """A Word file as Word writes one: paragraphs, a page break between pages."""
    from xml.sax.saxutils import escape

    body = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'.join(
        "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in page) for page in pages
    )
    xml = document_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://'
        f'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body>'
        "</w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", xml)
    return path


def odt(path: Path, pages: list[list[str]]) -> Path:
    """An OpenDocument text: headings and paragraphs, a soft page break between pages."""
    from xml.sax.saxutils import escape

    body = "<text:soft-page-break/>".join(
        "".join(f"<text:p>{escape(p)}</text:p>" for p in page) for page in pages
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:'
            'oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:'
            f'opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text>'
            "</office:body></office:document-content>",
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"/>',
        )
    return path
