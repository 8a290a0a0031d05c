"""Resumable uploads (tus 1.0): create, append in parts, resume after a cut, store in the vault."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.intake import uploads
from docket.intake.models import Attachment, Submission, Upload
from docket.jobs import queue
from docket.jobs.models import Job
from docket.vault import store
from docket.vault.models import Item
from tests.intake.test_web import REPORT, receipt_of

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def create(client: Client, length: int) -> str:
    response = client.post("/intake/uploads/", HTTP_UPLOAD_LENGTH=str(length), **TUS)
    assert response.status_code == 201, response.content
    assert response["Tus-Resumable"] == "1.0.0"
    return response["Location"]


def patch(client: Client, url: str, offset: int, data: bytes) -> Any:
    return client.generic(
        "PATCH", url, data, content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset), **TUS,
    )  # fmt: skip


def offset_of(client: Client, url: str) -> int:
    response = client.head(url, **TUS)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return int(response["Upload-Offset"])


def run_jobs() -> None:
    while (job := queue.claim()) is not None:
        queue.run(job)


def test_it_announces_tus(intake: Path) -> None:
    response = Client().options("/intake/uploads/", **TUS)
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert "creation" in response["Tus-Extension"]


def test_a_file_in_parts_resumes_and_becomes_one_intact_item(
    intake: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = os.urandom(300_000)
    client = Client()
    url = create(client, len(data))
    assert patch(client, url, 0, data[:100_000]).status_code == 204
    # The connection drops: the client asks where to go on, and a stale offset is refused.
    assert offset_of(client, url) == 100_000
    assert patch(client, url, 50_000, data[50_000:150_000]).status_code == 409
    assert patch(client, url, 100_000, data[100_000:200_000])["Upload-Offset"] == "200000"
    assert patch(client, url, 200_000, data[200_000:]).status_code == 204
    upload = Upload.objects.get()
    assert upload.state == "complete" and len(upload.segments) == 3
    # Sealed on arrival: no segment holds plaintext.
    for path in (uploads.spool_dir() / str(upload.pk)).iterdir():
        assert data[:1000] not in path.read_bytes()

    token = url.rsplit("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/intake/en/", {**REPORT, "upload": token})
    assert response.status_code == 200
    receipt_of(response)
    submission = Submission.objects.get()
    assert submission.file_count == 1 and submission.byte_count == len(data)
    attachment = Attachment.objects.get()
    assert attachment.item is None  # several segments: a worker with the key assembles them
    assert Job.objects.filter(kind="intake.assemble").count() == 1
    run_jobs()
    attachment.refresh_from_db()
    assert attachment.item is not None
    assert attachment.item.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.read(attachment.item, actor="test")) == data
    assert not (uploads.spool_dir() / str(upload.pk)).exists()


def test_a_one_part_upload_is_stored_at_once_without_the_key(
    intake: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = os.urandom(5000)
    client = Client()
    url = create(client, len(data))
    assert patch(client, url, 0, data).status_code == 204
    settings.VAULT_PASSPHRASE = None  # as in the intake process
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/intake/en/", {**REPORT, "upload": url.rsplit("/", 1)[1]})
    item = Attachment.objects.get().item
    assert item is not None and item.sha256 == hashlib.sha256(data).hexdigest()


def test_a_cut_off_patch_leaves_nothing(intake: Path) -> None:
    client = Client()
    url = create(client, 1000)
    upload = Upload.objects.get()
    import io

    class Short(io.BytesIO):
        pass

    with pytest.raises(uploads.Incomplete):
        uploads.append(upload, 0, Short(b"x" * 400), 600)  # type: ignore[arg-type]
    assert offset_of(client, url) == 0
    assert not list((uploads.spool_dir() / str(upload.pk)).glob("*"))


def test_it_refuses_bytes_past_the_declared_length_and_files_over_the_limit(
    intake: Path, settings: Any
) -> None:
    client = Client()
    url = create(client, 10)
    assert patch(client, url, 0, b"x" * 11).status_code == 413
    settings.INTAKE_MAX_FILE_BYTES = 100
    response = client.post("/intake/uploads/", HTTP_UPLOAD_LENGTH="101", **TUS)
    assert response.status_code == 413
    assert "larger than this server takes" in response.content.decode()


def test_an_unknown_token_is_404_and_terminate_removes_the_upload(intake: Path) -> None:
    client = Client()
    assert client.head("/intake/uploads/nosuchtoken", **TUS).status_code == 404
    url = create(client, 10)
    assert client.delete(url, **TUS).status_code == 204
    assert not Upload.objects.exists()


def test_uploads_never_claimed_are_swept(intake: Path) -> None:
    from datetime import timedelta

    client = Client()
    url = create(client, 4)
    patch(client, url, 0, b"abcd")
    assert uploads.sweep(older_than=timedelta(hours=1)) == 0
    assert uploads.sweep(older_than=timedelta(seconds=-1)) == 1
    assert not Upload.objects.exists() and not Item.objects.exists()
