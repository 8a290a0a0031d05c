"""Generate the demo's sample evidence: a testimony, a scanned-looking image, a recording, a
spreadsheet, a PDF, a Telegram channel export, and photos and videos taken at the anchor
events (with a re-posted copy in a second channel and a cropped copy for the intake). Made by
code, so nothing is downloaded and no real person appears."""

from __future__ import annotations

import json
import math
import random
import struct
import subprocess
import sys
import wave
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy

from docket.register.anchors import MINSK, SITES, moved

TESTIMONY = """Testimony 2020-08-11, Minsk (sample, fictitious)

On 10 August 2020 at about 23:30 I was detained near the Pushkinskaya metro station by men in
black uniforms without insignia. I was taken by bus to the detention centre on Akrestsina
street. In the yard we were made to kneel with our hands behind our heads for several hours.
I saw officers beating people with batons as they came off the bus ("the corridor").
"""


def png(width: int, height: int) -> bytes:
    rows = b""
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            shade = 200 + int(40 * math.sin((x + y) / 9))
            row += bytes([shade, shade - 10, shade - 25])
        rows += bytes(row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def wav(path: Path, seconds: float = 2.0, rate: int = 16000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        out.writeframes(frames)


def pdf(text: str) -> bytes:
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


HRODNA = """Testimony 2020-08-12, Hrodna (sample, fictitious)

On 11 August 2020 riot police detained about thirty of us on Savetskaja street after the
evening march. We were held overnight in the district police department without water.
"""


def main(root: Path) -> None:
    (root / "hrodna").mkdir(parents=True, exist_ok=True)
    (root / "hrodna" / "2020-08-12-hrodna.txt").write_text(HRODNA)
    target = root / "default"
    target.mkdir(parents=True, exist_ok=True)
    (target / "testimonies").mkdir(exist_ok=True)
    (target / "testimonies" / "2020-08-11-akrestsina.txt").write_text(TESTIMONY)
    (target / "photos").mkdir(exist_ok=True)
    (target / "photos" / "bruising-2020-08-14.png").write_bytes(png(320, 240))
    (target / "recordings").mkdir(exist_ok=True)
    wav(target / "recordings" / "radio-2020-08-10.wav")
    (target / "lists.csv").write_text(
        "date,place,detained\n2020-08-09,Minsk,3000\n2020-08-10,Minsk,2000\n2020-08-11,Hrodna,150\n"
    )
    (target / "directive-scan.pdf").write_bytes(pdf("Directive (sample): disperse by any means"))
    # Files senders attached to the sample intake reports (kept apart from "default").
    (root / "intake").mkdir(exist_ok=True)
    (root / "intake" / "yard.png").write_bytes(png(240, 180))
    (root / "intake" / "order.pdf").write_bytes(
        pdf("Order (sample): detain everyone near the stela after 23:00")
    )
    (root / "intake" / "witness.eml").write_bytes(witness_mail(png(200, 150)))
    telegram_export(root / "telegram")
    lead_samples(root)
    print(f"sample files in {root}")


SPOKEN = "The commander ordered the riot police to clear the square before midnight."
SCANNED = "ПРИКАЗ 17\nОчистить площадь Независимости до полуночи"  # noqa: RUF001
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


def telegram_export(root: Path) -> Path:
    """A channel's export as Telegram Desktop writes it (Machine-readable JSON): a voice
    message spoken by espeak-ng, a scanned order drawn by ffmpeg, a PDF, and the traps a
    real export holds (a file not included, a link, a path that climbs out)."""
    folder = root / "ChatExport_2020-08-12"
    for name in ("voice_messages", "photos", "files"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    voice = folder / "voice_messages" / "audio_1@10-08-2020_23-15-00.ogg"
    spoken = folder / "spoken.wav"
    _run("espeak-ng", "-v", "en", "-w", str(spoken), SPOKEN)
    _run("ffmpeg", "-v", "error", "-y", "-i", str(spoken), "-c:a", "libopus", "-b:a", "24k",
         str(voice))  # fmt: skip
    spoken.unlink()
    text = folder / "scan.txt"
    text.write_text(SCANNED, encoding="utf-8")
    _run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=white:size=1700x900",
         "-frames:v", "1", "-vf", f"drawtext=fontfile={FONT}:textfile={text}:fontsize=40:"
         "fontcolor=black:x=60:y=60:line_spacing=24",
         str(folder / "photos" / "photo_2@10-08-2020_23-20-00.png"))  # fmt: skip
    text.unlink()
    (folder / "files" / "directive.pdf").write_bytes(pdf("Directive on mass events"))
    link = folder / "files" / "link"
    if not link.is_symlink():
        link.symlink_to("/etc/passwd")
    channel = {"from": "Minsk Witness", "from_id": "channel1234567890"}

    def message(number: int, unix: int, **fields: object) -> dict[str, object]:
        import datetime

        local = datetime.datetime.fromtimestamp(unix, datetime.UTC).replace(tzinfo=None)
        return {"id": number, "type": "message", "date": local.isoformat(),
                "date_unixtime": str(unix), **channel, "text_entities": [], **fields}  # fmt: skip

    messages = [
        {"id": 1, "type": "service", "date": "2020-08-10T20:00:00", "date_unixtime": "1597078800",
         "actor": "Minsk Witness", "action": "create_channel", "title": "Minsk Witness",
         "text": "", "text_entities": []},
        message(2, 1597090500, file="voice_messages/audio_1@10-08-2020_23-15-00.ogg",
                media_type="voice_message", mime_type="audio/ogg", duration_seconds=5,
                text="Recorded near the Stela"),
        message(3, 1597090800, forwarded_from="Leaks Belarus",
                photo="photos/photo_2@10-08-2020_23-20-00.png", width=1700, height=900,
                text=["The order, ", {"type": "bold", "text": "scanned"}]),
        message(4, 1597125600, media_type="video_file", text="Too large",
                file="(File not included. Change data exporting settings to download.)"),
        message(5, 1597136700, file="files/directive.pdf", mime_type="application/pdf",
                text=""),
        message(6, 1597136760, file="files/link", text=""),
        message(7, 1597136820, file="../../etc/hostname", text=""),
    ]  # fmt: skip
    result = {"name": "Minsk Witness", "type": "public_channel", "id": 1234567890,
              "messages": messages}  # fmt: skip
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return folder


def witness_mail(photo: bytes) -> bytes:
    """A sample e-mail report with a photo, as `docket intake mail` would find it."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "A witness <witness@example.org>"
    message["To"] = "reports@example.org"
    message["Subject"] = "Pushkinskaya, 10 August, night"
    message.set_content(
        "I filmed from my balcony: men in black uniforms without insignia beat people at the "
        "metro entrance and loaded them into a bus. A still from the video is attached."
    )
    message.add_attachment(photo, maintype="image", subtype="png", filename="still.png")
    return message.as_bytes()


@dataclass(frozen=True)
class Shot:
    """A photo or video taken near a spot of docket/register/anchors.py."""

    name: str
    #: The anchor event it was taken at, or None: it must match no event.
    anchor: str | None
    site: str
    north_m: float
    east_m: float
    #: The camera's clock, Minsk local time.
    local: datetime
    #: The offset the camera wrote beside its clock; None: it wrote none (the zone is assumed).
    offset: str | None = "+03:00"

    @property
    def position(self) -> tuple[float, float]:
        site = SITES[self.site]
        return moved(site.lat, site.lon, self.north_m, self.east_m)

    @property
    def utc(self) -> datetime:
        return self.local.replace(tzinfo=MINSK).astimezone(UTC)


def _at(day: int, hour: int, minute: int, second: int) -> datetime:
    """A camera's clock in August 2020."""
    return datetime(2020, 8, day, hour, minute, second)


PHOTOS = [
    Shot("IMG_20200809_224812.jpg", "demo-anchor-1", "stela", -130, -120, _at(9, 22, 48, 12)),
    Shot("IMG_20200810_234105.jpg", "demo-anchor-3", "pushkinskaya", 120, 30, _at(10, 23, 41, 5)),
    Shot("IMG_20200811_031522.jpg", "demo-anchor-4", "akrestsina-gate", 40, 240,
         _at(11, 3, 15, 22)),
    # An older camera: its clock only, no zone; Minsk time is assumed.
    Shot("DSC_0412.JPG", "demo-anchor-2", "niamiha", 110, -150, _at(10, 21, 52, 30), None),
    # The Stela two weeks later: no event of the register was then and there.
    Shot("IMG_20200823_161530.jpg", None, "stela", 60, 90, _at(23, 16, 15, 30)),
]  # fmt: skip
VIDEOS = [
    Shot("VID_20200810_230512.mp4", "demo-anchor-3", "pushkinskaya", -20, -80,
         _at(10, 23, 5, 12)),
    Shot("VID_20200809_231840.mp4", "demo-anchor-1", "stela", 220, 40, _at(9, 23, 18, 40)),
]  # fmt: skip
#: The Pushkinskaya video again, as another channel re-posted it the same night.
REPOSTED = VIDEOS[0]
REPOST_EXPORT = "ChatExport_2020-08-11"
REPOST_FILE = "video_files/video_2020-08-11_00-42-10.mp4"
#: The Stela photo, trimmed and re-compressed as a messenger passes it on, for the intake.
FORWARDED = PHOTOS[0]
FORWARDED_FILE = "stela-forwarded.jpg"
VIDEO_SECONDS = 4


def scene(width: int, height: int, seed: int, *, obelisk: bool) -> bytes:
    """A night street drawn with shapes (raw RGB): sky, lit buildings, a crowd with
    white-red-white flags. Plenty of edges, so its PDQ hash is of good quality; each seed
    another picture. numpy, not a drawing library: the project has it already."""
    rng = random.Random(seed)
    image = numpy.zeros((height, width, 3), dtype=numpy.uint8)
    horizon = int(height * rng.uniform(0.55, 0.65))
    t = numpy.linspace(0, 1, horizon)[:, None]
    image[:horizon] = numpy.stack([15 + 140 * t, 20 + 70 * t, 70 - 30 * t], axis=-1).astype(
        numpy.uint8
    )
    x = -rng.randint(0, 40)
    while x < width:
        w, h = rng.randint(width // 12, width // 5), rng.randint(height // 6, horizon - 30)
        shade = rng.randint(25, 80)
        image[horizon - h : horizon, max(0, x) : x + w] = (shade, shade, shade + 15)
        for wy in range(horizon - h + 12, horizon - 14, 22):
            for wx in range(x + 8, x + w - 12, 18):
                if rng.random() < 0.5 and wx >= 0:
                    image[wy : wy + 12, wx : wx + 9] = (250, 215, 120)
        x += w + rng.randint(4, 30)
    if obelisk:
        middle, top = int(width * rng.uniform(0.35, 0.65)), int(height * 0.08)
        for y in range(top, horizon):
            half = 9 + (22 - 9) * (y - top) // max(1, horizon - top)
            image[y, middle - half : middle + half] = (205, 200, 190)
        _ellipse(image, middle, top - 10, 11, 11, (255, 200, 40))
    image[horizon:] = (50, 50, 56)
    # Pools of street light: large bright shapes, which keep the hash steady under crops.
    ys, xs = numpy.ogrid[0:height, 0:width]
    light = numpy.zeros((height, width))
    for _ in range(3):
        lx, ly, radius = (
            rng.randint(0, width),
            rng.randint(0, height),
            width * rng.uniform(0.15, 0.3),
        )
        light += 100 * numpy.exp(-((xs - lx) ** 2 + (ys - ly) ** 2) / (2 * radius**2))
    image[:] = numpy.clip(image + light[..., None] * (1.0, 0.8, 0.45), 0, 255).astype(numpy.uint8)
    for _ in range(width // 9):
        cx, cy = rng.randint(0, width), rng.randint(horizon + 10, height + 20)
        size = 8 + (cy - horizon) // 9
        colour = rng.choice([(20, 20, 24), (70, 40, 40), (30, 45, 70), (90, 90, 95)])
        _ellipse(image, cx, cy + size // 2, size, size * 5 // 4, colour)
        _ellipse(image, cx, cy - size // 2, size // 2, size // 2, (215, 175, 150))
        if rng.random() < 0.12:
            pole, top = cx + size, cy - 3 * size
            image[max(0, top) : max(0, cy + size), pole : pole + 3] = (120, 90, 60)
            for n, fill in enumerate([(250, 250, 250), (200, 30, 30), (250, 250, 250)]):
                band = max(0, top + n * size // 3)
                image[band : band + size // 3 + 1, pole : pole + 3 * size] = fill
    return image.tobytes()


def _ellipse(image: Any, cx: int, cy: int, rx: int, ry: int, colour: tuple[int, ...]) -> None:
    height, width = image.shape[:2]
    top, bottom, left, right = (
        max(0, cy - ry),
        min(height, cy + ry),
        max(0, cx - rx),
        min(width, cx + rx),
    )
    if top >= bottom or left >= right:
        return
    ys, xs = numpy.ogrid[top:bottom, left:right]
    inside = ((xs - cx) / max(rx, 1)) ** 2 + ((ys - cy) / max(ry, 1)) ** 2 <= 1
    image[top:bottom, left:right][inside] = colour


def _encode(raw: bytes, width: int, height: int, out: Path, *options: str) -> None:
    """Raw RGB pixels into a picture file (its format by the name) through ffmpeg."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", f"{width}x{height}", "-i", "-", "-frames:v", "1", *options, str(out)],
        input=raw, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def lead_samples(root: Path) -> None:
    """Photos (EXIF DateTimeOriginal, OffsetTimeOriginal, GPS) and videos (QuickTime
    creation_time and location) taken at the anchor events, into the default compartment's
    samples; the Pushkinskaya video re-posted by a second channel (its own Telegram export);
    the Stela photo as a sender passes it on, for the intake."""
    photos, videos = root / "default" / "photos", root / "default" / "videos"
    photos.mkdir(parents=True, exist_ok=True)
    videos.mkdir(parents=True, exist_ok=True)
    tags: list[str] = []
    for n, shot in enumerate(PHOTOS):
        path = photos / shot.name
        sign = photos / "sign.txt"
        sign.write_text(SITES[shot.site].be.split(",")[0], encoding="utf-8")
        _encode(scene(960, 720, 100 + n, obelisk=shot.site == "stela"), 960, 720, path,
                "-vf", f"drawtext=fontfile={FONT}:textfile={sign}:fontsize=26:"
                f"fontcolor=0xC81E1E:box=1:boxcolor=white@0.9:boxborderw=8:x={40 + 60 * n}:y=40",
                "-q:v", "3")  # fmt: skip
        sign.unlink()
        lat, lon = shot.position
        tags += ["-Make=Sample", "-Model=Phone (demo)",
                 f"-DateTimeOriginal={shot.local:%Y:%m:%d %H:%M:%S}",
                 f"-CreateDate={shot.local:%Y:%m:%d %H:%M:%S}",
                 *([f"-OffsetTimeOriginal={shot.offset}"] if shot.offset else []),
                 f"-GPSLatitude={lat:.6f}", "-GPSLatitudeRef=N",
                 f"-GPSLongitude={lon:.6f}", "-GPSLongitudeRef=E",
                 str(path), "-execute"]  # fmt: skip
    _run("exiftool", *tags[:-1], "-common_args", "-q", "-overwrite_original")
    for n, shot in enumerate(VIDEOS):
        video(videos / shot.name, shot, seed=200 + n)
    (root / "intake").mkdir(parents=True, exist_ok=True)
    # Trimmed at two edges, three quarters the size, recompressed, no EXIF: a messenger's copy
    # (PDQ forgives a trim of a percent or so, not a real crop).
    _run("ffmpeg", "-v", "error", "-y", "-i", str(photos / FORWARDED.name), "-map_metadata", "-1",
         "-vf", "crop=iw*99/100:ih*99/100:iw/100:ih/100,scale=iw*3/4:-2", "-q:v", "9",
         str(root / "intake" / FORWARDED_FILE))  # fmt: skip
    repost_export(root / "telegram", videos / REPOSTED.name)


def video(path: Path, shot: Shot, *, seed: int) -> None:
    """A few seconds panning across a drawn street, with the container's creation time (UTC)
    and ISO 6709 location a phone writes."""
    wide = path.with_suffix(".png")
    _encode(scene(1280, 360, seed, obelisk=shot.site == "stela"), 1280, 360, wide)
    lat, lon = shot.position
    _run("ffmpeg", "-v", "error", "-y", "-loop", "1", "-framerate", "25", "-i", str(wide),
         "-t", str(VIDEO_SECONDS), "-vf", "crop=640:360:x='t*150':y=0,format=yuv420p",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "25",
         "-metadata", f"creation_time={shot.utc:%Y-%m-%dT%H:%M:%S}.000000Z",
         "-metadata", f"location={lat:+08.4f}{lon:+09.4f}/", str(path))  # fmt: skip
    wide.unlink()


def repost_export(root: Path, original: Path) -> Path:
    """A second channel's export holding a re-post of one sample video: smaller, at a lower
    bitrate, with the channel's caption band over the bottom and no metadata left."""
    folder = root / REPOST_EXPORT
    target = folder / REPOST_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    text = folder / "caption.txt"
    text.write_text("Пушкінская, 10.08 · @minsk_now_sample", encoding="utf-8")
    _run("ffmpeg", "-v", "error", "-y", "-i", str(original), "-map_metadata", "-1",
         "-vf", "scale=480:270,drawbox=x=0:y=ih-22:w=iw:h=22:color=black@0.5:t=fill,"
         f"drawtext=fontfile={FONT}:textfile={text}:fontsize=13:fontcolor=white:x=10:y=h-17",
         "-c:v", "libx264", "-preset", "veryfast", "-b:v", "250k", str(target))  # fmt: skip
    text.unlink()
    posted = 1597095730  # 2020-08-11 00:42:10 Minsk
    result = {
        "name": "Minsk Now (sample)", "type": "public_channel", "id": 2345678901,
        "messages": [
            {"id": 1, "type": "service", "date": "2020-08-10T20:00:00",
             "date_unixtime": "1597089600", "actor": "Minsk Now (sample)",
             "action": "create_channel", "title": "Minsk Now (sample)", "text": "",
             "text_entities": []},
            {"id": 2, "type": "message",
             "date": datetime.fromtimestamp(posted, UTC).replace(tzinfo=None).isoformat(),
             "date_unixtime": str(posted), "from": "Minsk Now (sample)",
             "from_id": "channel2345678901", "file": REPOST_FILE, "media_type": "video_file",
             "mime_type": "video/mp4", "duration_seconds": VIDEO_SECONDS, "width": 480,
             "height": 270, "text": "Пушкинская, этой ночью. Видео подписчика",
             "text_entities": []},
        ],
    }  # fmt: skip
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return folder


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples"))
