"""The authorization matrix: every route of the project, every persona, zero leaks.

It walks the URL configuration itself, so a route added later is covered without editing this
file: a route whose view declares no access (docket/accounts/guards.py) fails; a route
about an object is requested as the owner, a teammate with another role, an auditor, an
outsider and an anonymous visitor, and must answer exactly what the permission table allows:
the object for roles holding the permission, 404 (as for a missing object) for everyone else,
a redirect to the login page for the anonymous. A new kind of object needs a factory here.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern

from docket.accounts.models import Approval, Compartment, Grant, User
from docket.accounts.permissions import roles_with
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.exports.models import Export
from docket.intake import conversation
from docket.intake.models import Message, Submission
from docket.register.models import (
    Act,
    Change,
    Event,
    EvidenceLink,
    Information,
    Involvement,
    Membership,
    ParentLink,
    Person,
    Term,
    Unit,
)
from docket.vault import age
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.personas import Team, log_in
from tests.support.routes import declared, routes

PERSONAS = ("owner", "teammate", "auditor", "outsider", "anonymous")


def an_approval(compartment: Compartment) -> Approval:
    return Approval.objects.create(
        action="export.compartment", compartment=compartment, summary="matrix", reason="matrix"
    )


def an_export(compartment: Compartment) -> Export:
    return Export.objects.create(
        compartment=compartment, approval=an_approval(compartment), recipient="age1matrix",
        recipient_label="matrix",
    )  # fmt: skip


def an_event(compartment: Compartment) -> Event:
    return Event.objects.create(compartment=compartment, title=f"event of {compartment.name}")


def a_person(compartment: Compartment) -> Person:
    return Person.objects.create(
        compartment=compartment, display_name=f"person of {compartment.name}"
    )


def a_unit(compartment: Compartment) -> Unit:
    return Unit.objects.create(compartment=compartment, name=f"unit of {compartment.name}")


def an_item(compartment: Compartment) -> Item:
    # a picture's first bytes, so that routes showing originals inline have something to show
    from docket.enrich.models import Segment, Transcript

    evidence = io.BytesIO(b"\x89PNG\r\n\x1a\n" + f"evidence of {compartment.name}".encode())
    item = store(evidence, actor="matrix", compartment=compartment).item
    # and words heard in it, so that its subtitles can be downloaded by those who may
    heard, made = Transcript.objects.get_or_create(
        item=item,
        defaults={"language": "en", "language_probability": 1, "model": "test", "device": "cpu",
                  "duration_seconds": 3},
    )  # fmt: skip
    if made:
        Segment.objects.create(transcript=heard, index=0, start=0, end=3, text="words")
    return item


def a_submission(compartment: Compartment) -> Submission:
    sender = age.Identity.generate().recipient()
    submission = Submission.objects.create(
        compartment=compartment, channel="web", receipt_tag=0, receipt_salt=b"",
        receipt_verifier=b"", sender_key=str(sender),
    )  # fmt: skip
    Message.objects.create(
        submission=submission, direction="in",
        body=conversation.seal({"text": f"report of {compartment.name}"}, sender),
    )  # fmt: skip
    return submission


def a_thumbnail(compartment: Compartment) -> Item:
    """A picture Docket drew of an item (what the thumbnail route shows)."""
    from docket.enrich.models import Derivative

    original = an_item(compartment)
    drawn = io.BytesIO(b"\xff\xd8\xff\xe0" + f"thumbnail of {compartment.name}".encode())
    thumbnail = store(drawn, actor="matrix", compartment=compartment).item
    Derivative.objects.get_or_create(
        original=original, derived=thumbnail, kind=Derivative.Kind.THUMBNAIL, tool="ffmpeg"
    )
    return thumbnail


def a_deletion(compartment: Compartment) -> Change:
    """The history entry of an account deleted from an event, which can be restored."""
    from docket.register import history

    info = Information.objects.create(
        compartment=compartment, event=an_event(compartment), summary="matrix"
    )
    history.delete(info, actor=None)
    return Change.objects.filter(model="information", action="delete").latest("id")


def a_case(compartment: Compartment) -> Case:
    return Case.objects.create(compartment=compartment, title=f"case of {compartment.name}")


def a_verification(compartment: Compartment) -> Verification:
    """A verification step on an evidence link of a case's event (its page goes back there)."""
    from django.utils import timezone

    link = FACTORIES[EvidenceLink](compartment)
    assert isinstance(link, EvidenceLink)
    a_case(compartment).events.add(link.event_id)
    return Verification.objects.create(
        compartment=compartment, evidence=link, step="source", method="source",
        result="confirms", done_at=timezone.now(),
    )  # fmt: skip


