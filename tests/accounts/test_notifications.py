"""Notifications: a count in the header and a page that says, in words and in the reader's
language, what happened to one's requests and exports; never shown once the reader has no
role left where it happened."""

from __future__ import annotations

import re
from typing import Any

import pytest

from docket.accounts.models import Grant, Notification, Role
from docket.exports.models import Export
from docket.vault import age
from tests.exports.test_exports import ask, client_of, last_eight, member, run_jobs
from tests.exports.test_exports import originals as originals  # a fixture
from tests.support.personas import Team

pytestmark = pytest.mark.django_db


def unread_in_header(page: str) -> str:
    found = re.search(r'<a class="notices[^"]*" href="/accounts/notifications/"(.*?)</a>', page)
    assert found, "the header links to the notifications"
    count = re.search(r'<span class="count">(\d+)</span>', found.group(1))
    return count.group(1) if count else "0"


def test_the_requester_is_told_of_the_decision_and_of_the_export_being_ready(
    team: Team, originals: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lena = member("lena", team, Role.LEGAL)
    dasha = member("dasha", team, Role.ADMIN)
    key = age.Identity.generate()
    lenas = client_of(lena)
    ask(lenas, team, key.recipient())
    export = Export.objects.get()
    assert unread_in_header(lenas.get("/exports/").content.decode()) == "0"

    with django_capture_on_commit_callbacks(execute=True):
        client_of(dasha).post(
            f"/accounts/approvals/{export.approval.pk}/",
            {"decision": "approve", "recipient_check": last_eight(key.recipient())},
        )
    run_jobs()
    assert unread_in_header(lenas.get("/exports/").content.decode()) == "2"
    assert not Notification.objects.filter(user=dasha).exists()  # not told of her own act

    page = lenas.get("/accounts/notifications/").content.decode()
    assert "dasha approved your request: Export every item of" in page
    assert f"Export {export.pk} of {team.a.name} is ready to download." in page
    assert page.count(f'href="/exports/{export.pk}/"') == 2
    # Shown once, they are read: the count goes, the list stays.
    assert unread_in_header(lenas.get("/exports/").content.decode()) == "0"
    assert "is ready to download" in lenas.get("/accounts/notifications/").content.decode()

    # In Russian, the sentence is Russian.
    lenas.cookies.load({"django_language": "ru"})
    in_russian = lenas.get("/accounts/notifications/").content.decode()
    assert "готов" in in_russian and "Экспортировать все материалы отсека" in in_russian
    assert "Export every item" not in in_russian

    # Without a role where it happened, the reader no longer sees it.
    Grant.objects.filter(user=lena).delete()
    gone = client_of(lena).get("/accounts/notifications/").content.decode()
    assert "ready to download" not in gone and "Nothing to tell you yet" in gone


def test_a_refusal_is_told_and_mark_all_as_read_clears_the_count(
    team: Team, originals: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dasha = member("dasha", team, Role.ADMIN)
    ivan = member("ivan", team, Role.ADMIN)
    dashas = client_of(dasha)
    ask(dashas, team, age.Identity.generate().recipient())
    export = Export.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_of(ivan).post(
            f"/accounts/approvals/{export.approval.pk}/", {"decision": "refuse", "note": "no"}
        )
    told = Notification.objects.get(user=dasha)
    assert told.kind == "refused" and told.details["who"] == "ivan"
    assert unread_in_header(dashas.get("/exports/").content.decode()) == "1"
    dashas.post("/accounts/notifications/")
    assert unread_in_header(dashas.get("/exports/").content.decode()) == "0"
