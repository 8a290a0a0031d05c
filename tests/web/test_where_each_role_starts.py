"""Where each role starts, and the frame around every page: the landing page by role, the
grouped menu, the not-found page that keeps the header for staff (and sets no cookie for the
public), the favicon, the role grant form, and passkeys offered only where a browser allows
them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from docket.accounts.models import Compartment, Grant, Role, User
from docket.register.models import Event
from tests.support.personas import STAFF_PASSWORD, Team, enrol, log_in, person

LANDINGS = {
    (Role.INTAKE,): "/inbox/",
    (Role.ANALYST,): "/register/events/",
    (Role.LEGAL,): "/exports/",
    (Role.AUDITOR,): "/accounts/audit/",
    (Role.ADMIN,): "/accounts/approvals/",
    (Role.AUDITOR, Role.LEGAL): "/exports/",
    (Role.ADMIN, Role.INTAKE, Role.ANALYST): "/inbox/",
    (): "/vault/items/",
}


@pytest.mark.django_db
def test_each_role_lands_where_its_work_is() -> None:
    compartment = Compartment.objects.create(name="okr-casefiles")
    for number, (roles, page) in enumerate(LANDINGS.items()):
        user = User.objects.create_user(f"user{number}", password=STAFF_PASSWORD)
        for role in roles:
            Grant.objects.create(user=user, compartment=compartment, role=role)
        client = Client()
        log_in(client, user)
        assert client.get("/")["Location"] == page, roles
    root = User.objects.create_user("root", password=STAFF_PASSWORD, is_superuser=True)
    client = Client()
    log_in(client, root)
    assert client.get("/")["Location"] == "/accounts/people/"
    assert Client().get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_first_login_ends_at_the_landing_page() -> None:
    compartment = Compartment.objects.create(name="intake-desk")
    person("clerk", compartment, Role.INTAKE)
    client = Client()
    enrol(client, "clerk")
    assert client.get("/")["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200


def test_not_found_keeps_the_header_and_says_nothing_of_other_compartments(team: Team) -> None:
    theirs = Event.objects.create(compartment=team.b, title="Hrodna", start="2020-08-10T20:00Z")
    client = Client()
    log_in(client, team.owner)
    other = client.get(f"/register/events/{theirs.pk}/")
    missing = client.get("/register/events/999999/")
    nowhere = client.get("/no/such/page/")
    assert other.status_code == missing.status_code == nowhere.status_code == 404
    page = other.content.decode()
    assert "Events" in page and "Custody log" in page and 'rel="icon"' in page
    assert other.content == missing.content == nowhere.content  # byte for byte
    assert "Hrodna" not in page

    public = Client().get("/intake/en/no-such-page")
    assert public.status_code == 404 and not public.cookies
    assert "Log out" not in public.content.decode()


def test_the_menu_is_grouped_and_names_staff_accounts_apart_from_persons(team: Team) -> None:
    root = User.objects.create_user("root", password=STAFF_PASSWORD, is_superuser=True)
    Grant.objects.create(user=root, compartment=team.a, role=Role.ADMIN)
    client = Client()
    log_in(client, root)
    page = client.get("/vault/items/").content.decode()
    header = page[page.index('<header class="bar">') : page.index("</header>")]
    assert "Staff accounts" in header and ">People<" not in header
    menus = re.findall(r'<details class="menu"><summary>([^<]+)</summary>', header)
    assert menus == ["Registers", "Items", "Records", "Administration"]
    assert "Leads" in header  # beside Events, with the count waiting
    assert client.get("/static/docket/favicon.svg").status_code == 200


def test_the_grant_form_starts_at_the_weakest_role_and_lists_people(team: Team) -> None:
    admin = person("warden", team.a, Role.ADMIN)
    client = Client()
    log_in(client, admin)
    page = client.get(f"/accounts/compartments/{team.a.pk}/").content.decode()
    select = re.search(r'<select name="role"[^>]*>(.*?)</select>', page, re.S)
    assert select
    roles = re.findall(r'<option value="(\w+)"( selected)?>', select.group(1))
    assert [value for value, _ in roles] == ["auditor", "intake", "legal", "analyst", "admin"]
    assert dict(roles)["auditor"] == " selected"
    listed = re.search(r'<datalist id="staff-usernames">(.*?)</datalist>', page)
    assert listed and '<option value="outsider">' in listed.group(1)
    assert "docs/permissions.md" not in page
    assert "grant and revoke roles in the compartment" in page  # what each role may do


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "button", "link"),
    [
        ("127.0.0.1:8000", False, "http://localhost:8000/accounts/2fa/enrol/"),
        ("localhost:8000", True, None),
        ("docket.example.org", False, None),
    ],
)
def test_a_passkey_is_offered_only_where_a_browser_can_use_it(
    settings: object, host: str, button: bool, link: str | None
) -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "docket.example.org"]  # type: ignore[attr-defined]
    compartment = Compartment.objects.create(name="okr-casefiles")
    person("vera", compartment, Role.ANALYST)
    client = Client(HTTP_HOST=host)
    client.post("/accounts/login/", {"username": "vera", "password": STAFF_PASSWORD})
    page = client.get("/accounts/2fa/enrol/").content.decode()
    assert ('data-ceremony="register"' in page) == button
    if link:
        assert f'href="{link}"' in page
    elif not button:
        assert "over HTTPS" in page
