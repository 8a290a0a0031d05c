"""Ids and numbers a form, a URL or a header sends: "²" (which `str.isdigit()` accepts and
`int()` refuses) and a number too large for the database are no id, answered as any other
non-number is (not found, refused or ignored), never with a server error."""

from __future__ import annotations

import pytest
from django.test import Client

from docket.lib import ids
from tests.support.personas import Team, log_in

SUPERSCRIPT = "²"
HUGE = "99999999999999999999999"
ODD = (SUPERSCRIPT, HUGE)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("17", 17),
        ("007", 7),
        (str(ids.LARGEST), ids.LARGEST),
        (str(ids.LARGEST + 1), None),
        (HUGE, None),
        ("0" * 20 + "1", None),
        (SUPERSCRIPT, None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, the database id is ASCII
        ("", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        (" 1", None),
        ("1\n", None),
        ("1_000", None),
    ],
)
def test_a_number_is_ascii_digits_no_larger_than_a_database_id(
    text: str, value: int | None
) -> None:
    assert ids.number(text) == value
    assert ids.pk(text) == value


def client_of(user: object) -> Client:
    client = Client()
    log_in(client, user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ODD)
def test_register_pages_take_an_odd_id_as_none(team: Team, odd: str) -> None:
    analyst = client_of(team.owner)
    # register/filters.py: an act type or a region that names nothing lists no events
    assert analyst.get("/register/events/", {"act": odd, "region": odd}).status_code == 200
    # register/describe.py: an item list searched for such a number opens no item by it
    assert analyst.get("/vault/items/", {"q": odd}).status_code == 200
    # register/views.py: the bulk status change chooses no event
    bulk = analyst.post("/register/events/bulk", {"event": odd, "status": odd})
    assert bulk.status_code == 302
    # register/views_items.py: the items' bulk form chooses no item, links to no event
    items = analyst.post("/register/items/bulk", {"item": odd, "event": odd, "tags": "x"})
    assert items.status_code == 302
    # register/saved.py: sharing in no compartment is refused; deleting nothing is not found
    saved = analyst.post(
        "/register/saved/", {"page": "events", "name": "mine", "query": "", "share": odd}
    )
    assert saved.status_code == 302
    assert analyst.post("/register/saved/delete", {"saved": odd}).status_code == 404
    # register/views_duplicates.py: an unknown compartment shows the first; no such row
    assert analyst.get("/register/persons/duplicates/", {"compartment": odd}).status_code == 200
    row = {"row": f"{odd}:item:{odd}"}
    assert analyst.post("/register/persons/reassign", row).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ODD)
def test_web_uploads_refuse_an_odd_number(team: Team, odd: str) -> None:
    analyst = client_of(team.owner)
    start = analyst.post("/vault/upload/start", {"compartment": odd, "size": "1", "name": "a"})
    assert start.status_code == 404
    sized = analyst.post(
        "/vault/upload/start", {"compartment": team.a.pk, "size": odd, "name": "a", "batch": odd}
    )
    assert sized.status_code == 400
    assert analyst.post(f"/vault/upload/part?upload={odd}", data=b"x",
                        content_type="application/octet-stream").status_code == 404  # fmt: skip
    meta = {"compartment": team.a.pk, "name": "a.txt", "size": 3}
    upload = analyst.post("/vault/upload/start", meta).json()["upload"]
    part = analyst.post(
        f"/vault/upload/part?upload={upload}", data=b"abc",
        content_type="application/octet-stream", headers={"Upload-Offset": odd},
    )  # fmt: skip
    assert part.status_code == 400
