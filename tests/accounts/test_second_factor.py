"""Two-factor login: no session from a password alone, enrolment, codes, recovery, re-auth."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client

from docket.accounts import totp
from docket.accounts.models import AuditEvent, RecoveryCode, TotpDevice, User
from docket.accounts.second_factor import VERIFIED_AT
from tests.support.personas import STAFF_PASSWORD, Team, enrol, log_in


def test_first_login_enrols_an_authenticator_and_shows_recovery_codes_once(
    team: Team, client: Client
) -> None:
    secret, codes = enrol(client, "owner")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/vault/items/").status_code == 200
    device = TotpDevice.objects.get(user=team.owner)
    assert device.secret == secret
    stored = set(RecoveryCode.objects.filter(user=team.owner).values_list("code_hash", flat=True))
    assert not stored & set(codes)  # only hashes are kept
    assert AuditEvent.objects.filter(action="user.login", actor=team.owner).exists()


def test_later_logins_need_a_fresh_code_and_refuse_a_replayed_one(team: Team) -> None:
    secret, _ = enrol(Client(), "owner")
    client = Client()
    response = client.post("/accounts/login/", {"username": "owner", "password": STAFF_PASSWORD})
    assert response["Location"] == "/accounts/2fa/"
    assert client.get("/vault/items/").status_code == 302
    now = int(time.time() // totp.STEP)
    TotpDevice.objects.filter(user=team.owner).update(last_step=now - 1)  # enrolled a step ago
    used = totp.hotp(totp._key(secret), now - 1)  # the code that enrolment consumed
    replay = client.post("/accounts/2fa/", {"code": used})
    assert b"not right, or was used already" in replay.content
    assert (
        client.post("/accounts/2fa/", {"code": totp.code_at(secret, time.time())}).status_code
        == 302
    )
    assert client.get("/vault/items/").status_code == 200


def test_a_recovery_code_works_once(team: Team) -> None:
    _, codes = enrol(Client(), "owner")
    first = Client()
    first.post("/accounts/login/", {"username": "owner", "password": STAFF_PASSWORD})
    assert first.post("/accounts/2fa/", {"code": codes[3]}).status_code == 302
    second = Client()
    second.post("/accounts/login/", {"username": "owner", "password": STAFF_PASSWORD})
    assert second.post("/accounts/2fa/", {"code": codes[3]}).status_code == 200  # refused


def test_the_pending_step_expires_and_wrong_codes_count_towards_lockout(
    team: Team, settings: object
) -> None:
    enrol(Client(), "owner")
    client = Client()
    client.post("/accounts/login/", {"username": "owner", "password": STAFF_PASSWORD})
    for _ in range(5):
        client.post("/accounts/2fa/", {"code": "000000"})
    assert User.objects.get(username="owner").is_locked


def test_a_session_without_the_second_factor_is_ended(team: Team, client: Client) -> None:
    client.force_login(team.owner)  # what a bug or a forged path might produce
    assert client.get("/vault/items/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_sensitive_actions_ask_for_a_fresh_code(team: Team, client: Client) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from docket.accounts.second_factor import recent_second_factor

    @recent_second_factor
    def grant_roles(request: object) -> HttpResponse:
        return HttpResponse("granted")

    request = RequestFactory().get("/accounts/users/7/grant")
    request.session = {VERIFIED_AT: time.time() - 3600}  # type: ignore[attr-defined]
    assert grant_roles(request)["Location"] == "/accounts/confirm/?next=/accounts/users/7/grant"
    request.session = {VERIFIED_AT: time.time()}  # type: ignore[attr-defined]
    assert grant_roles(request).content == b"granted"


def test_confirm_refreshes_the_second_factor(team: Team, client: Client) -> None:
    secret, _ = enrol(Client(), "owner")
    log_in(client, team.owner)
    TotpDevice.objects.filter(user=team.owner).update(last_step=int(time.time() // 30) - 2)
    response = client.post(
        "/accounts/confirm/", {"code": totp.code_at(secret, time.time()), "next": "/vault/log/"}
    )
    assert response["Location"] == "/vault/log/"
    evil = client.post("/accounts/confirm/", {"code": "1", "next": "https://evil.example/"})
    assert evil.status_code == 200


def test_it_counts_audits_and_locks_wrong_codes_at_the_fresh_code_step(
    team: Team, client: Client
) -> None:
    """Someone at the owner's open session, guessing the code a sensitive action asks for, gets
    the same four wrong tries as at login, each audited; the fifth locks the account and ends
    the session, so the right code is no use to them afterwards."""
    secret, _ = enrol(Client(), "owner")
    log_in(client, team.owner)
    for tried in range(1, 5):
        wrong = client.post("/accounts/confirm/", {"code": "000000", "next": "/vault/log/"})
        assert wrong.status_code == 200 and b"not right" in wrong.content
        assert User.objects.get(pk=team.owner.pk).failed_logins == tried
    failures = AuditEvent.objects.filter(action="user.reconfirm_failed", actor=team.owner)
    assert sorted(e.details["failures"] for e in failures) == [1, 2, 3, 4]
    assert not User.objects.get(pk=team.owner.pk).is_locked

    fifth = client.post("/accounts/confirm/", {"code": "000000", "next": "/vault/log/"})
    assert fifth["Location"] == "/accounts/login/"
    owner = User.objects.get(pk=team.owner.pk)
    assert owner.is_locked and owner.failed_logins == 5
    assert AuditEvent.objects.filter(action="user.locked", object_id=str(owner.pk)).exists()
    assert "_auth_user_id" not in client.session
    assert client.get("/vault/items/").status_code == 302
    late = client.post("/accounts/confirm/", {"code": totp.code_at(secret, time.time())})
    assert late.status_code == 302 and late["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="user.reconfirmed", actor=team.owner).count() == 0


def test_it_clears_the_count_when_the_fresh_code_is_right(team: Team, client: Client) -> None:
    secret, _ = enrol(Client(), "owner")
    log_in(client, team.owner)
    for _ in range(3):
        client.post("/accounts/confirm/", {"code": "000000"})
    TotpDevice.objects.filter(user=team.owner).update(last_step=int(time.time() // 30) - 2)
    right = client.post(
        "/accounts/confirm/", {"code": totp.code_at(secret, time.time()), "next": "/vault/log/"}
    )
    assert right["Location"] == "/vault/log/"
    assert User.objects.get(pk=team.owner.pk).failed_logins == 0


@pytest.fixture(autouse=True)
def _vault(vault: Path) -> None:
    pass