#: Routes whose object must be of one particular sort.
BY_ROUTE: dict[str, Callable[[Compartment], Model]] = {
    "/vault/items/<int:pk>/picture": a_thumbnail,
}

FACTORIES: dict[type[Model], Callable[[Compartment], Model]] = {
    Approval: an_approval,
    Event: an_event,
    Act: lambda compartment: Act.objects.create(
        compartment=compartment,
        event=an_event(compartment),
        act_type=Term.objects.filter(vocabulary="act_type").first(),
    ),
    Involvement: lambda compartment: Involvement.objects.create(
        compartment=compartment,
        act=FACTORIES[Act](compartment),  # type: ignore[arg-type]
        unit=a_unit(compartment),
        degree=Term.objects.filter(vocabulary="involvement_degree").first(),
    ),
    Change: a_deletion,
    Information: lambda compartment: Information.objects.create(
        compartment=compartment, event=an_event(compartment), summary="matrix"
    ),
    EvidenceLink: lambda compartment: EvidenceLink.objects.create(
        compartment=compartment, event=an_event(compartment), item=an_item(compartment)
    ),
    Person: a_person,
    Unit: a_unit,
    Membership: lambda compartment: Membership.objects.create(
        compartment=compartment, person=a_person(compartment), unit=a_unit(compartment)
    ),
    ParentLink: lambda compartment: ParentLink.objects.create(
        compartment=compartment, unit=a_unit(compartment), parent=a_unit(compartment)
    ),
    Export: an_export,
    Compartment: lambda compartment: compartment,
    Item: an_item,
    Submission: a_submission,
    Case: a_case,
    Suspect: lambda compartment: Suspect.objects.create(
        case=a_case(compartment),
        compartment=compartment,
        unit=a_unit(compartment),
        liability="superior",
    ),
    Cell: lambda compartment: Cell.objects.create(
        case=a_case(compartment),
        compartment=compartment,
        element="1",
        qualification=Term.objects.get(vocabulary="rome_statute", code="7.1.e"),
    ),
    Verification: a_verification,
}


ALL_ROUTES = list(routes())


def test_every_route_declares_its_access() -> None:
    undeclared = [route for route, pattern in ALL_ROUTES if declared(pattern) is None]
    assert not undeclared, f"routes without an access declaration: {undeclared}"


