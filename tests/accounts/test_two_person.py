"""The two-person rule cannot be one person: a superuser cannot mint the second admin alone,
the admin who made a person is not the second person on that person's requests, the approver
reads the recipient key's fingerprint back, and what the console grants is listed for all to
see."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from docket.accounts.models import Approval, AuditEvent, Grant, Role, User
from docket.api import tokens
from docket.exports.models import Export
from docket.jobs.models import Job
from docket.vault import age
from tests.support.personas import STAFF_PASSWORD, Team, log_in


def client_of(user: User) -> Client:
    client = Client()
    log_in(client, user)
    return client


def said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def fingerprint(recipient: age.Recipient) -> str:
    return hashlib.sha256(str(recipient).encode()).hexdigest()[:16]


@pytest.fixture
def alice(team: Team) -> User:
    """An instance administrator who is also an admin of compartment A."""
    user = User.objects.create_superuser("alice", password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=team.a, role=Role.ADMIN)
    return user


@pytest.fixture
def bob(team: Team) -> User:
    """Another admin of A, made by nobody on the web (independent of Alice)."""
    user = User.objects.create_user("bob", password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=team.a, role=Role.ADMIN)
    return user


def add_mallory(alice: User, team: Team) -> tuple[Any, str]:
    response = client_of(alice).post(
        "/accounts/people/",
        {"username": "mallory", "compartment": team.a.pk, "role": "admin",
         "reason": "She joins the Okrestina team as its second admin."},
    )  # fmt: skip
    password = re.search(r'<code class="secret">([A-Za-z0-9-]+)</code>', response.content.decode())
    assert password is not None
    return response, password.group(1)


def test_it_turns_a_new_admin_into_a_request_that_only_another_admin_decides(
    team: Team, alice: User, bob: User
) -> None:
    response, password = add_mallory(alice, team)
    assert response.status_code == 200
    assert "can log in only once another admin" in response.content.decode()
    mallory = User.objects.get(username="mallory")
    assert not mallory.is_active and not Grant.objects.filter(user=mallory).exists()
    assert mallory.created_by == alice
    assert not Client().login(username="mallory", password=password), "nothing until approved"
    approval = Approval.objects.get(action="user.add")
    assert approval.state == Approval.State.PENDING and approval.requested_by == alice
    assert approval.details == {
        "user_id": mallory.pk, "username": "mallory", "role": "admin",
        "compartment": team.a.name,
    }  # fmt: skip

    # Bob's page shows who asked, what exactly and why.
    page = client_of(bob).get(f"/accounts/approvals/{approval.pk}/").content.decode()
    for shown in ("alice", "mallory", "admin", team.a.name, "second admin"):
        assert shown in page

    # Alice cannot decide her own request.
    own = client_of(alice).get(f"/accounts/approvals/{approval.pk}/").content.decode()
    assert "cannot approve or refuse your own request" in own
    refused = client_of(alice).post(f"/accounts/approvals/{approval.pk}/", {"decision": "approve"})
    assert "your own request" in said(refused)
    approval.refresh_from_db()
    mallory.refresh_from_db()
    assert approval.state == Approval.State.PENDING and not mallory.is_active
    assert not Grant.objects.filter(user=mallory).exists()

    decided = client_of(bob).post(f"/accounts/approvals/{approval.pk}/", {"decision": "approve"})
    assert decided.status_code == 302
    approval.refresh_from_db()
    mallory.refresh_from_db()
    assert approval.state == Approval.State.APPROVED and approval.decided_by == bob
    assert mallory.is_active
    grant = Grant.objects.get(user=mallory)
    assert (grant.compartment, grant.role, grant.granted_by) == (team.a, "admin", alice)
    assert Client().login(username="mallory", password=password)
    added = AuditEvent.objects.get(action="grant.add", details__user="mallory")
    assert added.actor_name == "alice" and added.details["approved_by"] == "bob"
    assert AuditEvent.objects.get(action="user.add").details["approved_by"] == "bob"


def test_it_removes_the_account_a_second_admin_refuses(team: Team, alice: User, bob: User) -> None:
    add_mallory(alice, team)
    approval = Approval.objects.get(action="user.add")
    client_of(bob).post(f"/accounts/approvals/{approval.pk}/", {"decision": "refuse"})
    assert not User.objects.filter(username="mallory").exists()
    assert Approval.objects.get().state == Approval.State.REFUSED


def test_it_asks_a_second_person_before_anyone_becomes_an_admin(team: Team, bob: User) -> None:
    chief = User.objects.create_superuser("chief", password=STAFF_PASSWORD)
    asked = client_of(bob).post(
        f"/accounts/compartments/{team.a.pk}/",
        {"username": "owner", "role": "admin", "reason": "Leads the team now."},
    )
    assert asked.status_code == 302 and "once another admin" in said(asked)
    assert not Grant.objects.filter(user=team.owner, role="admin").exists()
    approval = Approval.objects.get(action="grant.admin")

    # The person it is about cannot decide it; an instance administrator with no role in the
    # compartment can (people and roles are his job), and it says who gave the role.
    assert client_of(team.owner).get(f"/accounts/approvals/{approval.pk}/").status_code == 404
    chief_page = client_of(chief).get("/accounts/approvals/").content.decode()
    assert "Make owner Administrator in okr-casefiles" in chief_page
    client_of(chief).post(f"/accounts/approvals/{approval.pk}/", {"decision": "approve"})
    grant = Grant.objects.get(user=team.owner, role="admin")
    assert grant.granted_by == bob and grant.compartment == team.a

    # Other roles are given at once, as before, and need no reason.
    client_of(bob).post(
        f"/accounts/compartments/{team.a.pk}/", {"username": "outsider", "role": "legal"}
    )
    assert Grant.objects.filter(user=team.outsider, compartment=team.a, role="legal").exists()


def test_it_happens_at_once_when_nobody_else_could_decide(team: Team) -> None:
    chief = User.objects.create_superuser("chief", password=STAFF_PASSWORD)
    page = client_of(chief).post(
        "/accounts/people/",
        {"username": "vera", "compartment": team.a.pk, "role": "admin", "reason": "first admin"},
    )
    assert "the account works at once" in page.content.decode()
    vera = User.objects.get(username="vera")
    assert vera.is_active and Grant.objects.filter(user=vera, role="admin").exists()
    alone = AuditEvent.objects.get(action="approval.alone")
    assert alone.actor_name == "chief" and alone.details["action"] == "user.add"
    assert AuditEvent.objects.get(action="grant.add", details__user="vera").details["alone"]
    listed = client_of(chief).get("/accounts/approvals/").content.decode()
    assert "Done alone: nobody else could decide" in listed

    # Now that Vera exists, the next admin waits for her.
    client_of(chief).post(
        "/accounts/people/",
        {"username": "yana", "compartment": team.a.pk, "role": "admin", "reason": "second"},
    )
    assert not User.objects.get(username="yana").is_active
    assert Approval.objects.get(details__username="yana").state == Approval.State.PENDING


def ask_export(mallory: User, team: Team, recipient: age.Recipient) -> Export:
    client = client_of(mallory)
    client.post(
        "/exports/",
        {"compartment": team.a.pk, "recipient": str(recipient),
         "recipient_label": "ICC OTP, unit 3", "reason": "Article 15 communication"},
    )  # fmt: skip
    return Export.objects.get()


@pytest.fixture
def mallory(team: Team, alice: User, bob: User) -> User:
    """An admin whom Alice asked for and Bob approved."""
    add_mallory(alice, team)
    client_of(bob).post(
        f"/accounts/approvals/{Approval.objects.get(action='user.add').pk}/",
        {"decision": "approve"},
    )
    # She has logged in once and chosen her own password.
    User.objects.filter(username="mallory").update(must_change_password=False)
    return User.objects.get(username="mallory")


def test_it_lets_only_an_admin_who_did_not_make_the_requester_approve_her_export(
    team: Team, alice: User, bob: User, mallory: User, django_capture_on_commit_callbacks: Any
) -> None:
    key = age.Identity.generate().recipient()
    export = ask_export(mallory, team, key)
    digits = fingerprint(key)
    url = f"/accounts/approvals/{export.approval.pk}/"

    # The fingerprint is shown in groups of four beside the recipient's label.
    grouped = " ".join(digits[i : i + 4] for i in range(0, 16, 4))
    for page in (client_of(bob).get(url), client_of(bob).get("/accounts/approvals/")):
        assert re.search(rf"ICC OTP, unit 3.{{0,200}}{grouped}", page.content.decode(), re.S)

    # Alice asked for Mallory's account: she is not a second person, digits or not.
    assert "cannot be the second person" in client_of(alice).get(url).content.decode()
    refused = client_of(alice).post(url, {"decision": "approve", "recipient_check": digits[8:]})
    assert "cannot be the second person" in said(refused)
    export.refresh_from_db()
    assert export.state == Export.State.AWAITING and not Job.objects.exists()

    # Bob, with the wrong digits, or none: refused, nothing changes.
    for typed in ("", "00000000", digits[:8]):
        wrong = client_of(bob).post(url, {"decision": "approve", "recipient_check": typed})
        assert "Nothing was decided" in said(wrong)
        export.refresh_from_db()
        assert export.state == Export.State.AWAITING and export.approval.decided_by is None
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(
        action="approval.approve", object_id=str(export.approval.pk)
    ).exists()

    # Bob with the right ones (as read off the page, spaces and capitals allowed).
    typed = f"{digits[8:12]} {digits[12:16]}".upper()
    with django_capture_on_commit_callbacks(execute=True):
        client_of(bob).post(url, {"decision": "approve", "recipient_check": typed})
    export.refresh_from_db()
    assert export.state == Export.State.QUEUED and export.approval.decided_by == bob
    assert Job.objects.filter(kind="export.build").exists()


def test_it_refuses_an_api_approval_without_or_with_a_wrong_recipient_check(
    team: Team, alice: User, bob: User, mallory: User, django_capture_on_commit_callbacks: Any
) -> None:
    key = age.Identity.generate().recipient()
    export = ask_export(mallory, team, key)
    digits = fingerprint(key)
    _, token = tokens.create(bob, name="desk", scopes=["exports:approve"], fresh_code=True)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/exports/{export.pk}/approve"

    for body in ({}, {"recipient_check": "deadbeef"}, {"recipient_check": digits[:8]}):
        answer = api.post(url, json.dumps(body), content_type="application/json")
        assert answer.status_code in (400, 422), answer.content
        export.refresh_from_db()
        assert export.state == Export.State.AWAITING
    assert not Job.objects.exists()

    _, alices = tokens.create(alice, name="desk", scopes=["exports:approve"], fresh_code=True)
    by_alice = Client(HTTP_AUTHORIZATION=f"Bearer {alices}").post(
        url, json.dumps({"recipient_check": digits[8:]}), content_type="application/json"
    )
    assert by_alice.status_code == 409 and "second person" in by_alice.json()["error"]

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            url, json.dumps({"recipient_check": digits[8:], "note": "checked by call"}),
            content_type="application/json",
        )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["status"] == "queued"
    export.refresh_from_db()
    assert export.state == Export.State.QUEUED and export.approval.decided_by == bob
    approved = AuditEvent.objects.get(action="approval.approve", object_id=str(export.approval.pk))
    assert approved.actor_name == "bob" and approved.details["note"] == "checked by call"


def test_an_approvals_token_shows_and_refuses_an_export_but_cannot_approve_it(
    team: Team, bob: User, mallory: User
) -> None:
    """A token of scope approvals:decide lives 90 days and needs no fresh code: approving an
    export with it would undercut the rule on exports:approve tokens (a fresh code, 7 days)."""
    key = age.Identity.generate().recipient()
    export = ask_export(mallory, team, key)
    digits = fingerprint(key)
    _, token = tokens.create(bob, name="desk", scopes=["approvals:decide"], days=90)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/approvals/{export.approval.pk}/"

    shown = api.get(url).json()
    assert shown["recipient"] == {
        "label": "ICC OTP, unit 3", "key": str(key),
        "fingerprint": " ".join(digits[i : i + 4] for i in range(0, 16, 4)),
    }  # fmt: skip
    assert shown["requested_by"] == "mallory" and shown["state"] == "pending"

    answer = api.post(
        url + "approve", json.dumps({"recipient_check": digits[8:]}),
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 403 and "exports:approve" in answer.json()["error"]
    export.refresh_from_db()
    assert export.state == Export.State.AWAITING and not Job.objects.exists()

    refused = api.post(
        url + "refuse", json.dumps({"note": "wrong key"}), content_type="application/json"
    )
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    export.refresh_from_db()
    assert export.state == Export.State.REFUSED


def test_it_lists_a_console_grant_on_the_approvals_page_and_in_the_audit(
    team: Team, bob: User
) -> None:
    call_command("users", "add", "viktor", "--role", "admin", "--compartment", team.a.name)
    viktor = User.objects.get(username="viktor")
    assert viktor.is_active and Grant.objects.get(user=viktor).granted_by is None
    granted = AuditEvent.objects.get(action="grant.add", details__user="viktor")
    assert granted.actor is None and granted.details["via"] == "console"
    assert granted.compartment_id == team.a.pk
    assert AuditEvent.objects.get(action="user.add").details == {"via": "console"}

    page = client_of(bob).get("/accounts/approvals/").content.decode()
    console = page[page.index("Made at the console") :]
    assert re.search(r"role given</td>\s*<td>viktor</td>\s*<td>admin</td>", console)
    # An admin of another compartment does not see it.
    other = User.objects.create_user("gleb", password=STAFF_PASSWORD)
    Grant.objects.create(user=other, compartment=team.b, role=Role.ADMIN)
    assert "viktor" not in client_of(other).get("/accounts/approvals/").content.decode()


def test_nobody_approves_an_export_of_the_person_who_made_them(team: Team) -> None:
    """An instance administrator alone on a new instance adds a second admin (at once: nobody
    else could decide). That admin is his creature, not a second person: she cannot approve
    his export."""
    chief = User.objects.create_superuser("chief", password=STAFF_PASSWORD)
    Grant.objects.create(user=chief, compartment=team.a, role=Role.ADMIN)
    client_of(chief).post(
        "/accounts/people/",
        {"username": "vera", "compartment": team.a.pk, "role": "admin", "reason": "first"},
    )
    vera = User.objects.get(username="vera")
    User.objects.filter(pk=vera.pk).update(must_change_password=False)
    assert vera.is_active and vera.created_by == chief
    key = age.Identity.generate().recipient()
    export = ask_export(chief, team, key)

    url = f"/accounts/approvals/{export.approval.pk}/"
    assert "cannot be the second person" in client_of(vera).get(url).content.decode()
    tried = client_of(vera).post(
        url, {"decision": "approve", "recipient_check": fingerprint(key)[8:]}
    )
    assert "cannot be the second person" in said(tried)
    export.refresh_from_db()
    assert export.state == Export.State.AWAITING and export.approval.decided_by is None
    assert not Job.objects.exists()


def test_disabling_the_other_admin_does_not_make_an_administrator_alone_again(
    team: Team, bob: User
) -> None:
    chief = User.objects.create_superuser("chief", password=STAFF_PASSWORD)
    client_of(chief).post("/accounts/people/", {"user": bob.pk, "disable": "1"})
    bob.refresh_from_db()
    assert not bob.is_active

    page = client_of(chief).post(
        "/accounts/people/",
        {"username": "yana", "compartment": team.a.pk, "role": "admin", "reason": "my own"},
    )
    assert "the account works at once" not in page.content.decode()
    assert not User.objects.get(username="yana").is_active
    approval = Approval.objects.get(details__username="yana")
    assert approval.state == Approval.State.PENDING
    assert not AuditEvent.objects.filter(action="approval.alone").exists()

    # The way out is at the console, audited: the other admin is enabled again and decides.
    call_command("users", "enable", "bob", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="user.enable", details__via="console").exists()
    client_of(bob).post(f"/accounts/approvals/{approval.pk}/", {"decision": "approve"})
    approval.refresh_from_db()
    assert approval.state == Approval.State.APPROVED and approval.decided_by == bob


def test_an_admin_of_any_compartment_decides_an_account_request(team: Team) -> None:
    """One other admin anywhere on the instance is a second person for who joins: the
    instance administrator is not alone because the compartment has no admin yet."""
    chief = User.objects.create_superuser("chief", password=STAFF_PASSWORD)
    gleb = User.objects.create_user("gleb", password=STAFF_PASSWORD)
    Grant.objects.create(user=gleb, compartment=team.b, role=Role.ADMIN)

    client_of(chief).post(
        "/accounts/people/",
        {"username": "yana", "compartment": team.a.pk, "role": "analyst", "reason": "new analyst"},
    )
    approval = Approval.objects.get(details__username="yana")
    assert approval.state == Approval.State.PENDING
    assert "yana" in client_of(gleb).get("/accounts/approvals/").content.decode()
    client_of(gleb).post(f"/accounts/approvals/{approval.pk}/", {"decision": "approve"})
    approval.refresh_from_db()
    assert approval.state == Approval.State.APPROVED and approval.decided_by == gleb
    assert User.objects.get(username="yana").is_active


def test_taking_the_other_admins_role_does_not_make_an_administrator_alone_again(
    team: Team, bob: User
) -> None:
    chief = User.objects.create_superuser("chief", password=STAFF_PASSWORD)
    grant = Grant.objects.get(user=bob, role=Role.ADMIN)
    client_of(chief).post(f"/accounts/compartments/{team.a.pk}/", {"revoke": grant.pk})
    assert not Grant.objects.filter(user=bob, role=Role.ADMIN).exists()
    assert not User.objects.filter(is_superuser=True).exclude(pk=chief.pk).exists()

    client_of(chief).post(
        "/accounts/people/",
        {"username": "zoya", "compartment": team.a.pk, "role": "admin", "reason": "alone?"},
    )
    assert Approval.objects.get(details__username="zoya").state == Approval.State.PENDING
