"""Staff at work on a whole instance: run inside its own process (`docket shell -c`, with the
vault passphrase and DOCKET_ALLOWED_HOSTS=testserver), through the real views with Django's
test client. A triager (intake role) accepts submissions into a casefile compartment where an
analyst works; an outsider is an analyst of another compartment."""

from __future__ import annotations

import json
import time
from typing import Any

from django.test import Client

from docket.accounts.models import Compartment, Grant, Role, User

CASEFILES = "okr-casefiles"


def _client(user: User) -> Client:
    from docket.accounts.second_factor import VERIFIED_AT

    client = Client()
    client.force_login(user)
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()
    return client


def _person(name: str, grants: list[tuple[Compartment, str]]) -> User:
    user, _ = User.objects.get_or_create(username=name)
    for compartment, role in grants:
        Grant.objects.get_or_create(user=user, compartment=compartment, role=role)
    return user


def team() -> dict[str, User]:
    from docket.intake.models import intake_compartment

    casefiles, _ = Compartment.objects.get_or_create(name=CASEFILES)
    other, _ = Compartment.objects.get_or_create(name="hrodna-casefiles")
    return {
        "triager": _person(
            "triager", [(intake_compartment(), Role.INTAKE), (casefiles, Role.ANALYST)]
        ),
        "analyst": _person("analyst", [(casefiles, Role.ANALYST)]),
        "outsider": _person("outsider", [(other, Role.ANALYST)]),
    }


def accept_all() -> None:
    """The triager accepts every submission into the casefiles; prints the answers' statuses."""
    from docket.intake.models import Submission

    client = _client(team()["triager"])
    casefiles = Compartment.objects.get(name=CASEFILES)
    statuses = [
        client.post(f"/inbox/{s.pk}/accept", {"compartment": casefiles.pk}).status_code
        for s in Submission.objects.order_by("pk")
    ]
    print(json.dumps(statuses))


def look(items: list[int], queries: list[str]) -> None:
    """Prints what the analyst and the outsider get: each item's page, each search."""
    people = team()
    seen: dict[str, Any] = {}
    for name in ("analyst", "outsider"):
        client = _client(people[name])
        pages = {}
        for pk in items:
            response = client.get(f"/vault/items/{pk}/")
            pages[str(pk)] = [response.status_code, response.content.decode()]
        found = {q: client.get("/register/search/", {"q": q}).content.decode() for q in queries}
        seen[name] = {"pages": pages, "search": found}
    print(json.dumps(seen))


def state() -> None:
    """Prints, for each file senders sent, where it is and what enrichment wrote of it."""
    from docket.enrich.models import Capture, FileType, Run, Segment, TextPage
    from docket.intake.models import Attachment
    from docket.register.models import SearchEntry

    found = {}
    for attachment in Attachment.objects.select_related("item__compartment", "submission"):
        item = attachment.item
        assert item is not None
        file_type = FileType.objects.filter(item=item).first()
        capture = Capture.objects.filter(item=item).first()
        found[str(item.pk)] = {
            "channel": attachment.submission.channel,
            "compartment": item.compartment.name,
            "mime": file_type.mime if file_type else "",
            "description": file_type.description if file_type else "",
            "runs": dict(Run.objects.filter(item=item).values_list("enricher", "state")),
            "capture": capture
            and {
                "device": capture.device,
                "taken_at": capture.taken_at.isoformat() if capture.taken_at else None,
                "latitude": capture.latitude,
                "raw": capture.raw,
                "sealed": capture.sealed is not None,
            },
            "text": [p.text for p in TextPage.objects.filter(item=item)],
            "spoken": [s.text for s in Segment.objects.filter(transcript__item=item)],
            "indexed": SearchEntry.objects.filter(kind="item", object_id=item.pk).exists(),
            "indexed_words": " ".join(
                SearchEntry.objects.filter(kind="item", object_id=item.pk).values_list(
                    "words", flat=True
                )
            ),
        }
    print(json.dumps(found))