def client_for(team: Team, persona: str, *, api: bool = False) -> Client:
    """A browser session for pages; for the API, a client that sends the persona's token."""
    if api:
        if persona == "anonymous":
            return Client()
        from docket.api import tokens
        from docket.api.models import SCOPES

        _, token = tokens.create(
            getattr(team, persona), name="matrix", scopes=list(SCOPES), fresh_code=True
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client = Client()
    if persona != "anonymous":
        log_in(client, getattr(team, persona))
    return client


def holds(user: User, permission: str, compartment: Compartment) -> bool:
    return Grant.objects.filter(
        user=user, compartment=compartment, role__in=roles_with(permission)
    ).exists()


OBJECT_ROUTES = [
    (r, p) for r, p in ALL_ROUTES if (d := declared(p)) and d.kind in ("object", "api_object")
]


@pytest.mark.parametrize(("route", "pattern"), OBJECT_ROUTES, ids=[r for r, _ in OBJECT_ROUTES])
@pytest.mark.parametrize("persona", PERSONAS)
def test_object_routes_answer_each_persona_as_the_table_says(
    team: Team, route: str, pattern: URLPattern, persona: str
) -> None:
    access = declared(pattern)
    assert access is not None and access.model is not None and access.permission is not None
    factory = BY_ROUTE.get(route) or FACTORIES.get(access.model)
    assert factory, f"add a factory for {access.model.__name__} to the authorization matrix"
    obj = factory(team.a)
    url = route.replace("<int:pk>", str(obj.pk))
    method = access.methods[0].lower()
    api = access.kind == "api_object"
    response = getattr(client_for(team, persona, api=api), method)(url)

    if persona == "anonymous" and api:
        assert response.status_code == 401
    elif persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif holds(getattr(team, persona), access.permission, team.a) and method == "post":
        # An action posted without its form data: refused or redirected, but not hidden.
        assert response.status_code in (200, 302, 400), (
            f"{persona} may {access.permission} but got {response.status_code}"
        )
        assert "/accounts/login/" not in response.get("Location", "")
    elif holds(getattr(team, persona), access.permission, team.a):
        assert response.status_code == 200, (
            f"{persona} may {access.permission} but got {response.status_code}"
        )
    else:
        assert response.status_code == 404, f"{persona} must not learn that {url} exists"


LIST_ROUTES = [
    (r, p) for r, p in ALL_ROUTES if (d := declared(p)) and d.kind in ("list", "staff", "api_list")
]


@pytest.mark.parametrize(("route", "pattern"), LIST_ROUTES, ids=[r for r, _ in LIST_ROUTES])
def test_list_and_staff_pages_need_a_login_and_never_show_another_compartment(
    team: Team, route: str, pattern: URLPattern
) -> None:
    access = declared(pattern)
    assert access is not None
    secret = {model: factory(team.a) for model, factory in FACTORIES.items()}
    method = access.methods[0].lower()
    api = access.kind == "api_list"
    anonymous = getattr(Client(), method)(route)
    if api:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    page = getattr(client_for(team, "outsider", api=api), method)(route)
    assert page.status_code in (200, 302, 404)
    raw = b"".join(page.streaming_content) if page.streaming else page.content
    body = raw.decode(errors="replace")
    for obj in secret.values():
        assert f"/{obj.pk}/" not in body and (getattr(obj, "sha256", "") or "@@") not in body
        assert team.a.name not in body, f"{route} shows something of {team.a.name}"


def test_the_matrix_covers_the_routes_it_claims(team: Team) -> None:
    # Keeps the closing note honest: how many routes and persona checks the matrix runs.
    assert len(OBJECT_ROUTES) >= 2
    public = [r for r, p in ALL_ROUTES if (d := declared(p)) is not None and d.kind == "public"]
    assert sorted(public) == [
        "/",
        "/accounts/2fa/",
        "/accounts/2fa/enrol/",
        "/accounts/2fa/passkey/",
        "/accounts/2fa/passkey/options/",
        "/accounts/2fa/passkey/register/",
        "/accounts/2fa/passkey/register/options/",
        "/accounts/login/",
        "/api/",
        "/api/openapi.json",
        "/intake/",
        "/intake/en/",
        "/intake/en/return",
        "/intake/en/send",
        "/intake/uploads/",
        "/intake/uploads/no-such-upload",
        "/language/",
    ]
    assert len(ALL_ROUTES) == len(OBJECT_ROUTES) + len(LIST_ROUTES) + len(public)


def test_statistics_are_for_case_readers_and_a_report_for_those_who_ask_exports() -> None:
    found = {r: declared(p) for r, p in ALL_ROUTES if r.startswith("/statistics/")}
    assert {r: (d.kind, d.permission, d.methods) for r, d in found.items() if d} == {
        "/statistics/": ("list", "case.view", ("GET",)),
        "/statistics/export.csv": ("list", "case.view", ("GET",)),
        "/statistics/report": ("list", "export.request", ("POST",)),
    }
