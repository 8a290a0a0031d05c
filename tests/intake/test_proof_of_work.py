"""The proof of work, on by default: never asked while a budget lasts, so senders without
JavaScript lose nothing; once a shared budget is spent, a valid, fresh, unused proof passes it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.intake import limits
from docket.intake.models import Submission
from tests.support.intake import REPORT, receipt_of, send_report

pytestmark = pytest.mark.django_db


def solve(challenge: str, bits: int) -> str:
    nonce = 0
    while limits.leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def challenge_on(page: str) -> str:
    match = re.search(r'name="pow_challenge" value="([^"]+)" data-bits="(\d+)"', page)
    assert match, "no challenge on the page"
    return match.group(1)


@pytest.fixture
def flooded(intake: Path, settings: Any) -> Client:
    """Proof of work on (10 bits), and the hour's one new report already spent."""
    settings.INTAKE_POW_BITS = 10
    settings.INTAKE_SUBMISSIONS_PER_HOUR = 1
    client = Client()
    send_report(client)  # no proof needed while the budget lasts
    return client


def test_a_spent_budget_is_passed_with_a_proof_once(flooded: Client) -> None:
    refused = flooded.post("/intake/en/", REPORT)
    assert refused.status_code == 503 and "Nothing was saved" in refused.content.decode()

    challenge = challenge_on(flooded.get("/intake/en/").content.decode())
    proof = {"pow_challenge": challenge, "pow": solve(challenge, 10)}
    receipt_of(flooded.post("/intake/en/", {**REPORT, **proof}))
    replayed = flooded.post("/intake/en/", {**REPORT, **proof})
    assert replayed.status_code == 503
    assert Submission.objects.count() == 2


def test_a_wrong_forged_or_expired_proof_passes_nothing(flooded: Client, settings: Any) -> None:
    challenge = challenge_on(flooded.get("/intake/en/").content.decode())
    nonce = solve(challenge, 10)
    wrong = next(str(n) for n in range(10**6) if str(n) != nonce and limits.leading_zero_bits(
        hashlib.sha256(f"{challenge}:{n}".encode()).digest()) < 10)  # fmt: skip
    forged = challenge.replace(challenge[0], "x" if challenge[0] != "x" else "y", 1)
    for proof in ({"pow_challenge": challenge, "pow": wrong},
                  {"pow_challenge": forged, "pow": solve(forged, 10)}):  # fmt: skip
        assert flooded.post("/intake/en/", {**REPORT, **proof}).status_code == 503
    limits.POW_SECONDS, saved = -1, limits.POW_SECONDS
    try:
        expired = {"pow_challenge": challenge, "pow": nonce}
        assert flooded.post("/intake/en/", {**REPORT, **expired}).status_code == 503
    finally:
        limits.POW_SECONDS = saved
    assert Submission.objects.count() == 1


def test_receipt_checks_take_a_proof_too(intake: Path, settings: Any) -> None:
    settings.INTAKE_POW_BITS = 8
    settings.INTAKE_RECEIPT_CHECKS_PER_HOUR = 1
    client = Client()
    receipt = send_report(client)
    client.post("/intake/en/return", {"receipt": receipt})
    assert client.post("/intake/en/return", {"receipt": receipt}).status_code == 503
    challenge = challenge_on(client.get("/intake/en/return").content.decode())
    proof = {"pow_challenge": challenge, "pow": solve(challenge, 8)}
    opened = client.post("/intake/en/return", {"receipt": receipt, **proof})
    assert opened.status_code == 200 and "district police station" in opened.content.decode()


def test_it_is_on_by_default_at_18_bits_on_every_sender_page(intake: Path) -> None:
    from docket import settings as defaults

    assert defaults.INTAKE_POW_BITS == 18
    client = Client()
    receipt = send_report(client)
    pages = [
        client.get("/intake/en/").content.decode(),
        client.get("/intake/be/return").content.decode(),
        client.post("/intake/en/return", {"receipt": receipt}).content.decode(),
    ]
    for page in pages:
        assert 'data-bits="18"' in page
        challenge_on(page)


def test_without_proof_of_work_the_pages_carry_no_challenge(intake: Path, settings: Any) -> None:
    settings.INTAKE_POW_BITS = 0
    assert b"pow_challenge" not in Client().get("/intake/en/").content
