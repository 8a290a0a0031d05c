"""Accepting a submission moves every file derived from its originals with them, and a file a
sender adds afterwards is stored in the submission's new compartment; a file the target
already holds, or one another sender also sent, is never shared between compartments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.accounts.models import Compartment, Grant, Role, User
from docket.enrich.models import Derivative, IntakeOriginal
from docket.intake.models import Attachment, Submission, intake_compartment
from docket.vault.models import CustodyEntry, Item
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.intake import send_report
from tests.support.personas import log_in, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def casefiles(intake: Path) -> Compartment:
    return Compartment.objects.create(name="okr-casefiles")


def staff(user: User) -> Client:
    client = Client()
    log_in(client, user)
    return client


def triager(casefiles: Compartment) -> User:
    user = person("hanna", intake_compartment(), Role.INTAKE)
    Grant.objects.create(user=user, compartment=casefiles, role=Role.ANALYST)
    return user


def derived_of(items: list[Item]) -> list[Item]:
    """Every item derived from `items`, recursively."""
    found: list[Item] = []
    pending = list(items)
    while pending:
        for derivative in Derivative.objects.filter(original=pending.pop()):
            found.append(derivative.derived)
            pending.append(derivative.derived)
    return found


def actions(item: Item) -> list[str]:
    return list(CustodyEntry.objects.filter(item=item).values_list("action", flat=True))


@pytest.mark.slow
def test_it_moves_every_derived_file_with_its_original_and_intake_staff_lose_them(
    enriching: Enriching,
    casefiles: Compartment,
    tmp_path: Path,
) -> None:
    photo, video = tmp_path / "photo.jpg", tmp_path / "clip.mp4"
    media.photo(photo, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    media.video(video, created="2020-08-11T01:00:00Z")
    with enriching.capture(execute=True):
        send_report(Client(), {"p.jpg": photo.read_bytes(), "v.mp4": video.read_bytes()})
    enriching.work()
    submission = Submission.objects.get()
    originals = [a.item for a in submission.attachments.all() if a.item is not None]
    derived = derived_of(originals)
    kinds = set(Derivative.objects.values_list("kind", flat=True))
    assert {"thumbnail", "keyframe", "contact-sheet", "clean-copy"} <= kinds
    assert len(derived) >= 5 and all(d.compartment == intake_compartment() for d in derived)
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    assert all(staff(clerk).get(f"/vault/items/{d.pk}/").status_code == 200 for d in derived)

    with enriching.capture(execute=True):
        response = staff(triager(casefiles)).post(
            f"/inbox/{submission.pk}/accept", {"compartment": casefiles.pk}
        )

    assert response.status_code == 302
    for item in originals + derived:
        item.refresh_from_db()
        assert item.compartment == casefiles, item
        [moved] = CustodyEntry.objects.filter(item=item, action="moved")
        details = json.loads(moved.leaf_text())["details"]
        assert details["from"] == intake_compartment().name and details["to"] == casefiles.name
        assert details["submission"] == submission.pk
        assert staff(clerk).get(f"/vault/items/{item.pk}/").status_code == 404
        assert staff(clerk).post(f"/vault/items/{item.pk}/original").status_code == 404
    assert not Item.objects.filter(compartment=intake_compartment()).exists()


def test_a_file_sent_after_acceptance_is_stored_in_the_new_compartment(
    casefiles: Compartment,
) -> None:
    sender = Client()
    receipt = send_report(sender, {"a.jpg": b"\xff\xd8\xff" + b"first" * 50})
    submission = Submission.objects.get()
    staff(triager(casefiles)).post(f"/inbox/{submission.pk}/accept", {"compartment": casefiles.pk})
    from django.core.files.uploadedfile import SimpleUploadedFile

    later = SimpleUploadedFile("later.jpg", b"\xff\xd8\xff" + b"later" * 50)
    response = sender.post(
        "/intake/en/send", {"receipt": receipt, "text": "one more", "files": [later]}
    )

    assert response.status_code == 200, response.content.decode()[:2000]
    items = [a.item for a in Attachment.objects.filter(submission=submission)]
    assert len(items) == 2 and all(i is not None and i.compartment == casefiles for i in items)
    assert not Item.objects.filter(compartment=intake_compartment()).exists()


def test_accepting_a_file_the_target_already_holds_links_to_its_item(
    casefiles: Compartment,
) -> None:
    from io import BytesIO

    from docket.vault.store import store

    data = b"\xff\xd8\xff" + b"held already" * 50
    held = store(BytesIO(data), actor="user:analyst", compartment=casefiles).item
    send_report(Client(), {"a.jpg": data})
    submission = Submission.objects.get()
    sent = Attachment.objects.get(submission=submission).item
    assert sent is not None and sent != held and sent.compartment == intake_compartment()

    response = staff(triager(casefiles)).post(
        f"/inbox/{submission.pk}/accept", {"compartment": casefiles.pk}
    )

    assert response.status_code == 302
    assert Submission.objects.get().compartment == casefiles
    assert Attachment.objects.get(submission=submission).item == held
    assert Item.objects.filter(sha256=held.sha256).count() == 2
    assert actions(held) == ["received", "received again"]
    assert json.loads(CustodyEntry.objects.get(item=held, action="received again").leaf_text())[
        "details"
    ] == {"submission": submission.pk, "from": intake_compartment().name}
    assert actions(sent) == ["received", "detached"]
    assert casefiles.name not in CustodyEntry.objects.get(item=sent, action="detached").leaf_text()


def test_accepting_a_file_another_sender_also_sent_copies_it(
    casefiles: Compartment,
) -> None:
    data = b"\xff\xd8\xff" + b"viral photo" * 50
    send_report(Client(), {"a.jpg": data})
    send_report(Client(), {"b.jpg": data})
    first, second = Submission.objects.order_by("pk")
    shared = Attachment.objects.get(submission=first).item
    assert shared is not None and Attachment.objects.get(submission=second).item == shared

    staff(triager(casefiles)).post(f"/inbox/{first.pk}/accept", {"compartment": casefiles.pk})

    shared.refresh_from_db()
    assert shared.compartment == intake_compartment()
    assert Attachment.objects.get(submission=second).item == shared
    copied = Attachment.objects.get(submission=first).item
    assert copied is not None and copied.compartment == casefiles
    assert copied.sha256 == shared.sha256 and copied.blob != shared.blob
    assert actions(copied) == ["received"]
    assert "copied" in actions(shared)
    # The copy came from a sender as much as the original did: what names them stays sealed.
    assert IntakeOriginal.objects.filter(item=copied).exists()


def test_a_file_stored_in_the_intake_while_its_report_was_accepted_follows_it(
    casefiles: Compartment, django_capture_on_commit_callbacks: Any
) -> None:
    from io import BytesIO

    from docket.intake import conversation
    from docket.jobs import queue
    from docket.vault.store import store

    receipt_sender = Client()
    send_report(receipt_sender, {"a.jpg": b"\xff\xd8\xff" + b"first" * 50})
    submission = Submission.objects.get()
    # The sender's page read the submission (and its compartment) before triage accepted it.
    stale = Submission.objects.get()
    staff(triager(casefiles)).post(f"/inbox/{submission.pk}/accept", {"compartment": casefiles.pk})
    late = store(BytesIO(b"\xff\xd8\xff" + b"late" * 50), actor="intake",
                 compartment=stale.compartment).item  # fmt: skip
    assert late.compartment == intake_compartment()

    with django_capture_on_commit_callbacks(execute=True):
        conversation.add_from_sender(stale, "", [late])
    job = queue.claim()
    assert job is not None and job.kind == "intake.place"
    with django_capture_on_commit_callbacks(execute=True):
        queue.run(job)

    late.refresh_from_db()
    assert late.compartment == casefiles
    assert "moved" in actions(late)
    assert not Item.objects.filter(compartment=intake_compartment()).exists()
