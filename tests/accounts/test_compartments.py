"""Compartments: outsiders get the same 404 as for nothing at all; grants are audited."""

from __future__ import annotations

import io

from django.test import Client

from docket.accounts import access, audit
from docket.accounts.models import AuditEvent, Role
from docket.vault.store import store
from tests.support.personas import Team, log_in


def test_an_outsider_gets_the_answer_for_a_missing_object(team: Team, client: Client) -> None:
    item = store(io.BytesIO(b"video of the yard"), actor="cli", compartment=team.a).item
    log_in(client, team.outsider)
    for url in (f"/vault/items/{item.pk}/", f"/vault/items/{item.pk + 1000}/"):
        response = client.get(url)
        assert response.status_code == 404
    assert client.post(f"/vault/items/{item.pk}/original").status_code == 404
    missing = client.get(f"/vault/items/{item.pk + 1000}/").content
    assert client.get(f"/vault/items/{item.pk}/").content == missing
    listing = client.get("/vault/items/").content.decode()
    assert f"/vault/items/{item.pk}/" not in listing
    log = client.get("/vault/log/").content.decode()
    assert f'href="/vault/items/{item.pk}/"' not in log


def test_the_owner_sees_it_and_the_read_is_audited(team: Team, client: Client) -> None:
    item = store(io.BytesIO(b"video of the yard"), actor="cli", compartment=team.a).item
    log_in(client, team.owner)
    response = client.get(f"/vault/items/{item.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="item.view")
    assert (event.actor, event.object_id, event.compartment_id) == (
        team.owner,
        str(item.pk),
        team.a.pk,
    )
    assert event.request_id == response["X-Request-ID"]


def test_an_auditor_reads_the_trail_but_not_the_evidence(team: Team, client: Client) -> None:
    item = store(io.BytesIO(b"leaked directive"), actor="cli", compartment=team.a).item
    owner = Client()
    log_in(owner, team.owner)
    owner.get(f"/vault/items/{item.pk}/")
    log_in(client, team.auditor)
    assert client.get(f"/vault/items/{item.pk}/").status_code == 404
    trail = client.get("/accounts/audit/", {"user": "owner"}).content.decode()
    assert 'title="item.view">viewed an item</a>' in trail and f"item {item.pk}" in trail
    outsider = Client()
    log_in(outsider, team.outsider)
    assert outsider.get("/accounts/audit/").status_code == 404


def test_granting_and_revoking_are_audited_and_take_effect_at_once(
    team: Team, client: Client
) -> None:
    item = store(io.BytesIO(b"testimony"), actor="cli", compartment=team.b).item
    log_in(client, team.owner)
    assert client.get(f"/vault/items/{item.pk}/").status_code == 404
    access.grant(team.owner, team.b, Role.LEGAL, by=team.outsider)
    assert client.get(f"/vault/items/{item.pk}/").status_code == 200
    access.revoke(team.owner, team.b, Role.LEGAL, by=team.outsider)
    # The revocation ended the owner's sessions: logged out, not merely refused.
    assert client.get(f"/vault/items/{item.pk}/").status_code == 302
    actions = list(
        AuditEvent.objects.filter(action__startswith="grant.").values_list("action", "actor_name")
    )
    assert actions == [("grant.remove", "outsider"), ("grant.add", "outsider")]


def test_the_audit_trail_is_append_only(team: Team) -> None:
    import pytest
    from django.db import DatabaseError, connection, transaction

    access.grant(team.owner, team.b, Role.LEGAL, by=None)
    for statement in (
        "UPDATE accounts_auditevent SET action = 'x'",
        "DELETE FROM accounts_auditevent",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)


def test_bulk_reading_raises_an_alert_for_auditors(
    team: Team, client: Client, settings: object
) -> None:
    settings.AUDIT_BULK_READS = 3  # type: ignore[attr-defined]
    items = [
        store(io.BytesIO(f"file {n}".encode()), actor="cli", compartment=team.a).item
        for n in range(5)
    ]
    owner = Client()
    log_in(owner, team.owner)
    for item in items:
        owner.get(f"/vault/items/{item.pk}/")
    log_in(client, team.auditor)
    page = client.get("/accounts/audit/").content.decode()
    assert "Bulk access:" in page and "owner read 5 items" in page


def test_the_audit_page_lists_every_event_down_to_the_oldest(team: Team, client: Client) -> None:
    from django.db.models import Q

    from docket.accounts.models import AuditEvent, User

    # An instance administrator also sees events of no compartment, such as the audit.view
    # this very request writes; the page must still end with the oldest event.
    chief = User.objects.create_superuser("chief", password="a long chief password")
    access.grant(chief, team.a, Role.ADMIN, by=None)
    access.grant(team.owner, team.b, Role.LEGAL, by=None)  # another compartment: not shown
    log_in(client, chief)
    page = client.get("/accounts/audit/").content.decode()
    in_scope = AuditEvent.objects.filter(Q(compartment=team.a) | Q(compartment__isnull=True))
    assert page.count("<tr><td>") == in_scope.count()
    # A built export's event counts its "items": the page shows it as any other detail.
    audit.record_system(
        None, "export.build", compartment=team.a,
        details={"kind": "case", "items": 3, "size": 1024},
    )  # fmt: skip
    page = client.get("/accounts/audit/").content.decode()
    # (in the order the database keeps the keys: PostgreSQL's jsonb sorts them by length)
    assert "kind case" in page and "items 3" in page and "size 1024" in page
    assert "chief is admin in okr-casefiles" in page  # the oldest event of the page
