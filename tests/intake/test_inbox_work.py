"""The inbox as a work queue: the status follows the conversation, spam is confirmed and can
be undone, many submissions are handled at once, and a clerk sees each file a sender sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from docket.accounts.models import AuditEvent, Compartment, Notification, Role
from docket.intake import conversation
from docket.intake.models import Submission, intake_compartment
from tests.intake.test_inbox import staff_client
from tests.support.intake import send_report
from tests.support.personas import person

pytestmark = pytest.mark.django_db


def test_a_reply_moves_a_submission_out_of_new_and_the_senders_answer_brings_it_back(
    intake: Path,
) -> None:
    send_report(Client())
    submission = Submission.objects.get()
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    colleague = person("colleague", intake_compartment(), Role.INTAKE)
    client = staff_client(clerk)
    client.post(f"/inbox/{submission.pk}/assign", {"assignee": str(colleague.pk)})

    client.post(f"/inbox/{submission.pk}/reply", {"text": "Which day was it?"})
    assert Submission.objects.get().status == "answered"
    assert f"/inbox/{submission.pk}/" not in client.get("/inbox/").content.decode()
    tabs = client.get("/inbox/?status=answered").content.decode()
    assert f"/inbox/{submission.pk}/" in tabs and "Answered" in tabs

    conversation.add_from_sender(submission, "On the 10th of August.")
    assert Submission.objects.get().status == "new"
    # The colleague it is assigned to is told, at the hour only, like every sender's trace.
    told = Notification.objects.get(user=colleague, kind="message")
    assert told.created_at.minute == 0 and told.created_at.second == 0
    page = staff_client(colleague).get("/accounts/notifications/").content.decode()
    assert f"The sender of submission {submission.pk} wrote again." in page
    # Newest first, although the sender's is dated to the hour and the assignment is not.
    assert page.index("wrote again") < page.index("assigned submission")
    assert f'href="/inbox/{submission.pk}/"' in page
    assert "On the 10th" not in page  # never what the sender wrote
    # A reply to a submission already decided leaves its status as it is.
    Submission.objects.filter(pk=submission.pk).update(status="duplicate")
    client.post(f"/inbox/{submission.pk}/reply", {"text": "Thank you."})
    assert Submission.objects.get().status == "duplicate"


def test_spam_asks_first_and_can_be_undone_to_where_it_was(intake: Path) -> None:
    send_report(Client())
    submission = Submission.objects.get()
    clerk = staff_client(person("clerk", intake_compartment(), Role.INTAKE))
    clerk.post(f"/inbox/{submission.pk}/reply", {"text": "Thank you, we read it."})

    asked = clerk.post(f"/inbox/{submission.pk}/status", {"status": "spam"})
    assert asked.status_code == 200 and "Mark as spam?" in asked.content.decode()
    assert Submission.objects.get().status == "answered"  # nothing happened yet
    clerk.post(f"/inbox/{submission.pk}/status", {"status": "spam", "confirm": "yes"})
    assert Submission.objects.get().status == "spam"

    page = clerk.get(f"/inbox/{submission.pk}/").content.decode()
    assert "Marked as spam" in page and 'name="undo" value="spam"' in page
    clerk.post(f"/inbox/{submission.pk}/status", {"undo": "spam"})
    assert Submission.objects.get().status == "answered"
    assert [
        e.details["status"]
        for e in AuditEvent.objects.filter(action="intake.status").order_by("id")
    ] == [
        "spam",
        "answered",
    ]


def test_many_submissions_are_assigned_marked_and_put_back_at_once(intake: Path) -> None:
    for _ in range(3):
        send_report(Client())
    first, second, third = Submission.objects.order_by("pk")
    elsewhere = Compartment.objects.create(name="okr-casefiles")
    foreign, _ = conversation.open_submission(channel="web", language="en", text="Other report")
    Submission.objects.filter(pk=foreign.pk).update(compartment=elsewhere)
    clerk = person("clerk", intake_compartment(), Role.INTAKE)
    colleague = person("colleague", intake_compartment(), Role.INTAKE)
    client = staff_client(clerk)

    page = client.get("/inbox/").content.decode()
    assert f'name="submission" value="{first.pk}"' in page and "data-check-all" in page
    assigned = client.post(
        "/inbox/bulk",
        {"submission": [first.pk, second.pk, foreign.pk], "do": "assign",
         "assignee": str(colleague.pk)},
    )  # fmt: skip
    assert assigned.status_code == 302
    assert set(Submission.objects.filter(assignee=colleague).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }  # a submission the clerk cannot see is not touched
    assert AuditEvent.objects.filter(action="intake.assign").count() == 2
    told = Notification.objects.filter(user=colleague, kind="assigned")
    assert sorted(n.details["pk"] for n in told) == [first.pk, second.pk]
    assert {n.details["who"] for n in told} == {"clerk"}

    asked = client.post("/inbox/bulk", {"submission": [second.pk, third.pk], "do": "spam"})
    assert "These 2 submissions leave the queue" in asked.content.decode()
    assert not Submission.objects.filter(status="spam").exists()
    client.post(
        "/inbox/bulk", {"submission": [second.pk, third.pk], "do": "spam", "confirm": "yes"}
    )
    assert set(Submission.objects.filter(status="spam").values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    back = client.post(
        "/inbox/bulk", {"submission": [second.pk], "do": "new", "status_shown": "spam"}
    )
    assert back["Location"].endswith("?status=spam")
    assert Submission.objects.get(pk=second.pk).status == "new"
    nothing = client.post("/inbox/bulk", {"do": "assign", "assignee": "me"}, follow=True)
    assert "Choose at least one submission" in nothing.content.decode()


def test_a_clerk_sees_each_file_the_sender_sent_by_name(intake: Path) -> None:
    send_report(Client(), {"a.jpg": b"\xff\xd8\xff" + b"1" * 100, "b.txt": b"notes"})
    submission = Submission.objects.get()
    clerk = staff_client(person("clerk", intake_compartment(), Role.INTAKE))
    page = clerk.get(f"/inbox/{submission.pk}/").content.decode()
    for attachment in submission.attachments.all():
        assert f'href="/vault/items/{attachment.item_id}/"' in page
    assert f"report-{submission.pk}-1" in page and f"report-{submission.pk}-2" in page
    assert "a.jpg" not in page  # the intake keeps no sender's file name


def test_undoing_spam_puts_a_repeat_back_with_what_it_repeats(intake: Path) -> None:
    send_report(Client())
    send_report(Client())
    first, second = Submission.objects.order_by("pk")
    clerk = staff_client(person("clerk", intake_compartment(), Role.INTAKE))
    clerk.post(f"/inbox/{second.pk}/status", {"status": "duplicate", "duplicate_of": first.pk})
    clerk.post(f"/inbox/{second.pk}/status", {"status": "spam", "confirm": "yes"})
    page = clerk.get(f"/inbox/{second.pk}/").content.decode()
    assert "Send reply" not in page  # a report marked as spam is not answered
    # Marked as spam a second time (two clerks at once): Undo still knows what it was.
    clerk.post(f"/inbox/{second.pk}/status", {"status": "spam", "confirm": "yes"})
    assert Submission.objects.get(pk=second.pk).status_before == "duplicate"
    # What it repeats moves to a compartment the clerk has no role in: Undo still works.
    Submission.objects.filter(pk=first.pk).update(
        compartment=Compartment.objects.create(name="okr-casefiles")
    )
    assert 'name="undo" value="spam"' in page
    clerk.post(f"/inbox/{second.pk}/status", {"undo": "spam"})
    undone = Submission.objects.get(pk=second.pk)
    assert undone.status == "duplicate" and undone.duplicate_of_id == first.pk
    assert AuditEvent.objects.filter(action="intake.status").latest("id").details["undo"]
