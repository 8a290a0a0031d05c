"""The inbox's forms take "²" (which `str.isdigit()` accepts and `int()` refuses) or a number
too large for the database as no id: no submission, assignee, original or compartment,
answered as for any other non-number, never with a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from docket.accounts.models import Role
from docket.intake.models import Submission, intake_compartment
from tests.intake.test_inbox import staff_client
from tests.support.intake import send_report
from tests.support.personas import person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("odd", ["²", "99999999999999999999999"])
def test_an_odd_id_in_the_inbox_names_nothing(intake: Path, odd: str) -> None:
    send_report(Client())
    submission = Submission.objects.get()
    client = staff_client(person("clerk", intake_compartment(), Role.INTAKE))
    page = f"/inbox/{submission.pk}/"

    none_chosen = client.post("/inbox/bulk", {"submission": odd, "do": "assign", "assignee": "me"})
    assert none_chosen.status_code == 302
    bulk = client.post(
        "/inbox/bulk", {"submission": [submission.pk], "do": "assign", "assignee": odd}
    )
    assert bulk.status_code == 302
    assigned = client.post(f"{page}assign", {"assignee": odd})
    assert assigned.status_code == 302 and assigned["Location"] == page
    repeat = client.post(f"{page}status", {"status": "duplicate", "duplicate_of": odd})
    assert repeat.status_code == 302 and repeat["Location"] == page
    accepted = client.post(f"{page}accept", {"compartment": odd})
    assert accepted.status_code == 302 and accepted["Location"] == page
    submission.refresh_from_db()
    assert submission.assignee is None and submission.status == Submission.Status.NEW
