"""Staff pages: login, the one-time password, items, custody, and logged downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client

from docket.accounts.models import Compartment, Grant, Role, User
from docket.vault.models import CustodyEntry
from docket.vault.store import store
from tests.support.personas import log_in

PASSWORD = "a long staff password 42"


@pytest.fixture
def staff(vault: Path) -> User:
    user = User.objects.create_user("ana", password=PASSWORD)
    Grant.objects.create(
        user=user, compartment=Compartment.objects.get(name="default"), role=Role.ANALYST
    )
    return user


def test_pages_need_a_login(vault: Path, client: Client) -> None:
    for url in ("/vault/items/", "/vault/log/", "/vault/items/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_one_time_password_must_be_replaced_before_anything_else(
    vault: Path, client: Client
) -> None:
    user = User.objects.create_user("admin", password=PASSWORD, must_change_password=True)
    Grant.objects.create(
        user=user, compartment=Compartment.objects.get(name="default"), role=Role.ADMIN
    )
    log_in(client, user)
    assert client.get("/vault/items/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/vault/items/").status_code == 200


def test_the_password_alone_only_leads_to_the_second_step(staff: User, client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/enrol/")
    assert client.get("/vault/items/").status_code == 302  # not logged in yet
    bad = Client().post("/accounts/login/", {"username": "ana", "password": "wrong"})
    assert b"did not match" in bad.content


def test_a_browser_login_passes_the_csrf_check(staff: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    token = page.context["csrf_token"]
    form = {"username": "ana", "password": PASSWORD, "csrfmiddlewaretoken": str(token)}
    # What Chromium sends under our Referrer-Policy: the page's own origin.
    assert (
        browser.post("/accounts/login/", form, HTTP_ORIGIN="http://testserver").status_code == 302
    )
    # What it would send under no-referrer: refused, which is why the policy is same-origin.
    refused = Client(enforce_csrf_checks=True)
    refused.get("/accounts/login/")
    form["csrfmiddlewaretoken"] = str(refused.get("/accounts/login/").context["csrf_token"])
    assert refused.post("/accounts/login/", form, HTTP_ORIGIN="null").status_code == 403


def test_logging_out_returns_to_the_login_page(staff: User, client: Client) -> None:
    log_in(client, staff)
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert client.get("/vault/items/").status_code == 302


def test_items_and_their_custody_are_listed(staff: User, client: Client) -> None:
    item = store(io.BytesIO(b"a photo of bruises"), actor="cli").item
    log_in(client, staff)
    listing = client.get("/vault/items/").content.decode()
    assert f'href="/vault/items/{item.pk}/"' in listing
    detail = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert item.sha256 in detail and "received" in detail
    assert client.get("/vault/items/99999/").status_code == 404
    log = client.get("/vault/log/").content.decode()
    assert "signed checkpoint covers" in log


def test_a_download_is_a_logged_post(staff: User, client: Client) -> None:
    item = store(io.BytesIO(b"radio recording"), actor="cli").item
    log_in(client, staff)
    assert client.get(f"/vault/items/{item.pk}/original").status_code == 405
    response = client.post(f"/vault/items/{item.pk}/original")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"radio recording"  # type: ignore[attr-defined]
    last = CustodyEntry.objects.order_by("-index").first()
    assert last is not None and last.action == "read" and last.item == item
    assert f"user:{staff.pk}:ana".encode() in bytes(last.leaf)


def test_the_stylesheet_is_served(vault: Path, client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/static/docket/docket.css"' in page
    response = client.get("/static/docket/docket.css")
    assert response.status_code == 200
    assert b"font" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_security_headers_are_sent(staff: User, client: Client) -> None:
    log_in(client, staff)
    response = client.get("/vault/items/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert len(response["X-Request-ID"]) == 36
