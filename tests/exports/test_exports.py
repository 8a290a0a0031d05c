"""Exporting a whole compartment: two people decide, the worker packs, only the recipient's
key opens the package, and standard tools (age, unzip, sha256sum) and `docket exports check`
confirm every original and its custody."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.accounts.models import Approval, AuditEvent, Role
from docket.accounts.second_factor import VERIFIED_AT
from docket.exports.check import check
from docket.exports.models import Export
from docket.jobs import queue
from docket.jobs.models import Job
from docket.lib import zones
from docket.vault import age
from docket.vault.models import CustodyEntry
from docket.vault.store import store
from tests.support.bundle import client_of, member
from tests.support.personas import Team


def docket_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The `docket` command as a recipient runs it: no instance, no database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    return subprocess.run(
        [sys.executable, "-m", "docket", *args], capture_output=True, text=True, env=env
    )


def run_jobs() -> None:
    while (job := queue.claim()) is not None:
        queue.run(job)


@pytest.fixture
def originals(team: Team) -> dict[int, bytes]:
    made = {}
    for n, size in enumerate([10, 200_000, 0, 3 * age.CHUNK + 5]):
        data = os.urandom(size) if size else b""
        data = data if n != 2 else b"tiny but not empty"
        made[store(io.BytesIO(data), actor="test", compartment=team.a).item.pk] = data
    store(io.BytesIO(b"another compartment's secret"), actor="test", compartment=team.b)
    return made


def last_eight(recipient: age.Recipient) -> str:
    """What the approver reads off the page and types: the fingerprint's last 8 hex digits."""
    return hashlib.sha256(str(recipient).encode()).hexdigest()[8:16]


def ask(client: Client, team: Team, recipient: age.Recipient) -> Any:
    return client.post(
        "/exports/",
        {
            "compartment": team.a.pk,
            "recipient": str(recipient),
            "recipient_label": "ICC OTP, unit 3",
            "reason": "Article 15 communication on Okrestina",
        },
    )


def test_a_compartment_export_needs_a_second_admin_and_opens_only_with_the_recipients_key(
    team: Team,
    originals: dict[int, bytes],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    lena = member("lena", team, Role.LEGAL)
    dasha = member("dasha", team, Role.ADMIN)
    key = age.Identity.generate()

    response = ask(client_of(lena), team, key.recipient())
    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert export.state == Export.State.AWAITING and export.approval.requested_by == lena
    assert not Job.objects.exists(), "nothing may be packed before the second person decides"

    # The requester holds no admin role: the approvals are not even there for her.
    assert client_of(lena).get("/accounts/approvals/").status_code == 404
    assert client_of(team.owner).get(f"/exports/{export.pk}/").status_code == 404

    admin = client_of(dasha)
    page = admin.get(f"/accounts/approvals/{export.approval.pk}/").content.decode()
    assert "Article 15 communication on Okrestina" in page and "Approve" in page
    with django_capture_on_commit_callbacks(execute=True):
        decided = admin.post(
            f"/accounts/approvals/{export.approval.pk}/",
            {"decision": "approve", "recipient_check": last_eight(key.recipient())},
        )
    assert decided.status_code == 302
    export.refresh_from_db()
    assert export.state == Export.State.QUEUED and export.approval.decided_by == dasha
    # Decided already: said as news (a notice), not as an error; times local, with offset.
    page = admin.get(f"/accounts/approvals/{export.approval.pk}/").content.decode()
    assert '<p class="notice">' in page and "decided already" in page
    assert zones.show(export.approval.decided_at) in page
    assert zones.show(export.requested_at) in client_of(lena).get("/exports/").content.decode()
    shown = client_of(lena).get(f"/exports/{export.pk}/").content.decode()
    assert zones.show(export.requested_at) in shown and " UTC" not in shown

    run_jobs()
    export.refresh_from_db()
    assert export.state == Export.State.READY, export.error
    assert export.done == export.total == len(originals)

    download = client_of(lena).post(f"/exports/{export.pk}/package")
    assert download.status_code == 200
    sealed = tmp_path / export.file_name
    sealed.write_bytes(b"".join(download.streaming_content))  # type: ignore[arg-type]
    assert sealed.stat().st_size == export.size
    assert not zipfile.is_zipfile(sealed), "the package is stored and sent encrypted"

    # The recipient opens it with Debian's age and checks it with standard tools.
    (tmp_path / "key.txt").write_text(f"{key}\n")
    opened = tmp_path / "export.zip"
    subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "key.txt"), "-o", str(opened), str(sealed)], check=True
    )
    unpacked = tmp_path / "unpacked"
    subprocess.run(["unzip", "-q", str(opened), "-d", str(unpacked)], check=True)
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True
    )
    assert sums.returncode == 0 and sums.stdout.count(": OK") == len(originals)
    for pk, data in originals.items():
        assert (unpacked / "items" / f"{pk}.bin").read_bytes() == data
    assert len(list((unpacked / "items").iterdir())) == len(originals)  # nothing from B

    manifest = json.loads((unpacked / "manifest.json").read_text())
    assert manifest["requested_by"] == "lena" and manifest["approved_by"] == "dasha"
    for package in (opened, unpacked):
        report = check(package)
        assert report.ok, report.problems
        assert report.items == len(originals)
        # received + read for the export, for each item, and the export's own entry
        assert report.entries == 2 * len(originals) + 1

    reads = CustodyEntry.objects.filter(action="read").values_list("leaf", flat=True)
    assert sum(f'"export:{export.pk}"'.encode() in bytes(r) for r in reads) == len(originals)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"export.request", "approval.ask", "approval.approve", "export.build"} <= actions
    assert AuditEvent.objects.get(action="export.download").actor_name == "lena"


