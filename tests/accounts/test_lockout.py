"""Repeated failed logins lock the account (by name, never by address); unlocking is audited."""

from __future__ import annotations

from django.test import Client

from docket.accounts.models import AuditEvent, User
from tests.support.personas import STAFF_PASSWORD as PASSWORD
from tests.support.personas import Team


def test_five_wrong_passwords_lock_the_account(team: Team, client: Client) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    user = User.objects.get(username="owner")
    assert user.is_locked
    assert AuditEvent.objects.filter(action="user.locked", object_id=str(user.pk)).exists()
    response = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert response.status_code == 200  # the form again: the right password no longer works
    assert "_auth_user_id" not in client.session

    from docket.accounts.lockout import unlock

    unlock(user, by=None)
    assert (
        client.post("/accounts/login/", {"username": "owner", "password": PASSWORD}).status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="user.unlocked").exists()


def test_a_complete_login_resets_the_count(team: Team, client: Client) -> None:
    from tests.support.personas import enrol

    for _ in range(4):
        client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    assert User.objects.get(username="owner").failed_logins == 4
    enrol(client, "owner")  # password and second factor
    assert User.objects.get(username="owner").failed_logins == 0
