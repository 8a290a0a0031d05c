"""A real case for the court bundle's tests: events, an act, suspects, graded accounts,
evidence links to vault items (one with a metadata-free copy, one sent through the public
intake with a sealed contact), a matrix with a Russian note and verification steps; then
asked for, approved by a second admin, built and decrypted with the recipient's key."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.test import Client

from docket.accounts.models import Grant, Role, User
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.enrich.models import Capture, Derivative, FileType, IntakeOriginal
from docket.exports.models import Export
from docket.intake import conversation
from docket.jobs import queue
from docket.lib.storage import BlobStore
from docket.register import history
from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Information,
    ItemRecord,
    Person,
    Term,
    Unit,
)
from docket.vault import age
from docket.vault.models import Item
from docket.vault.store import store
from tests.support.personas import STAFF_PASSWORD, Team, log_in

TITLE = "Катаванні ў ізалятары на вуліцы Акрэсціна"  # the case's title, in Belarusian
NOTE = "Показания трёх задержанных совпадают по времени и месту"  # a cell's note, in Russian
CONTACT = "hidden.sender.4417@example.net"  # a public sender's contact, sealed in intake
SENDER_TEXT = "Я передаю видео со своего телефона, не называйте меня"
SERIAL = "SN-CAMERA-99812"  # a serial number that only ever exists sealed
PSEUDONYM = "Witness Lilac"


@dataclass
class Made:
    case: Case
    originals: dict[int, bytes] = field(default_factory=dict)  # item -> bytes, in the case
    clean: dict[int, bytes] = field(default_factory=dict)  # original item -> its clean copy
    outside: list[Item] = field(default_factory=list)  # items that must not be packed
    intake_item: int = 0
    lena: User | None = None
    dasha: User | None = None


def member(name: str, team: Team, role: str) -> User:
    user = User.objects.create_user(name, password=STAFF_PASSWORD)
    Grant.objects.create(user=user, compartment=team.a, role=role)
    return user


def client_of(user: User) -> Client:
    client = Client()
    log_in(client, user)
    return client


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def _item(data: bytes, team: Team, mime: str = "", compartment: Any = None) -> Item:
    item = store(io.BytesIO(data), actor="test", compartment=compartment or team.a).item
    if mime:
        FileType.objects.create(item=item, mime=mime, description=mime, kind="picture")
    return item


def make_case(team: Team) -> Made:
    lena = member("lena", team, Role.LEGAL)
    dasha = member("dasha", team, Role.ADMIN)
    analyst = team.owner
    a = team.a
    at = datetime(2020, 8, 11, 1, 0, tzinfo=UTC)
    event = history.save(
        Event(compartment=a, title="Akrestsina, night of 11 August", start=at), actor=analyst
    )
    victim = history.save(Person(compartment=a, display_name="Victim One"), actor=analyst)
    act = history.save(
        Act(compartment=a, event=event, victim=victim, act_type=term("act_type", "10"), start=at),
        actor=analyst,
    )
    other_act = history.save(
        Act(compartment=a, event=event, act_type=term("act_type", "10"), start=at), actor=analyst
    )
    officer = history.save(Person(compartment=a, display_name="Officer Suspect"), actor=analyst)
    unit = history.save(Unit(compartment=a, name="OMON of Minsk"), actor=analyst)
    source = history.save(Person(compartment=a, display_name=PSEUDONYM), actor=analyst)
    witness = history.save(
        Information(
            compartment=a, event=event, source=source, summary="Saw the beatings",
            reliability=term("source_reliability", "B"),
            credibility=term("information_credibility", "2"),
        ),
        actor=analyst,
    )  # fmt: skip
    # An anonymous account (no source): the report calls it so.
    history.save(
        Information(
            compartment=a,
            event=event,
            summary="Heard screams from the yard",
            reliability=term("source_reliability", "C"),
            credibility=term("information_credibility", "3"),
        ),
        actor=analyst,
    )

    made = Made(case=Case(), lena=lena, dasha=dasha)
    photo = b"\xff\xd8\xff\xe0" + b"photo of the yard " * 300
    video = b"\x00\x00\x00\x18ftypmp42" + b"video of the gate " * 500
    letter = b"%PDF-1.4 " + b"a detainee's letter " * 200
    sent = b"\xff\xd8\xff\xe1" + b"sent through the intake " * 100
    photo_item = _item(photo, team, "image/jpeg")
    video_item = _item(video, team, "video/mp4")
    letter_item = _item(letter, team, "application/pdf")
    sent_item = _item(sent, team, "image/jpeg")
    clean = b"\xff\xd8\xff\xe0" + b"the same photo, no metadata " * 100
    clean_item = _item(clean, team)  # as the worker stores it: typed through its original
    Derivative.objects.create(
        original=photo_item, derived=clean_item, kind=Derivative.Kind.CLEAN_COPY, tool="exiftool"
    )
    Capture.objects.create(
        item=photo_item, taken_at=at, time_zone="+03:00", time_evidence="EXIF OffsetTime",
        clock="2020:08:11 04:00:00", latitude=53.8617, longitude=27.4438, device="Phone X",
    )  # fmt: skip
    # The intake original: its position and serial number only sealed, its sender's contact
    # and message sealed in its submission.
    IntakeOriginal.objects.create(item=sent_item)
    Capture.objects.create(
        item=sent_item, taken_at=at, device="Phone Y",
        sealed=age.encrypt_bytes(SERIAL.encode(), [age.Identity.generate().recipient()]),
    )  # fmt: skip
    conversation.open_submission(
        channel="email", language="ru", text=SENDER_TEXT, files=[sent_item],
        contact=CONTACT, compartment=a,
    )  # fmt: skip
    ItemRecord.objects.create(item=video_item, title="Видео у ворот изолятора")

    unlinked = _item(b"in the compartment, in no case", team)
    elsewhere = _item(b"another compartment's evidence", team, compartment=team.b)
    other_victim = _item(b"evidence of an act the case does not name", team)

    link_photo = history.save(
        EvidenceLink(compartment=a, item=photo_item, event=event), actor=analyst
    )
    link_video = history.save(
        EvidenceLink(compartment=a, item=video_item, act=act, start_seconds=3, end_seconds=9.5),
        actor=analyst,
    )
    link_letter = history.save(
        EvidenceLink(compartment=a, item=letter_item, person=officer, page=2), actor=analyst
    )
    link_sent = history.save(
        EvidenceLink(compartment=a, item=sent_item, person=officer), actor=analyst
    )
    history.save(EvidenceLink(compartment=a, item=other_victim, act=other_act), actor=analyst)
    b_event = history.save(Event(compartment=team.b, title="Hrodna"), actor=None)
    history.save(EvidenceLink(compartment=team.b, item=elsewhere, event=b_event), actor=None)

    case = history.save(
        Case(compartment=a, title=TITLE, summary="Беспорядочные избиения задержанных."),
        actor=analyst,
        m2m={"events": [event], "acts": [act], "qualifications": [term("rome_statute", "7.1.f")]},
    )
    history.save(
        Suspect(case=case, compartment=a, person=officer, liability=Suspect.Liability.COMMITTED),
        actor=analyst, m2m={"evidence": [link_letter, link_sent]},
    )  # fmt: skip
    history.save(
        Suspect(case=case, compartment=a, unit=unit, liability=Suspect.Liability.SUPERIOR),
        actor=analyst,
    )
    history.save(
        Cell(
            case=case, compartment=a, qualification=term("rome_statute", "7.1.f"),
            element="1", status=Cell.Status.SUFFICIENT, note=NOTE,
        ),
        actor=analyst,
        m2m={"evidence": [link_video, link_photo], "acts": [act], "information": [witness]},
    )  # fmt: skip
    for step, method, result in [
        (
            Verification.Step.TECHNICAL,
            Verification.Method.GEOLOCATION,
            Verification.Result.CONFIRMS,
        ),
        (Verification.Step.SOURCE, Verification.Method.SOURCE, Verification.Result.INCONCLUSIVE),
    ]:
        history.save(
            Verification(
                compartment=a, evidence=link_photo, step=step, method=method, result=result,
                details="Matched the gate and the lamp posts", done_by=analyst, done_at=at,
            ),
            actor=analyst,
        )  # fmt: skip

    made.case = case
    made.originals = {
        i.pk: data
        for i, data in [(photo_item, photo), (video_item, video), (letter_item, letter),
                        (sent_item, sent)]
    }  # fmt: skip
    made.clean = {photo_item.pk: clean}
    made.outside = [unlinked, elsewhere, other_victim]
    made.intake_item = sent_item.pk
    return made


def last_eight(recipient: age.Recipient) -> str:
    return hashlib.sha256(str(recipient).encode()).hexdigest()[8:16]


def run_jobs() -> None:
    while (job := queue.claim()) is not None:
        queue.run(job)


def ask_and_approve(made: Made, key: age.Identity, capture: Any, language: str = "be") -> Export:
    """Lena asks for the bundle on the Exports page, Dasha approves, the worker builds it."""
    assert made.lena is not None and made.dasha is not None
    asker = client_of(made.lena)
    asker.cookies["django_language"] = language
    response = asker.post(
        "/exports/",
        {
            "kind": "case", "case": made.case.pk, "recipient": str(key.recipient()),
            "recipient_label": "ICC OTP, unit 3", "reason": "Article 15 communication",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    export = Export.objects.get(case=made.case)
    with capture(execute=True):
        decided = client_of(made.dasha).post(
            f"/accounts/approvals/{export.approval.pk}/",
            {"decision": "approve", "recipient_check": last_eight(key.recipient())},
        )
    assert decided.status_code == 302
    run_jobs()
    export.refresh_from_db()
    assert export.state == Export.State.READY, export.error
    return export


def opened(export: Export, key: age.Identity, tmp_path: Path) -> Path:
    """The package decrypted with the recipient's key, as bundle.zip."""
    with BlobStore.default().open(export.blob) as handle:
        plain = b"".join(age.decrypt_chunks(handle, [key]))
    whole = tmp_path / "bundle.zip"
    whole.write_bytes(plain)
    assert zipfile.is_zipfile(whole)
    return whole
