"""The sanctions and partner list: asked, approved by a second admin, built by the worker,
opened with the recipient's key; every line a FollowTheMoney entity the library accepts, and
only who the request names, with nothing private about anyone."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from docket.accounts import approvals
from docket.accounts.models import Grant, Role, User
from docket.exports import build
from docket.exports.models import Export
from docket.exports.sanctions import membership_confidence
from docket.jobs import queue
from docket.lib.storage import BlobStore
from docket.vault import age
from docket.vault.models import CustodyEntry
from tests.support.personas import STAFF_PASSWORD, Team
from tests.support.suspects import SECRETS, Register, ftm_problems, make_register


def member(name: str, team: Team, role: str) -> User:
    user = User.objects.create_user(name, password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=team.a, role=role)
    return user


def built(team: Team, capture: Any, **asked: Any) -> tuple[Export, dict[str, bytes]]:
    """Ask as a legal user, approve as a second admin, run the worker; the opened zip."""
    lena = User.objects.filter(username="lena").first() or member("lena", team, Role.LEGAL)
    dasha = User.objects.filter(username="dasha").first() or member("dasha", team, Role.ADMIN)
    key = age.Identity.generate()
    export = build.ask(
        lena, team.a, recipient=str(key.recipient()), recipient_label="EU sanctions unit",
        reason="listing", kind=Export.Kind.SANCTIONS, **asked,
    )  # fmt: skip
    check = hashlib.sha256(str(key.recipient()).encode()).hexdigest()[8:16]
    with capture(execute=True):
        approvals.decide(dasha, export.approval, approve=True, recipient_check=check)
    while (job := queue.claim()) is not None:
        queue.run(job)
    export.refresh_from_db()
    assert export.state == Export.State.READY, export.error
    with BlobStore.default().open(export.blob) as handle:
        plain = b"".join(age.decrypt_chunks(handle, [key]))
    with zipfile.ZipFile(io.BytesIO(plain)) as package:
        return export, {name: package.read(name) for name in package.namelist()}


def by_schema(files: dict[str, bytes]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for line in files["entities.ftm.json"].decode().splitlines():
        data = json.loads(line)
        found.setdefault(data["schema"], []).append(data)
    return found


def essence(entity: dict[str, Any]) -> tuple[str, str, dict[str, list[str]]]:
    values = {prop: sorted(v) for prop, v in entity["properties"].items()}
    return entity["id"], entity["schema"], values


def names(entities: list[dict[str, Any]]) -> set[str]:
    return {n for e in entities for n in e["properties"]["name"]}


@pytest.fixture
def register(team: Team) -> Register:
    return make_register(team)


def test_a_compartments_list_names_its_perpetrators_as_valid_entities_and_nothing_private(
    team: Team, register: Register, django_capture_on_commit_callbacks: Any
) -> None:
    _, files = built(team, django_capture_on_commit_callbacks)
    assert sorted(files) == [
        "README.txt", "SHA256SUMS", "checkpoint.txt", "custody.jsonl", "entities.ftm.json",
        "manifest.json",
    ]  # fmt: skip
    lines = files["entities.ftm.json"].decode().splitlines()
    assert ftm_problems(lines) == []
    # and the library's own command, as a recipient runs it, gives back every entity unchanged
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "ftm"), "validate"], input=files["entities.ftm.json"],
        capture_output=True, check=True,
    ).stdout.decode().splitlines()  # fmt: skip
    assert [essence(json.loads(c)) for c in checked] == [essence(json.loads(x)) for x in lines]
    entities = by_schema(files)
    persons = {p["properties"]["name"][0]: p for p in entities["Person"]}
    # established perpetrators only: not the "possible" one, not the victim, not compartment B's
    assert sorted(persons) == ["Ivan Piatrou", "Siarhei Kavalou"]
    ivan = persons["Ivan Piatrou"]["properties"]
    assert {"Іван Пятроў", "Иван Петров"} <= set(ivan["name"])
    assert ivan["birthDate"] == ["1985-03"] and ivan["idNumber"] == ["AB-1234"]
    assert ivan["summary"] == [
        "Directly carried out the act: 2 acts (Arbitrary arrest or detention, Violence against"
        " the person) between 2020-08-10 and 2020-08-12 in Minsk; 2 evidence items."
    ]
    [omon] = entities["PublicBody"]
    assert (
        omon["properties"]["name"] == ["OMON of Minsk"]
        and "АМАП Мінска" in omon["properties"]["alias"]
    )
    [membership] = entities["Membership"]
    person_id = persons["Ivan Piatrou"]["id"]
    assert membership["properties"]["member"] == [person_id]
    assert membership["properties"]["organization"] == [omon["id"]]
    assert membership["properties"]["startDate"] == ["2019"]
    [position] = entities["Position"]
    [occupancy] = entities["Occupancy"]
    assert position["properties"]["name"] == ["Commander of OMON of Minsk"]
    assert occupancy["properties"]["holder"] == [person_id]
    assert occupancy["properties"]["post"] == [position["id"]]

    everything = b"".join(files.values()).decode()
    for secret in (*SECRETS, "Pavel Doubtful", "Foreign Officer", "hrodna"):
        assert secret not in everything, f"{secret!r} left in the list"
    sums = files["SHA256SUMS"].decode().splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(files[name]).hexdigest() == digest
    assert len(sums) == 5
    manifest = json.loads(files["manifest.json"])
    assert manifest["kind"] == "sanctions" and manifest["min_confidence"] == "established"
    assert manifest["persons"] == 2 and manifest["approved_by"] == "dasha"
    own = CustodyEntry.objects.filter(action="export").latest("index")
    assert json.loads(files["custody.jsonl"])["index"] == own.index
    assert files["checkpoint.txt"].decode().startswith(manifest["log"]["origin"])


def test_a_cases_list_holds_its_suspects_only_and_the_least_confidence_is_the_requests(
    team: Team, register: Register, django_capture_on_commit_callbacks: Any
) -> None:
    _, files = built(team, django_capture_on_commit_callbacks, case=register.case)
    entities = by_schema(files)
    assert names(entities["Person"]) >= {"Ivan Piatrou"}
    assert "Siarhei Kavalou" not in names(entities["Person"]), "not a suspect of the case"
    assert "Pavel Doubtful" not in names(entities["Person"]), "only possibly involved"

    _, files = built(
        team, django_capture_on_commit_callbacks, case=register.case,
        min_confidence="possible", parameters={"identifiers": False},
    )  # fmt: skip
    entities = by_schema(files)
    assert ftm_problems(files["entities.ftm.json"].decode().splitlines()) == []
    assert "Pavel Doubtful" in names(entities["Person"])
    assert "Siarhei Kavalou" not in names(entities["Person"])
    assert all("idNumber" not in p["properties"] for p in entities["Person"])
    assert "AB-1234" not in files["entities.ftm.json"].decode()


def test_the_ids_are_stable_and_the_output_is_in_a_fixed_order(
    team: Team, register: Register, django_capture_on_commit_callbacks: Any
) -> None:
    _, first = built(team, django_capture_on_commit_callbacks)
    _, again = built(team, django_capture_on_commit_callbacks)
    assert first["entities.ftm.json"] == again["entities.ftm.json"]


def test_the_validation_finds_what_the_library_refuses() -> None:
    """So that the tests above could fail: each broken entity is named."""
    good = {"id": "p1", "schema": "Person", "properties": {"name": ["A"]}}
    broken = [
        {"id": "p2", "schema": "Person", "properties": {"name": ["B"], "birthDate": ["1985-13"]}},
        {"id": "m1", "schema": "Membership", "properties": {"member": ["p1"]}},
        {"id": "m2", "schema": "Membership", "properties": {"member": ["p1"],
                                                             "organization": ["nowhere"]}},
        {"id": "p3", "schema": "Person", "properties": {"name": ["C"], "address": ["x"],
                                                        "bogus": ["y"]}},
        {"id": "x", "schema": "Nothing", "properties": {}},
    ]  # fmt: skip
    assert ftm_problems([json.dumps(good)]) == []
    for entity in broken:
        assert ftm_problems([json.dumps(good), json.dumps(entity)]), entity


@pytest.mark.parametrize(
    ("reliability", "credibility", "confidence"),
    [("A", "1", "established"), ("B", "2", "established"), ("A", "3", "probable"),
     ("C", "1", "probable"), ("D", "2", "possible"), ("E", "1", "alleged"),
     (None, "1", "alleged"), ("F", "6", "alleged")],
)  # fmt: skip
def test_a_postings_grading_reads_as_a_confidence(
    reliability: str | None, credibility: str | None, confidence: str
) -> None:
    assert membership_confidence(reliability, credibility) == confidence


def test_evidence_of_another_compartment_is_not_counted_in_a_statement(
    team: Team, register: Register, django_capture_on_commit_callbacks: Any
) -> None:
    """A statement says on how many evidence items it rests: another compartment's items
    (linked to the same person or act by mistake) are not its to count."""
    from docket.register.models import EvidenceLink, Involvement
    from docket.vault.store import store

    def summary(files: dict[str, bytes]) -> list[str]:
        [officer] = [
            p for p in by_schema(files)["Person"] if "Ivan Piatrou" in p["properties"]["name"]
        ]
        return officer["properties"]["summary"]

    _, files = built(team, django_capture_on_commit_callbacks, case=register.case)
    before = summary(files)
    act = Involvement.objects.filter(person=register.officer).first().act
    for n in range(3):
        item = store(io.BytesIO(b"b %d" % n), actor="t", compartment=team.b).item
        EvidenceLink.objects.create(compartment=team.b, item=item, person=register.officer)
        EvidenceLink.objects.create(compartment=team.b, item=item, act=act)
    _, files = built(team, django_capture_on_commit_callbacks, case=register.case)
    assert summary(files) == before


def test_the_least_confidence_reads_as_words_on_the_pages() -> None:
    """The approver reads "Established by evidence", not the code "established"."""
    assert Export(min_confidence="established").min_confidence_shown == "Established by evidence"
    for template in ("exports/detail.html", "accounts/approval.html"):
        source = (Path(settings.BASE_DIR) / "templates" / template).read_text()
        assert "{{ export.min_confidence }}" not in source
        assert "export.min_confidence_shown" in source
