"""The e-mail channel as it runs: `docket intake mail`, without the vault passphrase, polling a
real Dovecot IMAP server on loopback (tests/support/dovecot.py) that holds real messages."""

from __future__ import annotations

import hashlib
import imaplib
import json
import shutil
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.support import media
from tests.support.dovecot import DOVECOT, Dovecot
from tests.support.instance import PASSPHRASE, Instance
from tests.support.intake import intake_env

pytestmark = [
    pytest.mark.served,
    pytest.mark.skipif(
        not Path(DOVECOT).exists() or not shutil.which("ffmpeg"),
        reason="needs Debian's dovecot-imapd and ffmpeg (make test installs them)",
    ),
]

SENDER = "Distinct Sender <distinct.sender.77@example.net>"
ADDRESS = "198.51.100.23"
MAILER = "TraceMail/9.9 (distinctive)"
FILE_NAME = "secret-attachment-name-3c9d.jpg"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with Dovecot() as server:
        yield server


def mail_env(instance: Instance, server: Dovecot) -> dict[str, str]:
    env = intake_env(instance)
    env.update(
        DOCKET_IMAP_HOST="127.0.0.1",
        DOCKET_IMAP_PORT=str(server.port),
        DOCKET_IMAP_SECURITY="none",
        DOCKET_IMAP_USER=server.user,
        DOCKET_IMAP_PASSWORD=server.password,
        DOCKET_INTAKE_MAX_FILE_BYTES="300000",
    )
    return env


def imap(server: Dovecot) -> imaplib.IMAP4:
    connection = imaplib.IMAP4("127.0.0.1", server.port)
    connection.login(server.user, server.password)
    return connection


def deliver(server: Dovecot, message: EmailMessage | bytes) -> None:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    connection = imap(server)
    connection.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
    connection.logout()


def count(server: Dovecot, folder: str) -> int:
    connection = imap(server)
    status, data = connection.select(f'"{folder}"', readonly=True)
    connection.logout()
    return int(data[0] or 0) if status == "OK" else 0


def folders(server: Dovecot) -> dict[str, int]:
    """How many messages each folder of the mailbox holds, for every folder that holds any."""
    connection = imap(server)
    listed = connection.list()[1]
    names = [bytes(line).decode().rsplit(" ", 1)[-1].strip('"') for line in listed if line]
    connection.logout()
    return {name: found for name in names if (found := count(server, name))}


def poll(instance: Instance, server: Dovecot, **env: str) -> dict[str, int]:
    result = instance.run(
        "intake", "mail", "--once", "--json", env={**mail_env(instance, server), **env}
    )
    return dict(json.loads(result.stdout.splitlines()[-1]))


def reports(instance: Instance, server: Dovecot) -> Any:
    code = (
        "import json; from docket.intake.models import Submission;"
        "from docket.intake import conversation; from docket.vault import keys;"
        "print(json.dumps([{'channel': s.channel, 'language': s.language,"
        " 'contact': conversation.contact(s),"
        " 'items': sorted(a.item.sha256 for a in s.attachments.all()),"
        " 'text': conversation.thread(s, keys.identity())[0].text}"
        " for s in Submission.objects.order_by('pk')]))"
    )
    env = {**mail_env(instance, server), "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}
    return json.loads(instance.run("shell", "-c", code, env=env).stdout.splitlines()[-1])


def test_each_message_becomes_a_report_and_nothing_identifying_is_kept(
    instance: Instance, dovecot: Dovecot, tmp_path: Path
) -> None:
    photo = media.jpeg(tmp_path / "photo.jpg")
    directive = media.pdf("Directive: detain everyone near the stela")

    testimony = EmailMessage()
    testimony["From"] = SENDER
    testimony["To"] = dovecot.user
    testimony["Subject"] = "Задержание 10 августа"
    testimony["Received"] = f"from laptop ([{ADDRESS}]) by mail.example.net"
    testimony["X-Mailer"] = MAILER
    testimony.set_content("Меня задержали у стелы и отвезли в РУВД.")
    testimony.add_attachment(photo, maintype="image", subtype="jpeg", filename=FILE_NAME)
    testimony.add_attachment(directive, maintype="application", subtype="pdf", filename="d.pdf")
    deliver(dovecot, testimony)

    html = EmailMessage()
    html["From"] = "witness@example.org"
    html["Subject"] = "What I saw on Pushkinskaya"
    html.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Riot police beat a man"
        "<br>near the metro.</p><script>alert(1)</script></body></html>",
        subtype="html",
    )
    deliver(dovecot, html)

    too_large = EmailMessage()
    too_large["From"] = "someone@example.org"
    too_large["Subject"] = "A long video"
    too_large.set_content("Attached.")
    too_large.add_attachment(b"\x00" * 400_000, maintype="video", subtype="mp4", filename="v.mp4")
    deliver(dovecot, too_large)

    assert poll(instance, dovecot) == {"stored": 2, "already": 0, "failed": 1, "waiting": 0}
    # The stored messages, with their Received lines and addresses, are gone from the mailbox;
    # the one that could not be taken is kept for staff to see (nothing of it was stored).
    assert folders(dovecot) == {"Docket-Failed": 1}

    first, second = reports(instance, dovecot)
    assert first["channel"] == "email" and first["language"] == "ru"
    assert first["contact"] == "mailto:distinct.sender.77@example.net"
    assert first["text"] == "Задержание 10 августа\n\nМеня задержали у стелы и отвезли в РУВД."
    assert first["items"] == sorted(hashlib.sha256(d).hexdigest() for d in (photo, directive))
    assert second["language"] == "en"
    assert second["text"] == "What I saw on Pushkinskaya\n\nRiot police beat a man\nnear the metro."

    dump = instance.run("dumpdata", "--natural-foreign").stdout
    places = [(Path("dumpdata"), dump)]
    places += [(p, p.read_bytes()) for p in instance.root.rglob("*") if p.is_file()]
    secrets = ["distinct.sender.77", "Distinct Sender", ADDRESS, MAILER, FILE_NAME,
               "witness@example.org", "отвезли в РУВД", "Pushkinskaya"]  # fmt: skip
    for path, content in places:
        for secret in secrets:
            assert secret.encode() not in content, f"{secret!r} found in {path}"


