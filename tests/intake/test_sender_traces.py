"""Less kept about senders: what they did is dated to the hour only, and a Telegram chat
nobody writes in is forgotten. (The e-mail poller's expunging is in test_mail.py; the bot's
and the poller's hours in test_telegram.py and test_mail.py.)"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.accounts.models import Role
from docket.intake import conversation
from docket.intake.channels.telegram import chats
from docket.intake.models import ChatMessage, Message, Submission, intake_compartment
from docket.jobs.models import Job
from docket.jobs.worker import Worker
from docket.lib.storage import BlobStore
from docket.vault import verify
from docket.vault.models import Item
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.instance import Instance
from tests.support.intake import send_report
from tests.support.kept_times import intake_times
from tests.support.personas import log_in, person

pytestmark = pytest.mark.django_db


def test_what_the_worker_makes_of_a_report_in_the_intake_says_only_the_hour_too(
    enriching: Enriching,
    tmp_path: Path,
) -> None:
    """Thumbnails, clean copies, the custody entries of reading and deriving, the jobs and
    the enrichment runs would otherwise date a report to the second, seconds after it came."""
    photo, video = tmp_path / "photo.jpg", tmp_path / "clip.mp4"
    media.photo(photo, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    media.video(video, created="2020-08-11T01:00:00Z")
    with enriching.capture(execute=True):
        send_report(Client(), {"p.jpg": photo.read_bytes(), "v.mp4": video.read_bytes()})
    assert enriching.work() >= 3

    kept = intake_times()

    assert kept["finer"] == []
    derived = Item.objects.filter(compartment=intake_compartment()).count() - 2
    assert derived >= 3  # thumbnails, keyframes, a contact sheet, clean copies
    assert kept["checked"]["blob.mtime"] == derived + 2
    assert kept["checked"]["Job.finished_at"] >= 3
    assert kept["checked"]["Run.updated_at"] >= 4
    assert kept["checked"]["custody.leaf.time"] >= 2 * (derived + 2)
    assert kept["checked"]["Checkpoint.signed_at"] >= 1  # the worker sealed what it wrote


def test_it_keeps_only_the_hour_of_a_web_report_and_lists_the_same_hour_in_order(
    intake: Path,
) -> None:
    # Two senders in the same hour, one with a file; the first comes back and writes more.
    first = Client()
    receipt = send_report(first, {"photo.jpg": b"\xff\xd8\xff" + os.urandom(4000)})
    send_report(Client(), {"leaflet.pdf": b"%PDF-1.4 " + os.urandom(3000)})
    more = first.post("/intake/en/send", {"receipt": receipt, "text": "They came back at night."})
    assert more.status_code == 200

    # Nothing the intake stored says more than the hour: rows, its custody entries (row and
    # signed leaf), the items' times and the blob files' times.
    kept = intake_times()
    assert kept["finer"] == []
    assert kept["checked"]["Submission.created_at"] == 2
    assert kept["checked"]["Message.created_at"] == 3
    assert kept["checked"]["custody.leaf.time"] >= 2
    assert kept["checked"]["blob.mtime"] == 2
    storage = BlobStore.default().storage
    for item in Item.objects.all():
        assert os.stat(storage.path(item.blob)).st_atime % 3600 == 0

    older, newer = Submission.objects.order_by("pk")
    assert older.created_at == newer.created_at  # the same hour: the primary key orders them
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    staff = Client()
    log_in(staff, clerk)
    inbox = staff.get("/inbox/").content.decode()
    assert inbox.index(f"/inbox/{newer.pk}/") < inbox.index(f"/inbox/{older.pk}/")
    hour = older.created_at.strftime("%Y-%m-%d %H:00 UTC")
    assert hour in inbox  # the page shows the hour, and says it is in UTC

    # Staff read the first report; the sender writes again within the same hour: unread again.
    staff.get(f"/inbox/{older.pk}/")
    assert not Submission.objects.get(pk=older.pk).unread
    first.post("/intake/en/send", {"receipt": receipt, "text": "And once more."})
    assert Submission.objects.get(pk=older.pk).unread

    assert verify.verify().ok


def _age(submission: Submission, days: int) -> None:
    """As if the conversation had last moved `days` days ago."""
    then = datetime.now(UTC) - timedelta(days=days)
    Submission.objects.filter(pk=submission.pk).update(created_at=then, last_from_sender_at=then)
    submission.messages.update(created_at=then)
    ChatMessage.objects.filter(route=submission.route).update(created_at=then)


def test_a_telegram_chat_nobody_wrote_in_for_the_set_days_is_forgotten(
    intake: Path, settings: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    settings.TELEGRAM_ROUTE_DAYS = 30
    idle_route, fresh_route = chats.route_of(4242), chats.route_of(4343)
    idle, _ = conversation.open_submission(
        channel="telegram", language="ru", text="Меня задержали.", contact="telegram:4242",
        route=idle_route,
    )  # fmt: skip
    chats.trace(idle_route, [1, 2, 3])
    fresh, _ = conversation.open_submission(
        channel="telegram", language="be", text="Мяне збілі.", contact="telegram:4343",
        route=fresh_route,
    )  # fmt: skip
    chats.trace(fresh_route, [1, 2])
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    # A reply 31 days ago does not keep the chat; one 29 days ago does.
    conversation.reply(idle, "Спасибо.", by=clerk)
    _age(idle, 31)
    conversation.reply(fresh, "Дзякуй.", by=clerk)
    _age(fresh, 40)
    fresh.messages.filter(direction=Message.Direction.TO_SENDER).update(
        created_at=datetime.now(UTC) - timedelta(days=29)
    )
    Job.objects.all().delete()  # the two replies' sending jobs: not what is tested here

    assert Worker().step() is True  # no job: the worker's chore forgets the idle chat

    idle.refresh_from_db()
    fresh.refresh_from_db()
    assert idle.route == "" and idle.contact is None
    assert not ChatMessage.objects.filter(route=idle_route).exists()
    assert fresh.route == fresh_route and fresh.contact is not None
    assert ChatMessage.objects.filter(route=fresh_route).count() == 2
    assert conversation.contact(fresh) == "telegram:4343"

    # A documenter replies to the forgotten chat: the page says the reply cannot reach the
    # chat, nothing is queued, and the reply is kept for the receipt to read.
    staff = Client()
    log_in(staff, clerk)
    page = staff.get(f"/inbox/{idle.pk}/").content.decode()
    assert "Their Telegram chat was forgotten after 30 days" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = staff.post(f"/inbox/{idle.pk}/reply", {"text": "Вы ещё здесь?"}, follow=True)
    assert answer.status_code == 200
    assert "not sent to Telegram: the sender&#x27;s chat was forgotten" in answer.content.decode()
    assert not Job.objects.exists()
    assert idle.messages.filter(direction=Message.Direction.TO_SENDER).count() == 2

    # A reply queued before the chat was forgotten: its job ends, saying why, without failing.
    queued = idle.messages.filter(direction=Message.Direction.TO_SENDER).first()
    assert queued is not None
    with caplog.at_level(logging.INFO, logger="docket.intake.channels.telegram.chats"):
        chats.send_reply({"message": queued.pk})
    assert "the chat's route was forgotten" in caplog.text


@pytest.mark.slow
def test_the_migration_floors_the_times_already_kept_and_keeps_what_is_unread(
    instance: Instance,
) -> None:
    # An instance whose intake predates hourly times: one report read after its last message,
    # one not.
    instance.run("migrate", "intake", "0004_spent_proofs")
    instance.run(
        "shell", "-c",
        "from datetime import UTC, datetime, timedelta; from django.db import connection;"
        "from docket.accounts.models import Compartment;"
        "c = Compartment.objects.create(name='old-intake');"
        "sent = datetime(2026, 11, 30, 21, 47, 13, 512000, tzinfo=UTC);"
        "cursor = connection.cursor();"
        "[cursor.execute('INSERT INTO intake_submission (compartment_id, channel, status,"
        " language, receipt_tag, receipt_salt, receipt_verifier, sender_key, route, created_at,"
        " last_from_sender_at, seen_at, file_count, byte_count) VALUES (%s, %s, %s, %s, 1, %s,"
        " %s, %s, %s, %s, %s, %s, 0, 0)', [c.pk, 'web', 'new', 'en', b's', b'v', 'age1x', '',"
        " sent, sent, sent + timedelta(minutes=minutes)]) for minutes in (5, -60)]",
    )  # fmt: skip
    instance.run("migrate")
    rows = instance.run(
        "shell", "-c",
        "import json; from docket.intake.models import Submission;"
        "print(json.dumps([[s.created_at.isoformat(), s.last_from_sender_at.isoformat(),"
        " s.unread] for s in Submission.objects.order_by('pk')]))",
    )  # fmt: skip
    hour = "2026-11-30T21:00:00+00:00"
    assert json.loads(rows.stdout.splitlines()[-1]) == [[hour, hour, False], [hour, hour, True]]
