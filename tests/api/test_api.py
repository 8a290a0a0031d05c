"""The JSON API with tokens: what a script sees, and when a token stops working."""

from __future__ import annotations

import io
import time
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from docket.accounts.models import AuditEvent, User
from docket.accounts.second_factor import VERIFIED_AT
from docket.api import tokens
from docket.api.models import ApiToken
from docket.lib import zones
from docket.vault.store import store
from tests.support.personas import Team, log_in


def api_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_reads_what_its_owner_may_read_and_the_reads_are_audited(team: Team) -> None:
    mine = store(io.BytesIO(b"in okrestina"), actor="cli", compartment=team.a).item
    theirs = store(io.BytesIO(b"in hrodna"), actor="cli", compartment=team.b).item
    _, token = tokens.create(team.owner, name="script", scopes=["items:read"])
    client = api_client(token)
    listing = client.get("/api/items/").json()
    assert [i["id"] for i in listing["items"]] == [mine.pk]
    detail = client.get(f"/api/items/{mine.pk}/").json()
    assert detail == {
        "id": mine.pk,
        "sha256": mine.sha256,
        "size": mine.size,
        "compartment": "okr-casefiles",
        "received_at": mine.received_at.isoformat(),
    }
    assert client.get(f"/api/items/{theirs.pk}/").status_code == 404
    event = AuditEvent.objects.get(action="item.view")
    assert (event.actor, event.details) == (team.owner, {"via": "api"})


def test_no_token_a_revoked_an_expired_or_a_disabled_users_token_gets_401(team: Team) -> None:
    item = store(io.BytesIO(b"x"), actor="cli", compartment=team.a).item
    assert Client().get(f"/api/items/{item.pk}/").status_code == 401
    assert (
        api_client("dkt_guessed0000000000000000000000000000000000").get("/api/items/").status_code
        == 401
    )
    revoked, token = tokens.create(team.owner, name="r", scopes=["items:read"])
    tokens.revoke(revoked, by=team.owner)
    assert api_client(token).get("/api/items/").status_code == 401
    expired, token = tokens.create(team.owner, name="e", scopes=["items:read"])
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client(token).get("/api/items/").status_code == 401
    _, token = tokens.create(team.teammate, name="d", scopes=["items:read"])
    User.objects.filter(pk=team.teammate.pk).update(is_active=False)
    assert api_client(token).get("/api/items/").status_code == 401


def test_only_a_hash_of_the_token_is_kept(team: Team) -> None:
    created, token = tokens.create(team.owner, name="s", scopes=["items:read"])
    assert token.startswith("dkt_") and len(token) == 44
    assert token not in str(ApiToken.objects.filter(pk=created.pk).values().get())


def test_the_page_creates_a_token_only_after_a_fresh_second_factor(
    team: Team, client: Client
) -> None:
    log_in(client, team.owner)
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    stale = client.post("/accounts/tokens/", {"name": "statistics"})
    assert stale["Location"].startswith("/accounts/confirm/")
    assert not ApiToken.objects.exists()
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()
    none = client.post("/accounts/tokens/", {"name": "statistics"}, follow=True)
    assert "scopes must be some of" in none.content.decode() and not ApiToken.objects.exists()
    page = client.post(
        "/accounts/tokens/", {"name": "statistics", "scope": ["items:read"]}
    ).content.decode()
    token = page.split('<code class="secret">')[1].split("</code>")[0]
    assert api_client(token).get("/api/items/").status_code == 200
    assert AuditEvent.objects.filter(action="token.create", actor=team.owner).exists()
    # its last use, as every page shows a time: local, with the offset
    used = ApiToken.objects.get()
    assert used.last_used_at is not None
    listed = client.get("/accounts/tokens/").content.decode()
    assert zones.show(used.last_used_at) in listed


def test_it_refuses_a_locked_accounts_token_until_an_admin_unlocks_it(team: Team) -> None:
    """The owner's script keeps its token; someone with the owner's password guessing codes
    locks the account, and from then on the token gets 401 saying so, until an administrator
    unlocks the owner."""
    from tests.support.personas import STAFF_PASSWORD, enrol

    mine = store(io.BytesIO(b"in okrestina"), actor="cli", compartment=team.a).item
    _, token = tokens.create(team.owner, name="script", scopes=["items:read"])
    script = api_client(token)
    assert script.get(f"/api/items/{mine.pk}/").status_code == 200

    enrol(Client(), "owner")
    guesser = Client()
    guesser.post("/accounts/login/", {"username": "owner", "password": STAFF_PASSWORD})
    for _ in range(5):
        guesser.post("/accounts/2fa/", {"code": "000000"})
    assert User.objects.get(pk=team.owner.pk).is_locked
    used = ApiToken.objects.get(user=team.owner).last_used_at
    refused = script.get("/api/items/")
    assert refused.status_code == 401
    assert "locked" in refused.json()["error"]
    assert ApiToken.objects.get(user=team.owner).last_used_at == used
    assert script.get(f"/api/items/{mine.pk}/").status_code == 401
    assert AuditEvent.objects.filter(action="item.view").count() == 1  # the read before the lock

    admin = User.objects.create_user("admin", password="x" * 20, is_superuser=True)
    console = Client()
    log_in(console, admin)
    unlocked = console.post("/accounts/people/", {"user": team.owner.pk, "unlock": "1"})
    assert unlocked.status_code == 302
    assert not User.objects.get(pk=team.owner.pk).is_locked
    assert AuditEvent.objects.filter(action="user.unlocked", actor=admin).exists()
    assert script.get(f"/api/items/{mine.pk}/").status_code == 200
