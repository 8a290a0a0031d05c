"""Managing people, compartments and roles from the pages (what an administrator does)."""

from __future__ import annotations

import re
import time

from django.test import Client

from docket.accounts.models import AuditEvent, Compartment, Grant, Role, User
from docket.accounts.second_factor import VERIFIED_AT
from tests.support.personas import Team, log_in


def admin_of(team: Team) -> User:
    user = User.objects.create_user("dasha", password="a long admin password")
    Grant.objects.create(user=user, compartment=team.a, role=Role.ADMIN)
    return user


def test_a_compartment_admin_grants_and_revokes_roles(team: Team, client: Client) -> None:
    log_in(client, admin_of(team))
    page = client.get(f"/accounts/compartments/{team.a.pk}/").content.decode()
    assert "owner" in page and "Give someone a role" in page
    response = client.post(
        f"/accounts/compartments/{team.a.pk}/", {"username": "outsider", "role": "legal"}
    )
    assert response.status_code == 302
    assert Grant.objects.filter(user=team.outsider, compartment=team.a, role="legal").exists()
    event = AuditEvent.objects.get(action="grant.add", details__user="outsider")
    assert event.actor_name == "dasha" and event.compartment_id == team.a.pk
    assert event.request_id == response["X-Request-ID"]

    grant = Grant.objects.get(user=team.outsider, compartment=team.a)
    client.post(f"/accounts/compartments/{team.a.pk}/", {"revoke": grant.pk})
    assert not Grant.objects.filter(pk=grant.pk).exists()


def test_granting_needs_a_fresh_second_factor(team: Team, client: Client) -> None:
    log_in(client, admin_of(team))
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    response = client.post(
        f"/accounts/compartments/{team.a.pk}/", {"username": "outsider", "role": "legal"}
    )
    assert response["Location"].startswith("/accounts/confirm/?next=")
    assert not Grant.objects.filter(user=team.outsider, compartment=team.a).exists()


def test_others_cannot_reach_the_compartment_or_people_pages(team: Team) -> None:
    for persona in (team.owner, team.auditor, team.outsider):
        client = Client()
        log_in(client, persona)
        assert client.get(f"/accounts/compartments/{team.a.pk}/").status_code == 404
        assert client.get("/accounts/people/").status_code == 404
        forged = client.post(
            f"/accounts/compartments/{team.a.pk}/", {"username": "outsider", "role": "admin"}
        )
        assert forged.status_code == 404
    assert not Grant.objects.filter(user=team.outsider, compartment=team.a).exists()


def test_an_instance_administrator_adds_a_person_and_a_compartment(
    team: Team, client: Client
) -> None:
    chief = User.objects.create_superuser("chief", password="a long chief password")
    log_in(client, chief)
    page = client.post(
        "/accounts/people/",
        {"username": "vera", "compartment": team.a.pk, "role": "analyst", "reason": "new"},
    ).content.decode()
    password = re.search(r'<code class="secret">([A-Za-z0-9-]+)</code>', page).group(1)
    vera = User.objects.get(username="vera")
    assert vera.check_password(password) and vera.must_change_password
    bad = client.post("/accounts/compartments/", {"name": "Minsk Region"}).content.decode()
    assert "for example &#x27;minsk-region&#x27;" in bad
    client.post("/accounts/compartments/", {"name": "minsk-region", "description": "Minsk"})
    assert Compartment.objects.filter(name="minsk-region").exists()
    assert AuditEvent.objects.filter(action__in=["user.add", "compartment.add"]).count() == 2


def test_disabling_a_person_ends_their_sessions(team: Team, client: Client) -> None:
    chief = User.objects.create_superuser("chief", password="a long chief password")
    victim = Client()
    log_in(victim, team.owner)
    assert victim.get("/vault/items/").status_code == 200
    log_in(client, chief)
    client.post("/accounts/people/", {"user": team.owner.pk, "disable": "1"})
    assert victim.get("/vault/items/").status_code == 302
    assert not User.objects.get(pk=team.owner.pk).is_active