def test_a_message_found_again_after_a_crash_is_not_stored_twice(
    instance: Instance, dovecot: Dovecot
) -> None:
    message = EmailMessage()
    message["From"] = "witness@example.org"
    message["Subject"] = "Okrestina, 11 August"
    message.set_content("They beat us in the yard.")
    deliver(dovecot, message)
    assert poll(instance, dovecot)["stored"] == 1
    assert folders(dovecot) == {}
    # As if the poller had died after committing but before expunging the message.
    deliver(dovecot, message.as_bytes())
    assert poll(instance, dovecot) == {"stored": 0, "already": 1, "failed": 0, "waiting": 0}
    assert folders(dovecot) == {}
    assert len(reports(instance, dovecot)) == 1


def test_with_imap_keep_a_stored_message_is_moved_aside_instead(
    instance: Instance, dovecot: Dovecot
) -> None:
    message = EmailMessage()
    message["From"] = "witness@example.org"
    message["Subject"] = "Okrestina, 12 August"
    message.set_content("They kept us standing all night.")
    deliver(dovecot, message)
    assert poll(instance, dovecot, DOCKET_IMAP_KEEP="true")["stored"] == 1
    assert folders(dovecot) == {"Docket-Stored": 1}
    deliver(dovecot, message.as_bytes())  # found again after a crash: moved aside, not stored
    assert poll(instance, dovecot, DOCKET_IMAP_KEEP="true")["already"] == 1
    assert folders(dovecot) == {"Docket-Stored": 2}
    assert len(reports(instance, dovecot)) == 1


def test_an_e_mail_report_is_dated_to_the_hour_only(
    instance: Instance, dovecot: Dovecot, tmp_path: Path
) -> None:
    message = EmailMessage()
    message["From"] = "witness@example.org"
    message["Subject"] = "Photos from Pushkinskaya"
    message.set_content("Attached.")
    photo = media.jpeg(tmp_path / "photo.jpg")
    message.add_attachment(photo, maintype="image", subtype="jpeg", filename="p.jpg")
    deliver(dovecot, message)
    assert poll(instance, dovecot)["stored"] == 1
    code = "from tests.support.kept_times import main; main()"
    env = {**mail_env(instance, dovecot), "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}
    kept = json.loads(instance.run("shell", "-c", code, env=env).stdout.splitlines()[-1])
    assert kept["finer"] == []
    assert kept["checked"]["FetchedMail.created_at"] == 1
    assert kept["checked"]["blob.mtime"] == 1 and kept["checked"]["custody.leaf.time"] == 1
    instance.run("verify", env=env)


def test_the_poller_refuses_the_passphrase_and_clear_text_to_another_host(
    instance: Instance, dovecot: Dovecot
) -> None:
    env = mail_env(instance, dovecot)
    with_key = {**env, "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}
    refused = instance.run("intake", "mail", "--once", env=with_key, check=False)
    assert refused.returncode != 0 and b"must not hold the vault passphrase" in refused.stderr
    remote = {**env, "DOCKET_IMAP_HOST": "imap.example.org"}
    refused = instance.run("intake", "mail", "--once", env=remote, check=False)
    assert (
        refused.returncode != 0 and b"allowed only for a server on this machine" in refused.stderr
    )
    wrong = {**env, "DOCKET_IMAP_PASSWORD": "not the password"}
    refused = instance.run("intake", "mail", "--once", env=wrong, check=False)
    assert refused.returncode != 0 and b"IMAP:" in refused.stderr


def test_a_saved_message_is_read_from_a_file_once(instance: Instance, tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "witness@example.org"
    message["Subject"] = "Forwarded to a staff member"
    message.set_content("They beat us in the yard.")
    saved = tmp_path / "forwarded.eml"
    saved.write_bytes(message.as_bytes())
    env = {**intake_env(instance), "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}
    read = instance.run("intake", "mail", "--file", str(saved), "--json", env=env)
    assert json.loads(read.stdout) == {"stored": 1, "already": 0, "failed": 0, "waiting": 0}
    again = instance.run("intake", "mail", "--file", str(saved), "--json", env=env)
    assert json.loads(again.stdout)["already"] == 1
    missing = instance.run("intake", "mail", "--file", str(tmp_path / "nowhere.eml"), check=False)
    assert missing.returncode != 0 and b"no such file" in missing.stderr
