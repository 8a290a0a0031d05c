"""The Telegram bot as it runs: `docket intake telegram`, without the vault passphrase, against
a local server that speaks the Bot API (tests/support/botapi.py). The sender's side is played
by queuing updates with real media made by ffmpeg and espeak-ng."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import media
from tests.support.botapi import BotApi
from tests.support.instance import PASSPHRASE, Instance
from tests.support.telegram import SENDER, TOKEN, bot_env, receipt_in

pytestmark = [
    pytest.mark.served,
    pytest.mark.skipif(
        not (shutil.which("ffmpeg") and shutil.which("espeak-ng")),
        reason="needs ffmpeg and espeak-ng (make test installs them)",
    ),
]

DOCUMENT_NAME = "secret-directive-name-5b1c.pdf"


@pytest.fixture
def api() -> Iterator[BotApi]:
    with BotApi(TOKEN) as server:
        yield server


def staff_env(instance: Instance, api: BotApi) -> dict[str, str]:
    return {**bot_env(instance, api), "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def bot(instance: Instance, api: BotApi, tmp_path: Path) -> Iterator[Path]:
    log = tmp_path / "bot.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "docket", "intake", "telegram"],
            env=bot_env(instance, api), stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield log
    finally:
        process.terminate()
        process.wait(timeout=30)


def shell(instance: Instance, api: BotApi, code: str) -> Any:
    """Run `code` in a staff process (it holds the key) and return what it prints as JSON."""
    result = instance.run("shell", "-c", code, env=staff_env(instance, api))
    return json.loads(result.stdout.splitlines()[-1])


def test_a_sender_reports_with_media_and_deletes_the_conversation(
    instance: Instance, api: BotApi, bot: Path, tmp_path: Path
) -> None:
    chat = SENDER["id"]
    photo = media.jpeg(tmp_path / "photo.jpg")
    video = media.mp4(tmp_path / "video.mp4")
    voice = media.voice(tmp_path / "voice.ogg", "They took us to the district department.")
    document = media.pdf("Directive: detain everyone near the stela")

    published = instance.run("intake", "telegram", "--fingerprint", env=bot_env(instance, api))
    fingerprint = re.search(rb"fingerprint: +([0-9A-F ]+)\n", published.stdout)
    assert b"@docket_intake_bot" in published.stdout and fingerprint

    api.send(SENDER, text="/start")
    welcome = api.wait(lambda: api.sent(chat))[0]["text"]
    assert "@docket_intake_bot" in welcome and fingerprint[1].decode() in welcome
    assert "https://docs.example.org/telegram" in welcome
    assert "Сначала проверьте, что это настоящий бот." in welcome  # the sender's language

    api.send(SENDER, text="Нас избили в РУВД Московского района, 10 августа.")
    first = api.wait(lambda: len(api.sent(chat)) >= 2 and api.sent(chat)[1])
    receipt = receipt_in(first["text"])
    assert json.loads(first["reply_markup"])["inline_keyboard"][0][0]["callback_data"] == "delete"

    sizes = [{"width": 160, "height": 120, **api.add_file(b"thumbnail", "photos/thumb.jpg")},
             {"width": 640, "height": 480, **api.add_file(photo, "photos/file_1.jpg")}]  # fmt: skip
    api.send(SENDER, photo=sizes, caption="The yard of the department")
    api.send(SENDER, video={"width": 320, "height": 240, "duration": 2, "mime_type": "video/mp4",
                            "file_name": "VID_20200810.mp4",
                            **api.add_file(video, "videos/file_2.mp4")})  # fmt: skip
    api.send(SENDER, voice={"duration": 3, "mime_type": "audio/ogg",
                            **api.add_file(voice, "voice/file_3.oga")})  # fmt: skip
    api.send(SENDER, document={"file_name": DOCUMENT_NAME, "mime_type": "application/pdf",
                               **api.add_file(document, "documents/file_4.pdf")})  # fmt: skip
    answers = api.wait(lambda: len(api.sent(chat)) >= 6 and api.sent(chat))
    assert all(receipt not in a["text"] for a in answers[2:])  # shown once
    assert [a["text"] for a in answers[2:]] == ["Сохранено и добавлено к вашему сообщению."] * 4

    # The sender asks to delete the conversation: every message of it goes, both sides.
    last_answer = max(api.chat)
    api.press(SENDER, last_answer, "delete")
    api.wait(lambda: any(m == "answerCallbackQuery" for m, _ in api.calls))
    assert api.chat == {}, f"left in the chat: {sorted(api.chat)}"

    stored = shell(
        instance, api,
        "import json; from docket.intake.models import Submission;"
        "from docket.intake import conversation; from docket.vault import keys;"
        "s = Submission.objects.get();"
        "print(json.dumps({'channel': s.channel, 'route': s.route, 'contact':"
        " conversation.contact(s), 'items': sorted(a.item.sha256 for a in s.attachments.all()),"
        " 'texts': [m.text for m in conversation.thread(s, keys.identity())]}))",
    )  # fmt: skip
    assert stored["channel"] == "telegram" and stored["contact"] == f"telegram:{chat}"
    assert stored["route"] == ""  # deleting also unlinked the chat from the report
    assert stored["items"] == sorted(
        hashlib.sha256(data).hexdigest() for data in (photo, video, voice, document)
    )
    assert "Нас избили в РУВД Московского района, 10 августа." in stored["texts"]
    assert "The yard of the department" in stored["texts"]
    instance.run("verify", env=staff_env(instance, api))

    # Nothing that names the sender, nor the bot's token, is kept in the clear anywhere.
    dump = instance.run("dumpdata", "--natural-foreign").stdout
    places = [(bot, bot.read_bytes()), (Path("dumpdata"), dump)]
    places += [(p, p.read_bytes()) for p in instance.root.rglob("*") if p.is_file()]
    secrets = [str(chat), SENDER["username"], SENDER["first_name"], SENDER["last_name"], TOKEN,
               DOCUMENT_NAME, "VID_20200810", "Московского района"]  # fmt: skip
    for path, content in places:
        for secret in secrets:
            assert secret.encode() not in content, f"{secret!r} found in {path}"


def test_a_reply_reaches_the_chat_and_the_receipt_continues_the_report(
    instance: Instance, api: BotApi, bot: Path
) -> None:
    chat = SENDER["id"]
    api.send(SENDER, text="Меня задержали у стелы.")
    receipt = receipt_in(api.wait(lambda: api.sent(chat))[0]["text"])

    # A documenter answers from the inbox; the worker, which holds the key, sends it.
    instance.run(
        "shell", "-c",
        "from docket.intake.models import Submission; from docket.intake import conversation;"
        "from docket.accounts.models import User;"
        "u = User.objects.create_user('clerk');"
        "conversation.reply(Submission.objects.get(), 'Спасибо. Вас били?', by=u)",
        env=staff_env(instance, api),
    )  # fmt: skip
    instance.run("worker", "--until-idle", env=staff_env(instance, api), timeout=120)
    reply = api.sent(chat)[-1]
    assert "Спасибо. Вас били?" in reply["text"]

    # A new report, then back to the first with its receipt.
    api.send(SENDER, text="/new")
    api.wait(lambda: len(api.sent(chat)) >= 3)
    continuing = api.send(SENDER, text=f"/continue {receipt}")
    found = api.wait(lambda: len(api.sent(chat)) >= 5 and api.sent(chat)[3:])
    assert continuing not in api.chat  # the receipt is not left in the chat
    assert "Спасибо. Вас били?" in found[1]["text"]
    api.send(SENDER, text="Да, дубинками по спине.")
    api.wait(lambda: len(api.sent(chat)) >= 6)

    wrong = api.send(SENDER, text="/continue " + " ".join(receipt.split()[::-1]))
    refused = api.wait(lambda: len(api.sent(chat)) >= 7 and api.sent(chat)[6])
    assert wrong not in api.chat and receipt not in refused["text"]

    counts = shell(
        instance, api,
        "import json; from docket.intake.models import Submission;"
        "print(json.dumps([s.messages.count() for s in Submission.objects.order_by('pk')]))",
    )  # fmt: skip
    # the first report: its first message, the reply, and the message sent after /continue
    assert counts == [3]


def test_the_bot_refuses_the_vault_passphrase_and_a_missing_token(
    instance: Instance, api: BotApi
) -> None:
    refused = instance.run("intake", "telegram", env=staff_env(instance, api), check=False)
    assert refused.returncode != 0 and b"must not hold the vault passphrase" in refused.stderr
    env = {k: v for k, v in bot_env(instance, api).items() if k != "DOCKET_TELEGRAM_TOKEN"}
    missing = instance.run("intake", "telegram", env=env, check=False)
    assert missing.returncode != 0 and b"DOCKET_TELEGRAM_TOKEN" in missing.stderr


def test_a_telegram_report_is_dated_to_the_hour_only(
    instance: Instance, api: BotApi, bot: Path, tmp_path: Path
) -> None:
    chat = SENDER["id"]
    api.send(SENDER, text="Нас избили у РУВД.")
    api.wait(lambda: api.sent(chat))
    photo = media.jpeg(tmp_path / "photo.jpg")
    sizes = [{"width": 640, "height": 480, **api.add_file(photo, "photos/file_1.jpg")}]
    api.send(SENDER, photo=sizes, caption="The yard")
    api.wait(lambda: len(api.sent(chat)) >= 2)

    kept = shell(instance, api, "from tests.support.kept_times import main; main()")
    assert kept["finer"] == []
    assert kept["checked"]["Submission.created_at"] == 1
    assert kept["checked"]["Message.created_at"] == 2
    assert kept["checked"]["ChatMessage.created_at"] == 4  # two messages each way
    assert kept["checked"]["blob.mtime"] == 1
    instance.run("verify", env=staff_env(instance, api))
