"""What a sender's files say of who made them and where (a camera's serial number, its owner,
the artist, the GPS position, a document's author) is not readable without the vault key,
whichever channel brought them: while they wait in the intake only type detection, thumbnails
and the metadata-free copy run; once triage accepts them the rest runs, and those details are
kept sealed, shown on the item's page to those who may view it."""

from __future__ import annotations

import json
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from docket.intake.channels.web.client import submit
from tests.support import media
from tests.support.botapi import BotApi
from tests.support.instance import Instance
from tests.support.intake import Served
from tests.support.telegram import SENDER, TOKEN, bot_env, receipt_in

pytestmark = [
    pytest.mark.served,
    pytest.mark.skipif(
        not all(shutil.which(p) for p in ("ffmpeg", "espeak-ng", "exiftool", "tesseract", "mat2")),
        reason="needs ffmpeg, espeak-ng, exiftool, tesseract and mat2 (make test installs them)",
    ),
]

SPOKEN = "The riot police detained forty people near the metro station."
CHANNELS = ("web", "telegram", "email")
WORDS = {"web": "KESTREL", "telegram": "MARIGOLD", "email": "LANTERN"}


@dataclass
class Planted:
    """One channel's files and the canaries hidden in them."""

    channel: str
    serial: str
    owner: str
    artist: str
    author: str
    creator: str
    voice_artist: str
    latitude: float
    longitude: float
    code: str  # drawn on the picture, read by OCR after triage
    picture: bytes = b""
    document: bytes = b""
    voice: bytes = b""

    @property
    def sealed(self) -> list[str]:
        """What must never be readable without the key: names and the position's digits."""
        return [self.serial, self.owner, self.artist, self.author, self.creator,
                self.voice_artist, f"{self.latitude:.4f}", f"{self.longitude:.4f}"]  # fmt: skip


def plant(channel: str, folder: Path, rng: random.Random) -> Planted:
    def canary(kind: str) -> str:
        return f"{kind}{secrets.token_hex(6)}"

    planted = Planted(
        channel=channel, serial=canary("SN"), owner=canary("owner"), artist=canary("artist"),
        author=canary("author"), creator=canary("creator"), voice_artist=canary("voice"),
        latitude=round(rng.uniform(51.3, 56.1), 6), longitude=round(rng.uniform(23.2, 32.7), 6),
        code=f"{WORDS[channel]} {rng.randint(1000, 9999)}",
    )  # fmt: skip
    folder.mkdir()
    # A photographed order: text to read, and EXIF as a phone writes it.
    page = folder / "page.png"
    media.page(page, f"ORDER {planted.code}\nClear the square by midnight")
    picture = folder / "picture.jpg"
    media._ffmpeg("-i", str(page), str(picture))
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-Make=TestCam", "-Model=TestCam X1",
         "-DateTimeOriginal=2020:08:10 23:15:00", "-OffsetTimeOriginal=+03:00",
         f"-SerialNumber={planted.serial}", f"-OwnerName={planted.owner}",
         f"-Artist={planted.artist}",
         f"-GPSLatitude={planted.latitude}", "-GPSLatitudeRef=N",
         f"-GPSLongitude={planted.longitude}", "-GPSLongitudeRef=E", str(picture)],
        check=True, timeout=60,
    )  # fmt: skip
    planted.picture = picture.read_bytes()
    # A document whose properties name who wrote it.
    document = folder / "document.pdf"
    document.write_bytes(media.pdf(f"Directive for {channel}: clear the square near the stela"))
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", f"-PDF:Author={planted.author}",
         f"-PDF:Creator={planted.creator}", str(document)],
        check=True, timeout=60,
    )  # fmt: skip
    planted.document = document.read_bytes()
    # A voice message, its container tagged with a name.
    wav = folder / "voice.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), SPOKEN], check=True, timeout=60)
    voice = folder / "voice.ogg"
    media._ffmpeg("-i", str(wav), "-c:a", "libopus", "-b:a", "24k",
                  "-metadata", f"artist={planted.voice_artist}", str(voice))  # fmt: skip
    planted.voice = voice.read_bytes()
    return planted