def test_the_check_names_an_altered_original_and_a_forged_custody_line(
    team: Team,
    originals: dict[int, bytes],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    lena = member("lena", team, Role.LEGAL)
    dasha = member("dasha", team, Role.ADMIN)
    key = age.Identity.generate()
    ask(client_of(lena), team, key.recipient())
    export = Export.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_of(dasha).post(
            f"/accounts/approvals/{export.approval.pk}/",
            {"decision": "approve", "recipient_check": last_eight(key.recipient())},
        )
    run_jobs()
    export.refresh_from_db()
    from docket.lib.storage import BlobStore

    with BlobStore.default().open(export.blob) as handle:
        plain = b"".join(age.decrypt_chunks(handle, [key]))
    whole = tmp_path / "export.zip"
    whole.write_bytes(plain)
    good = docket_cli("exports", "check", str(whole))
    assert good.returncode == 0 and good.stdout.rstrip().endswith("OK"), good.stderr
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(whole).extractall(unpacked)
    victim = next(iter(originals))
    (unpacked / "items" / f"{victim}.bin").write_bytes(b"edited")
    lines = (unpacked / "custody.jsonl").read_text().splitlines()
    forged = json.loads(lines[0])
    forged["proof"][0] = "00" * 32
    lines[0] = json.dumps(forged)
    (unpacked / "custody.jsonl").write_text("\n".join(lines) + "\n")

    report = check(unpacked)
    assert not report.ok
    assert any(f"items/{victim}.bin" in p and "altered" in p for p in report.problems)
    assert any("custody.jsonl line 1" in p for p in report.problems)
    bad = docket_cli("exports", "check", str(unpacked), "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["problems"] == report.problems
    assert not check(tmp_path / "nothing-here").ok


def test_an_admin_cannot_approve_their_own_export_and_a_refused_one_is_never_built(
    team: Team, originals: dict[int, bytes], django_capture_on_commit_callbacks: Any
) -> None:
    dasha = member("dasha", team, Role.ADMIN)
    ivan = member("ivan", team, Role.ADMIN)
    ask(client_of(dasha), team, age.Identity.generate().recipient())
    export = Export.objects.get()
    own = client_of(dasha)
    page = own.get(f"/accounts/approvals/{export.approval.pk}/").content.decode()
    assert "cannot approve or refuse your own request" in page
    with django_capture_on_commit_callbacks(execute=True):
        own.post(f"/accounts/approvals/{export.approval.pk}/", {"decision": "approve"})
    export.refresh_from_db()
    assert export.approval.state == Approval.State.PENDING and not Job.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client_of(ivan).post(
            f"/accounts/approvals/{export.approval.pk}/", {"decision": "refuse", "note": "no"}
        )
    export.refresh_from_db()
    assert export.state == Export.State.REFUSED and not Job.objects.exists()
    refusal = AuditEvent.objects.get(action="approval.refuse")
    assert refusal.actor_name == "ivan" and refusal.details["requested_by"] == "dasha"
    again = client_of(dasha).post(f"/exports/{export.pk}/package", follow=True).content.decode()
    assert "not ready" in again


def test_asking_needs_a_fresh_code_and_a_real_age_key(team: Team, originals: Any) -> None:
    lena = member("lena", team, Role.LEGAL)
    client = client_of(lena)
    bad = client.post(
        "/exports/",
        {"compartment": team.a.pk, "recipient": "ssh-ed25519 AAAA", "recipient_label": "x",
         "reason": "y"},
    )  # fmt: skip
    assert "That is not an age public key" in bad.content.decode()
    other = client.post(
        "/exports/",
        {"compartment": team.b.pk, "recipient": str(age.Identity.generate().recipient()),
         "recipient_label": "x", "reason": "y"},
    )  # fmt: skip
    assert "Select a valid choice" in other.content.decode(), "B is not hers to export"
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    stale = ask(client, team, age.Identity.generate().recipient())
    assert stale["Location"].startswith("/accounts/confirm/?next=")
    assert not Export.objects.exists()
