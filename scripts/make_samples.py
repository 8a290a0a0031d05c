"""Generate the demo's sample evidence: a testimony, a scanned-looking image, a recording, a
spreadsheet, a PDF and a Telegram channel export. Made by code, so nothing is downloaded and no
real person appears."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
import wave
import zlib
from pathlib import Path

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


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples"))
