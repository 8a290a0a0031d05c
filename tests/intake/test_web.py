"""The public intake pages, as a sender uses them with JavaScript off: report, receipt, come
back, read a reply, send more. And what staff see of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.accounts.models import Role
from docket.intake import conversation
from docket.intake.models import Message, Submission, intake_compartment
from docket.vault import age, keys, store
from docket.vault.models import CustodyEntry, Item
from tests.support.intake import REPORT, send_report
from tests.support.personas import person

pytestmark = pytest.mark.django_db


def test_it_stores_a_report_with_files_sealed_and_gives_a_receipt_once(intake: Path) -> None:
    client = Client()
    receipt = send_report(client, {"photo.jpg": b"\xff\xd8\xff" + b"x" * 5000, "b.pdf": b"%PDF-1"})
    assert len(receipt.split()) == 8
    submission = Submission.objects.get()
    assert submission.channel == "web" and submission.status == "new"
    assert submission.compartment == intake_compartment()
    assert submission.file_count == 2
    # The receipt is nowhere in the database; the message is sealed.
    assert receipt.encode() not in bytes(submission.receipt_verifier)
    body = bytes(Message.objects.get().body)
    assert body.startswith(b"age-encryption.org/v1") and b"yard" not in body
    # Files are vault items of the intake compartment, with custody entries.
    items = Item.objects.filter(compartment=intake_compartment())
    assert items.count() == 2
    assert CustodyEntry.objects.filter(action="received", item__in=items).count() == 2
    assert b"".join(store.read(items.get(size=5003), actor="test")).startswith(b"\xff\xd8\xff")


def test_it_sets_no_cookie_and_forbids_caching(intake: Path) -> None:
    client = Client()
    for response in (client.get("/intake/en/"), client.post("/intake/en/", REPORT)):
        assert not response.cookies
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"


def test_it_speaks_the_senders_language(intake: Path) -> None:
    client = Client()
    assert "Што здарылася" in client.get("/intake/be/").content.decode()
    assert "Что произошло" in client.get("/intake/ru/").content.decode()
    assert client.get("/intake/", HTTP_ACCEPT_LANGUAGE="ru").url == "/intake/ru/"
    receipt = send_report(client, lang="be")
    assert set(receipt.split()) <= set(conversation.receipts.wordlist("be"))


def test_a_refusal_speaks_the_pages_language_whatever_the_browser_asks(
    intake: Path, settings: Any
) -> None:
    settings.INTAKE_SUBMISSIONS_PER_HOUR = 1
    send_report(Client())
    response = Client().post("/intake/ru/", REPORT, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "Сейчас приходит слишком много сообщений" in response.content.decode()


def test_it_needs_only_a_description(intake: Path) -> None:
    client = Client()
    response = client.post("/intake/en/", {"what": ""})
    assert response.status_code == 400
    assert not Submission.objects.exists()
    assert client.post("/intake/en/", {"what": "Only this."}).status_code == 200


def test_it_refuses_a_post_from_another_site(intake: Path) -> None:
    response = Client().post("/intake/en/", REPORT, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    response = Client().post("/intake/en/", REPORT, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_the_sender_comes_back_reads_a_reply_and_sends_more(intake: Path) -> None:
    sender = Client()
    receipt = send_report(sender)
    submission = Submission.objects.get()
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    conversation.reply(submission, "Thank you. Did anyone film it?", by=clerk)

    response = sender.post("/intake/en/return", {"receipt": receipt.upper().replace(" ", "-")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thank you. Did anyone film it?" in page and "yard of the district" in page

    response = sender.post(
        "/intake/en/send", {"receipt": receipt, "text": "Yes, my neighbour. Here it is."}
    )
    assert response.status_code == 200 and "Sent." in response.content.decode()
    assert submission.messages.filter(direction="in").count() == 2
    assert Submission.objects.get().unread


def test_a_wrong_receipt_opens_nothing_and_says_which_words_are_unknown(intake: Path) -> None:
    client = Client()
    receipt = send_report(client).split()
    receipt[0] = "notaword"
    response = client.post("/intake/en/return", {"receipt": " ".join(receipt)})
    assert response.status_code == 404
    page = response.content.decode()
    assert "No report matches" in page and "notaword" in page
    assert "yard" not in page


def test_receipt_checks_spend_a_budget_shared_by_everyone(intake: Path, settings: Any) -> None:
    settings.INTAKE_RECEIPT_CHECKS_PER_HOUR = 3
    client = Client()
    receipt = send_report(client)
    for _ in range(3):
        client.post("/intake/en/return", {"receipt": "a b c d e f g h"})
    response = client.post("/intake/en/return", {"receipt": receipt})
    assert response.status_code == 503
    assert "Too many" in response.content.decode()


def test_it_refuses_new_reports_over_the_hourly_budget(intake: Path, settings: Any) -> None:
    settings.INTAKE_SUBMISSIONS_PER_HOUR = 2
    client = Client()
    send_report(client)
    send_report(client)
    response = client.post("/intake/en/", REPORT)
    assert response.status_code == 503
    page = response.content.decode()
    assert "Nothing was saved" in page and "district police station" in page  # text kept
    assert Submission.objects.count() == 2


def test_it_refuses_a_file_over_the_limit_with_a_clear_message(intake: Path, settings: Any) -> None:
    settings.INTAKE_MAX_FILE_BYTES = 1000
    client = Client()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/intake/en/", {**REPORT, "files": [SimpleUploadedFile("big.bin", b"x" * 5000)]}
    )
    assert response.status_code == 413
    assert "larger than this server takes" in response.content.decode()
    assert not Submission.objects.exists() and not Item.objects.exists()
    assert not list((intake / "vault" / ".staging" / "intake").glob("*"))


def test_it_keeps_the_disk_reserve(intake: Path, settings: Any) -> None:
    settings.INTAKE_DISK_RESERVE_MB = 10**9  # more than any disk has
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = Client().post(
        "/intake/en/", {**REPORT, "files": [SimpleUploadedFile("a.bin", b"x" * 100)]}
    )
    assert response.status_code == 507
    assert "short of space" in response.content.decode()
    assert not Item.objects.exists()


def test_it_limits_messages_per_receipt_per_day(intake: Path, settings: Any) -> None:
    settings.INTAKE_MESSAGES_PER_DAY = 2
    client = Client()
    receipt = send_report(client)  # the report is the first message of the day
    assert client.post("/intake/en/send", {"receipt": receipt, "text": "two"}).status_code == 200
    response = client.post("/intake/en/send", {"receipt": receipt, "text": "three"})
    assert response.status_code == 429
    assert "as many messages as it can today" in response.content.decode()


def test_the_sealed_conversation_opens_with_the_receipt_or_the_vault_key_only(
    intake: Path,
) -> None:
    receipt = send_report(Client())
    submission = Submission.objects.get()
    found = conversation.find(receipt)
    assert found is not None
    by_sender = conversation.thread(submission, found.derived.identity)
    by_staff = conversation.thread(submission, keys.identity())
    assert by_sender == by_staff
    assert by_staff[0].answers == {
        "when": REPORT["when"],
        "where": REPORT["where"],
        "who": REPORT["who"],
    }
    with pytest.raises(age.NoIdentityError):
        conversation.thread(submission, age.Identity.generate())
