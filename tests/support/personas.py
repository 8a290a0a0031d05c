"""The people of the access rules: an owner (analyst in compartment A), a teammate with
another role (intake in A), an auditor of A, and an outsider (analyst in B)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from django.test import Client

from docket.accounts import totp
from docket.accounts.models import Compartment, Grant, Role, User

STAFF_PASSWORD = "a long staff password 42"


@dataclass
class Team:
    a: Compartment
    b: Compartment
    owner: User
    teammate: User
    auditor: User
    outsider: User


def person(name: str, compartment: Compartment, role: str) -> User:
    user = User.objects.create_user(name, password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=compartment, role=role)
    return user


def make_team() -> Team:
    a = Compartment.objects.create(name="okr-casefiles")
    b = Compartment.objects.create(name="hrodna-casefiles")
    return Team(
        a=a,
        b=b,
        owner=person("owner", a, Role.ANALYST),
        teammate=person("teammate", a, Role.INTAKE),
        auditor=person("auditor", a, Role.AUDITOR),
        outsider=person("outsider", b, Role.ANALYST),
    )


def log_in(client: Any, user: User) -> None:
    """A staff session as the real login leaves it: password and second factor passed."""
    from docket.accounts.second_factor import VERIFIED_AT

    client.force_login(user)
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()


def enrol(client: Client, username: str) -> tuple[str, list[str]]:
    """Log in for the first time; returns the authenticator secret and the recovery codes."""
    response = client.post("/accounts/login/", {"username": username, "password": STAFF_PASSWORD})
    assert response["Location"] == "/accounts/2fa/enrol/"
    page = client.get("/accounts/2fa/enrol/").content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, as an image (CSP: no inline code)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = client.post("/accounts/2fa/enrol/", {"code": totp.code_at(secret, time.time())})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", done.content.decode())
    return secret, codes
