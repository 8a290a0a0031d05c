"""Staff upload files from the web: in parts, each sealed as it arrives, resumed after a
dropped part or a reload, stored by a worker with the uploader in custody and the file's
name on the item; nobody else sees or adds to another's upload."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.ingest import uploads
from docket.ingest.models import Batch, WebUpload
from docket.jobs import queue
from docket.register import search
from docket.vault.models import CustodyEntry, Item
from tests.support.personas import Team, log_in

PART = 8 * 1024 * 1024


def client_of(user: object) -> Client:
    client = Client()
    log_in(client, user)
    return client


def run_jobs() -> None:
    while (job := queue.claim()) is not None:
        queue.run(job)


def part(client: Client, upload: int, offset: int, data: bytes) -> Any:
    return client.post(
        f"/vault/upload/part?upload={upload}", data=data,
        content_type="application/octet-stream", headers={"Upload-Offset": str(offset)},
    )  # fmt: skip


@pytest.mark.django_db
def test_a_file_sent_in_parts_resumes_and_becomes_a_named_item(
    vault: Path, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    marker = b"OKRESTINA-ORDER-0810 "
    data = marker * 10 + os.urandom(2 * PART + 12345)
    analyst = client_of(team.owner)
    page = analyst.get("/vault/upload/").content.decode()
    assert "Upload files" in page and team.a.name in page and team.b.name not in page
    assert 'href="/vault/upload/"' in analyst.get("/vault/items/").content.decode()

    head = hashlib.sha256(data[:PART]).hexdigest()
    meta = {"compartment": team.a.pk, "name": "C:\\evidence\\order 0810.pdf", "size": len(data),
            "fingerprint": f"{head}:1596412800000"}  # fmt: skip
    started = analyst.post("/vault/upload/start", meta).json()
    assert started["offset"] == 0 and started["name"] == "order 0810.pdf"
    upload = started["upload"]
    assert part(analyst, upload, 0, data[:PART]).json()["offset"] == PART

    # What waits on disk is sealed: no plaintext of the file is there.
    spooled = b"".join(p.read_bytes() for p in (uploads.spool_dir() / str(upload)).iterdir())
    assert spooled and marker not in spooled

    # The page is reloaded and the same file chosen again: it goes on from where it stopped.
    again = analyst.post("/vault/upload/start", meta).json()
    assert again["upload"] == upload and again["offset"] == PART
    # A part sent twice (its answer lost) is refused with where to go on.
    stale = part(analyst, upload, 0, data[:PART])
    assert stale.status_code == 409 and stale.json()["offset"] == PART
    part(analyst, upload, PART, data[PART : 2 * PART])
    with django_capture_on_commit_callbacks(execute=True):
        last = part(analyst, upload, 2 * PART, data[2 * PART :]).json()
    assert last["offset"] == len(data) and last["state"] == "complete"

    run_jobs()
    state = analyst.get(f"/vault/upload/state?upload={upload}").json()
    assert state["state"] == "stored" and state["item"].startswith("/vault/items/")
    item = Item.objects.get(pk=int(state["item"].rstrip("/").rsplit("/", 1)[1]))
    assert item.sha256 == hashlib.sha256(data).hexdigest() and item.compartment == team.a
    stored = json.loads(CustodyEntry.objects.get(item=item, action="received").leaf_text())
    assert stored["actor"] == "owner" and stored["details"]["path"] == "order 0810.pdf"
    assert not (uploads.spool_dir() / str(upload)).exists()
    listed = analyst.get("/vault/items/").content.decode()
    assert "order 0810.pdf" in listed
    found = search.search("0810", compartments={team.a.pk}, kinds={"item"})
    assert [hit.id for hit in found] == [item.pk]
    batch = Batch.objects.get()
    assert batch.source == "web" and batch.stored == 1 and batch.actor == "owner"
    assert "web upload: owner" in analyst.get("/vault/imports/").content.decode()


@pytest.mark.django_db
def test_nobody_else_sees_or_adds_to_an_upload(vault: Path, team: Team) -> None:
    analyst = client_of(team.owner)
    started = analyst.post(
        "/vault/upload/start", {"compartment": team.a.pk, "name": "clip.mp4", "size": 10}
    ).json()
    upload = started["upload"]
    outsider = client_of(team.outsider)
    assert part(outsider, upload, 0, b"planted!!!").status_code == 404
    assert outsider.get(f"/vault/upload/state?upload={upload}").status_code == 404
    refused = outsider.post(
        "/vault/upload/start", {"compartment": team.a.pk, "name": "x.txt", "size": 3}
    )
    assert refused.status_code == 404 and "Choose a compartment" in refused.json()["error"]
    # The intake role and the auditor do not upload into the compartment.
    for user in (team.teammate, team.auditor):
        assert client_of(user).get("/vault/upload/").status_code == 404
    assert WebUpload.objects.get().offset == 0


@pytest.mark.django_db
def test_bad_parts_and_sizes_are_refused_and_stale_uploads_swept(vault: Path, team: Team) -> None:
    analyst = client_of(team.owner)
    empty = analyst.post("/vault/upload/start", {"compartment": team.a.pk, "name": "e", "size": 0})
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    upload = analyst.post(
        "/vault/upload/start", {"compartment": team.a.pk, "name": "a.txt", "size": 4}
    ).json()["upload"]
    assert part(analyst, upload, 0, b"too long").status_code == 413
    part(analyst, upload, 0, b"ab")
    assert (uploads.spool_dir() / str(upload)).exists()
    assert uploads.sweep(older_than=timedelta(days=1)) == 0
    assert uploads.sweep(older_than=timedelta(seconds=-1)) == 1
    assert not WebUpload.objects.exists() and not (uploads.spool_dir() / str(upload)).exists()
    assert not Batch.objects.exists()  # the import left with no file goes too


@pytest.mark.django_db
def test_another_file_of_the_same_name_and_size_is_never_glued_onto_an_upload(
    vault: Path, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    """Two cameras' FILE0001.MOV of one size: the second is a new upload, and a first part
    that is not the file the upload began with is refused."""
    first, second = os.urandom(PART + 100), os.urandom(PART + 100)
    analyst = client_of(team.owner)

    def fingerprint(data: bytes, modified: int) -> str:
        return f"{hashlib.sha256(data[:PART]).hexdigest()}:{modified}"

    def start(data: bytes, modified: int) -> dict[str, Any]:
        meta = {"compartment": team.a.pk, "name": "FILE0001.MOV", "size": len(data),
                "fingerprint": fingerprint(data, modified)}  # fmt: skip
        answer: dict[str, Any] = analyst.post("/vault/upload/start", meta).json()
        return answer

    a = start(first, 1)
    part(analyst, a["upload"], 0, first[:PART])
    b = start(second, 2)
    assert b["upload"] != a["upload"] and b["offset"] == 0
    assert start(first, 1)["upload"] == a["upload"]  # the same file resumes
    # A page that sends another file's bytes under the first file's fingerprint is refused.
    c = start(first, 3)
    wrong = part(analyst, c["upload"], 0, second[:PART])
    assert wrong.status_code == 409 and "not the file" in wrong.json()["error"]
    # Without a fingerprint nothing is resumed.
    bare = {"compartment": team.a.pk, "name": "FILE0001.MOV", "size": len(first)}
    assert analyst.post("/vault/upload/start", bare).json()["upload"] not in (
        a["upload"], b["upload"], c["upload"],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        part(analyst, b["upload"], 0, second[:PART])
        part(analyst, b["upload"], PART, second[PART:])
    run_jobs()
    stored = Item.objects.get(pk=WebUpload.objects.get(pk=b["upload"]).item_id)
    assert stored.sha256 == hashlib.sha256(second).hexdigest()


@pytest.mark.django_db
def test_a_name_loses_its_control_characters_and_a_held_file_says_so(
    vault: Path, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    import io

    from docket.vault.store import store

    held = b"bytes the compartment holds already"
    store(io.BytesIO(held), actor="test", compartment=team.a)
    analyst = client_of(team.owner)
    meta = {"compartment": team.a.pk, "name": "invoice\u202egpj.exe\r\n\x00", "size": len(held),
            "fingerprint": f"{hashlib.sha256(held).hexdigest()}:1"}  # fmt: skip
    started = analyst.post("/vault/upload/start", meta).json()
    assert started["name"] == "invoicegpj.exe"
    with django_capture_on_commit_callbacks(execute=True):
        part(analyst, started["upload"], 0, held)
    run_jobs()
    state = analyst.get(f"/vault/upload/state?upload={started['upload']}").json()
    assert state["state"] == "stored", state
    assert state["already_held"] is True


@pytest.mark.django_db
def test_one_person_cannot_reserve_more_than_the_limit(
    vault: Path, team: Team, settings: Any
) -> None:
    settings.STAFF_UPLOAD_MAX_BYTES = 100
    analyst = client_of(team.owner)
    meta = {"compartment": team.a.pk, "name": "a.bin", "size": 60, "fingerprint": "a:1"}
    assert analyst.post("/vault/upload/start", meta).status_code == 200
    again = analyst.post("/vault/upload/start", {**meta, "name": "b.bin", "fingerprint": "b:1"})
    assert again.status_code == 413 and "unfinished uploads" in again.json()["error"]
    nonsense = analyst.post("/vault/upload/start", {**meta, "size": "-5"})
    assert nonsense.status_code == 400 and "size in bytes" in nonsense.json()["error"]


@pytest.mark.django_db
def test_a_store_that_fails_is_retried_and_then_succeeds(
    vault: Path, team: Team, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    data = b"a file the worker could not store at first"
    analyst = client_of(team.owner)
    meta = {"compartment": team.a.pk, "name": "late.txt", "size": len(data),
            "fingerprint": f"{hashlib.sha256(data).hexdigest()}:1"}  # fmt: skip
    upload = analyst.post("/vault/upload/start", meta).json()["upload"]
    with django_capture_on_commit_callbacks(execute=True):
        part(analyst, upload, 0, data)
    real = uploads._store

    def fails_once(row: WebUpload) -> Any:
        monkeypatch.setattr(uploads, "_store", real)
        raise OSError("no space left on device")

    monkeypatch.setattr(uploads, "_store", fails_once)
    queue.run(queue.claim())  # type: ignore[arg-type]
    waiting = analyst.get(f"/vault/upload/state?upload={upload}").json()
    assert waiting["state"] == "complete" and "no space" in waiting["error"]
    from django.utils import timezone

    from docket.jobs.models import Job

    Job.objects.update(run_after=timezone.now())  # its backoff over
    run_jobs()
    done = analyst.get(f"/vault/upload/state?upload={upload}").json()
    assert done["state"] == "stored" and done["error"] == ""
