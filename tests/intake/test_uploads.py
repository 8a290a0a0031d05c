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
from tests.support.intake import REPORT, receipt_of

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def create(client: Client, length: int) -> str:
    response = client.post("/intake/uploads/", HTTP_UPLOAD_LENGTH=str(length), **TUS)
    assert response.status_code == 201, response.content
    assert response["Tus-Resumable"] == "1.0.0"
    return response["Location"]


def patch(client: Client, url: str, offset: int, data: bytes) -> Any:
    # The headers are given outright: the test client drops them for an empty body.
    return client.generic(
        "PATCH", url, data, CONTENT_TYPE="application/offset+octet-stream",
        CONTENT_LENGTH=str(len(data)), HTTP_UPLOAD_OFFSET=str(offset), **TUS,
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


def test_a_number_not_in_ascii_digits_is_a_bad_request(intake: Path) -> None:
    # A header is Latin-1: "²" passes str.isdigit() and fails int().
    client = Client()
    for length in ("\u00b2", "-1", "1.5", "99999999999999999999"):
        response = client.post("/intake/uploads/", HTTP_UPLOAD_LENGTH=length, **TUS)
        assert response.status_code == 400, length
    url = create(client, 10)
    response = client.generic(
        "PATCH", url, b"x", CONTENT_TYPE="application/offset+octet-stream",
        CONTENT_LENGTH="1", HTTP_UPLOAD_OFFSET="\u00b2", **TUS,
    )  # fmt: skip
    assert response.status_code == 400


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


def send_in_parts(client: Client, data: bytes, part: int) -> str:
    url = create(client, len(data))
    for start in range(0, len(data), part):
        assert patch(client, url, start, data[start : start + part]).status_code == 204
    return url


def test_it_refuses_to_delete_an_upload_attached_to_a_report_and_stores_it_whole(
    intake: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # A sender's upload finishes, the report naming it is acknowledged with a receipt; then
    # someone holding the upload URL (the same tab, a tus client's cleanup) sends DELETE.
    data = os.urandom(250_000)
    client = Client()
    url = send_in_parts(client, data, 100_000)
    with django_capture_on_commit_callbacks(execute=True):
        receipt_of(client.post("/intake/en/", {**REPORT, "upload": url.rsplit("/", 1)[1]}))
    refused = client.delete(url, **TUS)
    assert refused.status_code == 403
    assert refused["Tus-Resumable"] == "1.0.0"
    assert "already received" in refused.content.decode()
    upload = Upload.objects.get()
    assert upload.submission is not None and upload.state == "complete"
    assert len(list((uploads.spool_dir() / str(upload.pk)).iterdir())) == 3

    run_jobs()
    upload.refresh_from_db()
    assert upload.state == "stored"
    assert not Job.objects.filter(kind="intake.assemble", state="failed").exists()
    item = Attachment.objects.get().item
    assert item is not None and item.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.read(item, actor="test")) == data
    # Once stored, DELETE is still refused, and the item stays.
    assert client.delete(url, **TUS).status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()


def test_it_spends_a_shared_budget_on_new_uploads(intake: Path, settings: Any) -> None:
    settings.INTAKE_UPLOADS_PER_HOUR = 2
    first, second = Client(), Client()  # two senders: the budget is everyone's
    create(first, 10)
    create(second, 10)
    refused = Client().post("/intake/uploads/", HTTP_UPLOAD_LENGTH="10", **TUS)
    assert refused.status_code == 429
    assert refused["Tus-Resumable"] == "1.0.0"
    assert "Too many files are arriving right now" in refused.content.decode()
    assert Upload.objects.count() == 2


def test_it_reserves_outstanding_bytes_when_an_upload_is_created(
    intake: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.INTAKE_OUTSTANDING_MB = 1  # 1,048,576 bytes for everyone's unfinished uploads
    sender, flooder = Client(), Client()
    held = create(flooder, 700_000)  # declared, not a byte sent: the room is reserved anyway
    refused = sender.post("/intake/uploads/", HTTP_UPLOAD_LENGTH="400000", **TUS)
    assert refused.status_code == 507
    assert "as many unfinished uploads as it can (1.0\xa0MB)" in refused.content.decode()
    assert Upload.objects.count() == 1
    create(sender, 300_000)  # what is left still fits
    assert uploads.outstanding_bytes() == 1_000_000

    # Abandoning frees the reservation.
    assert flooder.delete(held, **TUS).status_code == 204
    data = os.urandom(700_000)
    url = send_in_parts(sender, data, 350_000)
    assert sender.post("/intake/uploads/", HTTP_UPLOAD_LENGTH="100000", **TUS).status_code == 507

    # A report attaches it, still outstanding until the worker stores it.
    with django_capture_on_commit_callbacks(execute=True):
        receipt_of(sender.post("/intake/en/", {**REPORT, "upload": url.rsplit("/", 1)[1]}))
    assert uploads.outstanding_bytes() == 1_000_000
    run_jobs()
    assert uploads.outstanding_bytes() == 300_000
    create(sender, 700_000)


def test_an_unattached_upload_past_its_hours_holds_no_reservation(
    intake: Path, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.INTAKE_OUTSTANDING_MB = 1
    create(Client(), 1_000_000)
    assert Client().post("/intake/uploads/", HTTP_UPLOAD_LENGTH="100000", **TUS).status_code == 507
    stale = timezone.now() - timedelta(hours=settings.INTAKE_UPLOAD_HOURS, minutes=1)
    Upload.objects.update(updated_at=stale)  # as the sweep would see it
    create(Client(), 1_000_000)


def test_it_caps_the_parts_of_one_upload(intake: Path, settings: Any) -> None:
    settings.INTAKE_MAX_PARTS = 3
    client = Client()
    url = create(client, 100)
    for offset in (0, 10, 20):
        assert patch(client, url, offset, b"x" * 10).status_code == 204
    refused = patch(client, url, 30, b"x" * 10)
    assert refused.status_code == 413
    assert "as many parts as it can take (3)" in refused.content.decode()
    assert offset_of(client, url) == 30
    upload = Upload.objects.get()
    assert len(upload.segments) == 3
    assert len(list((uploads.spool_dir() / str(upload.pk)).iterdir())) == 3


def test_it_refuses_an_empty_part_of_a_non_empty_upload(intake: Path) -> None:
    client = Client()
    url = create(client, 100)
    refused = patch(client, url, 0, b"")
    assert refused.status_code == 400
    assert "must carry at least one byte" in refused.content.decode()
    upload = Upload.objects.get()
    assert upload.segments == [] and upload.offset == 0
    assert not (uploads.spool_dir() / str(upload.pk)).exists() or not list(
        (uploads.spool_dir() / str(upload.pk)).iterdir()
    )
    # An empty file is still an upload of one empty part.
    empty = create(client, 0)
    assert patch(client, empty, 0, b"").status_code == 204
    assert Upload.objects.get(length=0).state == "complete"


def test_a_creation_waits_for_one_in_progress_and_sees_its_reservation(
    intake: Path, settings: Any
) -> None:
    import threading

    from django.db import connection, transaction

    from docket.intake import limits
    from docket.intake.models import Budget

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's immediate transactions are serial already; this needs two writers")
    settings.INTAKE_OUTSTANDING_MB = 1
    holding, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    # Two threads, two connections of their own, committing outside the test's transaction
    # (what they commit is removed at the end).
    def first() -> None:
        # A creation that has checked the room and is about to commit its reservation.
        try:
            with transaction.atomic():
                limits.hold(uploads.OUTSTANDING)
                holding.set()
                release.wait(10)
                Upload.objects.create(token_hash="a" * 64, length=600_000)
        finally:
            connection.close()

    def second() -> None:
        try:
            outcome.append(uploads.create(600_000))
        except limits.Refused as refused:
            outcome.append(refused)
        finally:
            connection.close()

    def committed() -> list[int]:
        lengths = list(Upload.objects.values_list("length", flat=True))
        Upload.objects.all().delete()
        Budget.objects.filter(name__in=["uploads", uploads.OUTSTANDING]).delete()
        connection.close()
        return lengths

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=1)
    waited = two.is_alive() and not outcome  # it waits for the lock instead of checking alone
    release.set()
    one.join(timeout=10)
    two.join(timeout=10)
    lengths: list[list[int]] = []
    cleanup = threading.Thread(target=lambda: lengths.append(committed()))
    cleanup.start()
    cleanup.join(timeout=10)
    assert waited
    assert isinstance(outcome[0], limits.Refused) and outcome[0].status == 507
    assert lengths == [[600_000]]
