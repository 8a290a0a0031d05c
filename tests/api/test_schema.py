"""The API against its own OpenAPI schema: schemathesis generates requests for every operation
(valid and invalid parameters, ids that exist and ids that do not) and fails on any server
error or any answer that does not match the schema."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from docket.accounts.models import Grant, Role
from docket.api import tokens
from docket.api.models import SCOPES
from docket.api.urls import api
from docket.cases.models import Case
from docket.register.generate import Generator
from docket.register.models import Event, EvidenceLink, Information
from docket.vault.store import store
from tests.support.personas import Team

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = WSGIHandler()
# A NUL in a string the schema allows is refused with 422 (PostgreSQL keeps none in text):
# generated "valid" requests leave it out, and the test below checks the refusal itself.
schema.config.generation.update(allow_x00=False)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Django closes the database connection after each request it handles; the test client
    stops it from doing so, and so must this in-process WSGI use (else, on PostgreSQL, the
    test's own transaction is gone after the first request)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(team: Team) -> str:
    Generator(team.a, seed=7).run(events=4, persons=10)
    event = Event.objects.filter(compartment=team.a).first()
    assert event is not None
    Information.objects.create(compartment=team.a, event=event, summary="a witness's account")
    item = store(io.BytesIO(b"a video"), actor="test", compartment=team.a).item
    EvidenceLink.objects.create(
        compartment=team.a, event=event, item=item, start_seconds=2, end_seconds=9.5
    )
    # legal too, so that asking for exports reaches past the permission check
    Grant.objects.create(user=team.owner, compartment=team.a, role=Role.LEGAL)
    Case.objects.create(compartment=team.a, title="a case")
    _, token = tokens.create(team.owner, name="schemathesis", scopes=list(SCOPES), fresh_code=True)
    return token


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.slow
def test_no_request_makes_the_api_fail_or_break_its_schema(case: Any, token: str) -> None:
    # Unknown query parameters are ignored, as by most web APIs, so schemathesis's check that
    # "a request outside the schema is refused" does not apply; every other check does.
    excluded = [schemathesis.checks.negative_data_rejection]
    if case.operation.label == "POST /api/exports":
        # Its body's rules across fields (a case for kind case, a compartment or a case for a
        # sanctions list) and an age key's checksum are beyond JSON Schema: a body the schema
        # allows may still be refused with 422 saying why (tests/api/test_exports_api.py).
        excluded.append(schemathesis.checks.positive_data_acceptance)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)


def test_a_nul_in_a_query_is_refused_not_a_server_error(token: str, client: Any) -> None:
    """Found by this file's generated requests on PostgreSQL, which takes no NUL in text: a
    vocabulary of "\\x00" answered 500."""
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for url in (
        "/api/register/terms/?vocabulary=%00",
        "/api/register/events/?q=a%00b",
        "/api/register/events/?q=x&q=%00",
        "/api/register/events/?%00=1",
    ):
        response = client.get(url, **bearer)
        assert response.status_code == 422, url
        assert response.json()["error"] == "a NUL character is not allowed in a query"
    assert client.get("/api/register/terms/?vocabulary=act_type", **bearer).status_code == 200
    assert client.get("/register/search/?q=%00").status_code == 400