@pytest.fixture
def sandbox() -> Iterator[Path]:
    # Outside pytest's private folders: the parsers run as nobody and must reach it.
    path = Path(tempfile.mkdtemp(prefix="docket-test-sandbox-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def send_by_web(served: Served, planted: Planted) -> None:
    process = served.start()
    try:
        for payload in (planted.picture, planted.document, planted.voice):
            _, receipt = submit(served.port, "What we saw at the station", payload)
            assert receipt is not None
    finally:
        process.terminate()
        process.wait(timeout=30)


def send_by_telegram(
    instance: Instance, extra: dict[str, str], log: Path, planted: Planted
) -> None:
    chat = SENDER["id"]
    with BotApi(TOKEN) as api, log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "docket", "intake", "telegram"],
            env={**bot_env(instance, api), **extra}, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            api.send(SENDER, text="What we saw at the station")
            receipt_in(api.wait(lambda: api.sent(chat))[0]["text"])
            api.send(
                SENDER,
                document={
                    "file_name": "p.jpg",
                    "mime_type": "image/jpeg",
                    **api.add_file(planted.picture, "documents/file_1.jpg"),
                },
            )
            api.send(
                SENDER,
                document={
                    "file_name": "d.pdf",
                    "mime_type": "application/pdf",
                    **api.add_file(planted.document, "documents/file_2.pdf"),
                },
            )
            api.send(SENDER, voice={"duration": 4, "mime_type": "audio/ogg",
                                    **api.add_file(planted.voice, "voice/file_3.oga")})  # fmt: skip
            api.wait(lambda: len(api.sent(chat)) >= 4)
        finally:
            process.terminate()
            process.wait(timeout=30)


def send_by_email(instance: Instance, env: dict[str, str], log: Path, planted: Planted) -> None:
    message = EmailMessage()
    message["From"] = "witness@example.org"
    message["Subject"] = "What we saw at the station"
    message.set_content("Photos, the directive and a voice note attached.")
    message.add_attachment(planted.picture, maintype="image", subtype="jpeg", filename="p.jpg")
    message.add_attachment(planted.document, maintype="application", subtype="pdf",
                           filename="d.pdf")  # fmt: skip
    message.add_attachment(planted.voice, maintype="audio", subtype="ogg", filename="v.ogg")
    saved = log.with_suffix(".eml")
    saved.write_bytes(message.as_bytes())
    read = instance.run("intake", "mail", "--file", str(saved), "--json", env=env)
    log.write_bytes(read.stdout + read.stderr)
    saved.unlink()
    assert json.loads(read.stdout)["stored"] == 1


def staff(instance: Instance, env: dict[str, str], code: str) -> Any:
    result = instance.run("shell", "-c", f"from tests.intake import staff; {code}", env=env)
    return json.loads(result.stdout.splitlines()[-1])


def nowhere(places: list[tuple[str, bytes]], secrets: list[str]) -> None:
    """No secret in any place. A coordinate's digits ("28.7856") are not counted where they are
    a time's seconds ("19:24:28.785612", in a row's timestamp): that is chance, not a leak."""
    for name, content in places:
        for secret in secrets:
            if re.fullmatch(r"\d+\.\d+", secret):
                found = re.search(rb"(?<!\d:)" + re.escape(secret.encode()), content)
                around = content[found.start() - 40 : found.end() + 40] if found else b""
                assert found is None, f"{secret!r} found in {name}: {around!r}"
            else:
                assert secret.encode() not in content, f"{secret!r} found in {name}"


def test_it_keeps_what_names_a_sender_sealed_from_every_channel(
    instance: Instance, tmp_path: Path, tmp_path_factory: Any, sandbox: Path
) -> None:
    rng = random.Random(secrets.randbits(32))
    planted = {channel: plant(channel, tmp_path / channel, rng) for channel in CHANNELS}
    logs = tmp_path / "logs"
    logs.mkdir()
    enriching = {"DOCKET_ENRICH_ON_STORE": "true", "DOCKET_LOG_LEVEL": "DEBUG"}
    served = Served(instance, logs)
    served.env.update(enriching)
    intake = {**served.env}
    worker = {**instance.env, **enriching, "DOCKET_SANDBOX_DIR": str(sandbox),
              "DOCKET_MODELS_DIR": str(tmp_path_factory.getbasetemp() / "models-cli")}  # fmt: skip
    shell = {**worker, "DOCKET_ALLOWED_HOSTS": "testserver"}

    send_by_web(served, planted["web"])
    send_by_telegram(instance, enriching, logs / "bot.log", planted["telegram"])
    send_by_email(instance, intake, logs / "mail.log", planted["email"])

    def work(name: str) -> None:
        done = instance.run("worker", "--until-idle", env=worker, timeout=600)
        (logs / f"{name}.log").write_bytes(done.stdout + done.stderr)

    def everywhere() -> list[tuple[str, bytes]]:
        places = [("dumpdata", instance.run("dumpdata", "--natural-foreign", env=worker).stdout)]
        # The database file and its write-ahead log, the vault, the keys: everything on disk.
        places += [(str(p), p.read_bytes()) for p in instance.root.rglob("*") if p.is_file()]
        places += [(str(p), p.read_bytes()) for p in sandbox.rglob("*") if p.is_file()]
        places += [(str(p), p.read_bytes()) for p in logs.rglob("*") if p.is_file()]
        return places

    sealed = [secret for p in planted.values() for secret in p.sealed]
    read_later = [p.code for p in planted.values()]

    # 1. In the intake: only type, thumbnails and the metadata-free copy; the rest waits.
    work("worker-intake")
    items = staff(instance, shell, "staff.state()")
    assert len(items) == 9 and {i["channel"] for i in items.values()} == set(CHANNELS)
    by_mime: dict[str, list[dict[str, Any]]] = {}
    for item in items.values():
        by_mime.setdefault(item["mime"], []).append(item)
        assert item["compartment"] == "intake"
        assert item["description"] == ""  # libmagic quotes EXIF and comments there
        assert item["capture"] is None and item["text"] == [] and item["spoken"] == []
        # Found only by the name the pages give it (its report, its place, its type): nothing
        # read in it or sent with it is searchable before triage.
        assert set(item["indexed_words"].split()) <= {"report", "jpg", "pdf", "ogg", "oga"} | set(
            re.findall(r"\d+", item["indexed_words"])
        ), item["indexed_words"]
    assert sorted(by_mime) == ["application/pdf", "audio/ogg", "image/jpeg"]
    waiting, done = "waiting", "done"
    assert all(
        i["runs"] == {"filetype": done, "thumbnails": done, "clean": done, "metadata": waiting,
                      "pdq": waiting, "ocr": waiting}
        for i in by_mime["image/jpeg"]
    ), by_mime["image/jpeg"]  # fmt: skip
    assert all(
        i["runs"] == {"filetype": done, "clean": done, "metadata": waiting, "ocr": waiting}
        for i in by_mime["application/pdf"]
    ), by_mime["application/pdf"]  # fmt: skip
    assert all(
        i["runs"] == {"filetype": done, "clean": done, "metadata": waiting, "speech": waiting}
        for i in by_mime["audio/ogg"]
    ), by_mime["audio/ogg"]  # fmt: skip
    nowhere(everywhere(), sealed + read_later)

    # 2. Triage accepts every report into a casefile compartment; the waiting steps run.
    # The web form took one file per report: five reports in all.
    assert staff(instance, shell, "staff.accept_all()") == [302] * 5
    work("worker-triaged")
    items = staff(instance, shell, "staff.state()")
    for item in items.values():
        assert item["compartment"] == "okr-casefiles"
        assert set(item["runs"].values()) == {done}, item["runs"]
        assert item["capture"]["raw"] == {} and item["capture"]["latitude"] is None
    pictures = [i for i in items.values() if i["mime"] == "image/jpeg"]
    for picture in pictures:
        assert picture["capture"]["device"] == "TestCam X1"
        assert picture["capture"]["taken_at"] == "2020-08-10T20:15:00+00:00"
        assert picture["capture"]["sealed"]
        assert picture["indexed"] and any(w in " ".join(picture["text"]) for w in WORDS.values())
    voices = [i for i in items.values() if i["mime"] == "audio/ogg"]
    assert all(v["indexed"] and "detained" in " ".join(v["spoken"]).lower() for v in voices)
    nowhere(everywhere(), sealed)

    # 3. The analyst of that compartment sees the sealed details on the item's page and finds
    # what was read and heard; an outsider gets nothing.
    queries = ["detained", *WORDS.values()]
    seen = staff(instance, shell, f"staff.look({sorted(int(pk) for pk in items)}, {queries})")
    analyst, outsider = seen["analyst"], seen["outsider"]
    by_channel = {p.channel: p for p in planted.values()}
    for pk, item in items.items():
        status, page = analyst["pages"][pk]
        assert status == 200
        assert outsider["pages"][pk][0] == 404
        sent = by_channel[item["channel"]]
        if item["mime"] == "image/jpeg":
            for shown in (sent.serial, sent.owner, sent.artist, "TestCam X1",
                          f"{sent.latitude:.6f}", f"{sent.longitude:.6f}"):  # fmt: skip
                assert shown in page, f"{shown!r} not on the page of item {pk}"
        elif item["mime"] == "application/pdf":
            assert sent.author in page and sent.creator in page
        else:
            assert sent.voice_artist in page
    for query in queries:
        hits = [pk for pk in items if f"/vault/items/{pk}/" in analyst["search"][query]]
        assert len(hits) == (3 if query == "detained" else 1), query
        assert not any(f"/vault/items/{pk}/" in outsider["search"][query] for pk in items)
