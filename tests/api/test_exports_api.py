"""Exports through the API alone, as a partner's scripts use it: one person's token asks,
another's approves with the key's check digits, the worker builds, the first polls and
downloads the encrypted package, which only the recipient's key opens. The pages' rules hold:
two people, the same compartments, the same audit; the approving token needs a fresh code
and lives a week at most."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from docket.accounts.models import AuditEvent, Grant, Role, User
from docket.accounts.second_factor import VERIFIED_AT
from docket.api import tokens
from docket.api.models import ApiToken
from docket.exports.models import Export
from docket.jobs import queue
from docket.vault import age
from docket.vault.models import CustodyEntry
from tests.support.personas import STAFF_PASSWORD, Team, log_in
from tests.support.suspects import SECRETS, Register, ftm_problems, make_register


def member(name: str, team: Team, role: str) -> User:
    user = User.objects.create_user(name, password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=team.a, role=role)
    return user


def script(user: User, *scopes: str) -> Client:
    """A partner's script holding `user`'s token of `scopes`."""
    _, token = tokens.create(user, name="script", scopes=list(scopes), fresh_code=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def check_digits(recipient: age.Recipient) -> str:
    return hashlib.sha256(str(recipient).encode()).hexdigest()[8:16]


@pytest.fixture
def register(team: Team) -> Register:
    return make_register(team)


def ask(client: Client, **body: Any) -> Any:
    return client.post("/api/exports", body, content_type="application/json")


def test_the_whole_flow_through_the_api_alone(
    team: Team, register: Register, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    lena = script(member("lena", team, Role.LEGAL), "exports:ask")
    dasha = script(member("dasha", team, Role.ADMIN), "exports:approve")
    key = age.Identity.generate()

    asked = ask(
        lena, kind="sanctions", case=register.case.pk, recipient=str(key.recipient()),
        recipient_label="EU sanctions unit", reason="Listing the Akrestsina suspects",
    )  # fmt: skip
    assert asked.status_code == 201, asked.content
    pk = asked.json()["id"]
    assert asked.json() == {"id": pk, "kind": "sanctions", "status": "awaiting"}
    export = Export.objects.get(pk=pk)
    assert export.case == register.case and export.min_confidence == "established"
    assert lena.get(f"/api/exports/{pk}").json()["status"] == "awaiting"
    early = lena.get(f"/api/exports/{pk}/package")
    assert early.status_code == 409 and "not ready" in early.json()["error"]

    wrong = dasha.post(
        f"/api/exports/{pk}/approve", {"recipient_check": "00000000"},
        content_type="application/json",
    )  # fmt: skip
    assert wrong.status_code == 422 and Export.objects.get(pk=pk).state == "awaiting"
    with django_capture_on_commit_callbacks(execute=True):
        approved = dasha.post(
            f"/api/exports/{pk}/approve",
            {"recipient_check": check_digits(key.recipient()).upper()},
            content_type="application/json",
        )
    assert approved.status_code == 200, approved.content
    assert approved.json() == {"id": pk, "kind": "sanctions", "status": "queued"}
    again = dasha.post(
        f"/api/exports/{pk}/approve", {"recipient_check": check_digits(key.recipient())},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 409 and "not awaiting" in again.json()["error"]

    while (job := queue.claim()) is not None:
        queue.run(job)
    for client in (lena, dasha):  # both GETs take either scope
        assert client.get(f"/api/exports/{pk}").json() == {
            "id": pk, "kind": "sanctions", "status": "ready",
        }  # fmt: skip
    download = lena.get(f"/api/exports/{pk}/package")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    sealed = tmp_path / "package.zip.age"
    sealed.write_bytes(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    assert not zipfile.is_zipfile(sealed), "the package leaves encrypted"

    (tmp_path / "key.txt").write_text(f"{key}\n")
    opened = subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "key.txt"), str(sealed)], check=True,
        capture_output=True,
    ).stdout  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(opened)) as package:
        lines = package.read("entities.ftm.json").decode().splitlines()
        manifest = json.loads(package.read("manifest.json"))
    assert ftm_problems(lines) == []
    listed = {n for line in lines for n in json.loads(line)["properties"].get("name", [])}
    assert "Ivan Piatrou" in listed and "Siarhei Kavalou" not in listed
    assert not any(secret in "\n".join(lines) for secret in SECRETS)
    assert manifest["requested_by"] == "lena" and manifest["approved_by"] == "dasha"

    audited = AuditEvent.objects.filter(object_id=str(pk)) | AuditEvent.objects.filter(
        action__startswith="approval."
    )
    actions = {(e.action, e.actor_name) for e in audited}
    assert {("export.request", "lena"), ("approval.approve", "dasha"), ("export.view", "lena"),
            ("export.download", "lena")} <= actions  # fmt: skip
    assert AuditEvent.objects.get(action="export.download").details["via"] == "api"
    assert CustodyEntry.objects.filter(action="export").count() == 1


def test_the_requester_cannot_approve_their_own_export(team: Team, register: Register) -> None:
    anna = script(member("anna", team, Role.ADMIN), "exports:ask", "exports:approve")
    key = age.Identity.generate().recipient()
    pk = ask(
        anna, kind="compartment", compartment=team.a.name, recipient=str(key), reason="all"
    ).json()["id"]
    mine = anna.post(
        f"/api/exports/{pk}/approve", {"recipient_check": check_digits(key)},
        content_type="application/json",
    )  # fmt: skip
    assert mine.status_code == 409 and "your own" in mine.json()["error"]
    assert Export.objects.get(pk=pk).state == Export.State.AWAITING
    missing = anna.post(f"/api/exports/{pk}/approve", {}, content_type="application/json")
    assert missing.status_code == 400 and "recipient_check" in missing.json()["error"]


def test_a_token_without_the_scope_gets_403(team: Team, register: Register) -> None:
    lena = member("lena", team, Role.LEGAL)
    dasha = member("dasha", team, Role.ADMIN)
    key = age.Identity.generate().recipient()
    reader = script(lena, "items:read", "register:read")
    body = {"kind": "compartment", "compartment": team.a.name, "recipient": str(key),
            "reason": "x"}  # fmt: skip
    assert ask(reader, **body).status_code == 403
    pk = ask(script(lena, "exports:ask"), **body).json()["id"]
    assert reader.get(f"/api/exports/{pk}").status_code == 403
    assert reader.get(f"/api/exports/{pk}/package").status_code == 403
    asker = script(dasha, "exports:ask")
    refused = asker.post(
        f"/api/exports/{pk}/approve", {"recipient_check": check_digits(key)},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403 and "exports:approve" in refused.json()["error"]
    assert Export.objects.get(pk=pk).state == Export.State.AWAITING


def test_what_the_caller_may_not_export_is_404_and_a_bad_request_says_why(
    team: Team, register: Register
) -> None:
    lena = script(member("lena", team, Role.LEGAL), "exports:ask")
    key = str(age.Identity.generate().recipient())
    theirs = register.foreign  # compartment B's
    from docket.cases.models import Case

    b_case = Case.objects.get(compartment=team.b)
    assert ask(lena, kind="case", case=b_case.pk, recipient=key, reason="x").status_code == 404
    assert ask(lena, kind="sanctions", case=b_case.pk, recipient=key, reason="x").status_code == 404
    assert (
        ask(lena, kind="compartment", compartment=team.b.name, recipient=key, reason="x")
    ).status_code == 404
    assert ask(lena, kind="case", case=10**9, recipient=key, reason="x").status_code == 404
    outsider = script(team.outsider, "exports:ask")  # an analyst of B: may export nothing
    assert ask(outsider, kind="compartment", compartment=team.b.name, recipient=key,
               reason="x").status_code == 404  # fmt: skip
    assert theirs.compartment_id == team.b.pk

    def refused(**body: Any) -> str:
        answer = ask(lena, **{"recipient": key, "reason": "x", **body})
        assert answer.status_code == 422, (body, answer.content)
        return str(answer.json()["error"])

    assert refused(kind="report", compartment=team.a.name) == "the request is not valid"
    assert "needs its case" in refused(kind="case")
    assert "not an age public key" in refused(
        kind="sanctions", case=register.case.pk, recipient="age1notakey"
    )
    assert refused(kind="sanctions", case=register.case.pk, min_confidence="certain")
    assert "sanctions list only" in refused(
        kind="compartment", compartment=team.a.name, min_confidence="possible"
    )
    assert "reason" in refused(kind="sanctions", case=register.case.pk, reason=" ")
    assert not Export.objects.exists()

    # B's export, asked by B's own legal user, is no more visible than a missing one
    b_legal = User.objects.create_user("b-legal", password=STAFF_PASSWORD)
    Grant.objects.create(user=b_legal, compartment=team.b, role=Role.LEGAL)
    b_pk = ask(script(b_legal, "exports:ask"), kind="compartment", compartment=team.b.name,
               recipient=key, reason="b").json()["id"]  # fmt: skip
    assert lena.get(f"/api/exports/{b_pk}").status_code == 404
    assert lena.get(f"/api/exports/{b_pk}/package").status_code == 404
    b_admin = script(member("dasha", team, Role.ADMIN), "exports:approve")
    assert (
        b_admin.post(
            f"/api/exports/{b_pk}/approve",
            {"recipient_check": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_an_approving_token_needs_a_fresh_code_and_lives_a_week_at_most(
    team: Team, client: Client
) -> None:
    dasha = member("dasha", team, Role.ADMIN)
    with pytest.raises(ValueError, match="second-factor code"):
        tokens.create(dasha, name="s", scopes=["exports:approve"])
    with pytest.raises(ValueError, match="at most 7 days"):
        tokens.create(dasha, name="s", scopes=["exports:approve"], days=8, fresh_code=True)
    made, _ = tokens.create(dasha, name="s", scopes=["exports:approve"], fresh_code=True)
    assert made.expires_at - timezone.now() <= timedelta(days=7)
    asking, _ = tokens.create(dasha, name="s", scopes=["exports:ask"])  # no such rule
    assert asking.expires_at - timezone.now() > timedelta(days=80)

    # the console: the server's own rights, but the same week
    with pytest.raises(CommandError, match="at most 7 days"):
        call_command("tokens", "create", "dasha", "--scope", "exports:approve", "--days", "30")
    out = io.StringIO()
    call_command("tokens", "create", "dasha", "--scope", "exports:approve", "--json", stdout=out)
    assert ApiToken.objects.filter(scopes=["exports:approve"]).count() == 2

    # the page: only right after a code
    log_in(client, dasha)
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    stale = client.post("/accounts/tokens/", {"name": "approver", "scope": ["exports:approve"]})
    assert stale["Location"].startswith("/accounts/confirm/")
    assert ApiToken.objects.filter(name="approver").count() == 0
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()
    page = client.post("/accounts/tokens/", {"name": "approver", "scope": ["exports:approve"]})
    assert page.status_code == 200 and '<code class="secret">' in page.content.decode()
    created = ApiToken.objects.get(name="approver")
    assert created.expires_at - timezone.now() <= timedelta(days=7)
