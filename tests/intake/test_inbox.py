"""The staff inbox: who sees submissions, replies, triage into a compartment, a draft event,
and a sender's contact shown only under the two-person rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from docket.accounts import approvals
from docket.accounts.models import AuditEvent, Compartment, Role
from docket.intake import conversation
from docket.intake.models import Submission, intake_compartment
from docket.register.models import Event, EvidenceLink
from docket.vault.models import CustodyEntry, Item
from tests.support.intake import send_report
from tests.support.personas import log_in, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def casefiles(intake: Path) -> Compartment:
    return Compartment.objects.create(name="okr-casefiles")


def staff_client(user: object) -> Client:
    client = Client()
    log_in(client, user)  # type: ignore[arg-type]
    return client


def test_the_intake_role_sees_the_inbox_and_an_outsider_sees_nothing(
    casefiles: Compartment,
) -> None:
    send_report(Client(), {"a.jpg": b"\xff\xd8\xff" + b"1" * 100})
    submission = Submission.objects.get()
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    outsider = person("outsider", casefiles, Role.ANALYST)

    page = staff_client(clerk).get("/inbox/").content.decode()
    assert f"/inbox/{submission.pk}/" in page and "new message" in page
    detail = staff_client(clerk).get(f"/inbox/{submission.pk}/").content.decode()
    assert "yard of the district police station" in detail and "Akrestsina street" in detail
    assert AuditEvent.objects.filter(action="intake.read", actor=clerk).exists()
    assert not Submission.objects.get().unread  # read now

    assert f"/inbox/{submission.pk}/" not in staff_client(outsider).get("/inbox/").content.decode()
    assert staff_client(outsider).get(f"/inbox/{submission.pk}/").status_code == 404


def test_a_reply_reaches_the_sender_and_is_audited(intake: Path) -> None:
    sender = Client()
    receipt = send_report(sender)
    submission = Submission.objects.get()
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    response = staff_client(clerk).post(f"/inbox/{submission.pk}/reply", {"text": "We read it."})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="intake.reply", actor=clerk).exists()
    page = sender.post("/intake/en/return", {"receipt": receipt}).content.decode()
    assert "We read it." in page


def test_spam_and_duplicates_are_marked(intake: Path) -> None:
    send_report(Client())
    send_report(Client())
    first, second = Submission.objects.order_by("pk")
    clerk = staff_client(person("clerk", intake_compartment(), Role.INTAKE))
    clerk.post(f"/inbox/{second.pk}/status", {"status": "duplicate", "duplicate_of": first.pk})
    second.refresh_from_db()
    assert second.status == "duplicate" and second.duplicate_of == first
    clerk.post(f"/inbox/{first.pk}/status", {"status": "spam", "confirm": "yes"})
    assert Submission.objects.get(pk=first.pk).status == "spam"
    assert "okr" not in clerk.get("/inbox/?status=spam").content.decode()
    assert f"/inbox/{first.pk}/" in clerk.get("/inbox/?status=spam").content.decode()


def test_accepting_moves_the_items_with_custody_and_drafts_an_event(casefiles: Compartment) -> None:
    send_report(Client(), {"a.jpg": b"\xff\xd8\xff" + b"2" * 100})
    submission = Submission.objects.get()
    admin = person("admin", intake_compartment(), Role.INTAKE)
    from docket.accounts.models import Grant

    Grant.objects.create(user=admin, compartment=casefiles, role=Role.ANALYST)
    client = staff_client(admin)
    response = client.post(f"/inbox/{submission.pk}/accept", {"compartment": casefiles.pk})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "accepted" and submission.compartment == casefiles
    item = Item.objects.get()
    assert item.compartment == casefiles
    moved = CustodyEntry.objects.get(action="moved", item=item)
    assert b'"to":"okr-casefiles"' in bytes(moved.leaf)

    response = client.post(f"/inbox/{submission.pk}/event")
    event = Event.objects.get()
    assert response.url == f"/register/events/{event.pk}/"
    assert event.compartment == casefiles and "yard" in event.title
    assert event.place_detail == "Akrestsina street, Minsk"
    assert EvidenceLink.objects.get().item == item


def test_accepting_into_a_compartment_the_user_has_no_role_in_is_refused(
    casefiles: Compartment,
) -> None:
    send_report(Client())
    submission = Submission.objects.get()
    clerk = staff_client(person("clerk", intake_compartment(), Role.INTAKE))
    response = clerk.post(f"/inbox/{submission.pk}/accept", {"compartment": casefiles.pk})
    assert response.status_code == 302
    assert "hold a role" in clerk.get(response.url).content.decode()
    assert Submission.objects.get().status == "new"
    assert Submission.objects.get().compartment == intake_compartment()


def test_a_contact_is_shown_only_after_a_second_admin_approves(intake: Path) -> None:
    submission, _ = conversation.open_submission(
        channel="email", language="en", text="Mail report", contact="witness@example.org"
    )
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    admin = person("boss", intake_compartment(), Role.ADMIN)
    client = staff_client(clerk)
    page = client.get(f"/inbox/{submission.pk}/").content.decode()
    assert "witness@example.org" not in page and "Ask to see the contact" in page
    assert b"witness" not in bytes(Submission.objects.get().contact)

    client.post(f"/inbox/{submission.pk}/reveal", {"reason": "to call the witness for court"})
    assert "witness@example.org" not in client.get(f"/inbox/{submission.pk}/").content.decode()
    approval = approvals.Approval.objects.get(action="intake.reveal")
    with pytest.raises(approvals.NotAllowed):
        approvals.decide(clerk, approval, approve=True)
    approvals.decide(admin, approval, approve=True)

    assert "witness@example.org" in client.get(f"/inbox/{submission.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="intake.contact_shown", actor=clerk).exists()
    # Only for the person who asked.
    assert (
        "witness@example.org"
        not in staff_client(admin).get(f"/inbox/{submission.pk}/").content.decode()
    )


def test_a_reply_to_a_telegram_sender_is_queued_for_the_worker_and_e_mail_says_it_is_not_sent(
    intake: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from docket.jobs.models import Job

    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    telegram, _ = conversation.open_submission(
        channel="telegram", language="ru", text="Меня задержали.", contact="telegram:42"
    )
    email, _ = conversation.open_submission(
        channel="email", language="en", text="I saw it.", contact="mailto:w@example.org"
    )
    page = staff_client(clerk).get(f"/inbox/{telegram.pk}/").content.decode()
    assert "a worker sends it to their Telegram chat" in page
    with_email = staff_client(clerk).get(f"/inbox/{email.pk}/").content.decode()
    assert "Docket does not send e-mail" in with_email

    with django_capture_on_commit_callbacks(execute=True):
        for submission in (telegram, email):
            staff_client(clerk).post(f"/inbox/{submission.pk}/reply", {"text": "We read it."})
    queued = Job.objects.filter(kind="intake.telegram-reply")
    assert [job.payload["message"] for job in queued] == [telegram.messages.get(direction="out").pk]


def test_the_inbox_is_a_queue_with_excerpts_languages_and_assignees(
    casefiles: Compartment,
) -> None:
    send_report(Client(), lang="be")
    submission = Submission.objects.get()
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    colleague = person("colleague", intake_compartment(), Role.INTAKE)
    outsider = person("outsider", casefiles, Role.ANALYST)
    page = staff_client(clerk).get("/inbox/").content.decode()
    assert "yard of the district police station" in page  # what the sender wrote, in short
    assert "беларуская" in page and "—" in page  # the language; nobody assigned yet
    listed = AuditEvent.objects.filter(action="intake.list", actor=clerk).latest("id")
    assert listed.details["shown"] == [submission.pk]  # an excerpt read is an audited read

    mine = staff_client(clerk)
    mine.post(f"/inbox/{submission.pk}/assign", {"assignee": "me"})
    assert Submission.objects.get().assignee == clerk
    queue = mine.get("/inbox/", {"mine": "1"}).content.decode()
    assert f"/inbox/{submission.pk}/" in queue
    mine.post(f"/inbox/{submission.pk}/assign", {"assignee": str(colleague.pk)})
    assert Submission.objects.get().assignee == colleague
    assert f"/inbox/{submission.pk}/" not in mine.get("/inbox/", {"mine": "1"}).content.decode()
    # Only someone who triages the compartment can be given it; an outsider cannot assign.
    mine.post(f"/inbox/{submission.pk}/assign", {"assignee": str(outsider.pk)})
    assert Submission.objects.get().assignee == colleague
    refused = staff_client(outsider).post(f"/inbox/{submission.pk}/assign", {"assignee": "me"})
    assert refused.status_code == 404 and Submission.objects.get().assignee == colleague
    assert AuditEvent.objects.filter(action="intake.assign").count() == 2
