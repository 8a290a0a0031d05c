"""`docket cases generate`: a fictional case over a compartment's generated register, so that
a new user sees what a case file holds before recording a real one.

It picks a beating with a named officer whose unit has a commander, and a detention by the
same unit; makes three evidence files (a photo drawn with Pillow, a two-page directive laid
out by WeasyPrint, a witness statement spoken by espeak-ng), each stamped with the moment it
was made so every run stores new originals; imports them as `docket import files` does (the
vault, a "received" custody entry each, a sealed checkpoint, an import with the files' names);
then links them to the acts, the officer and the commander's posting with spans, and fills the
case: suspects with their modes of liability, four qualifications, every cell of the matrix
(some sufficient, some with some evidence, contested ones, and ones with none, so "what is
missing" shows something), two graded accounts, and verification steps on every evidence link
but one. Every register row is saved through docket.register.history by the system, so each
page's history shows it.

The seed decides what is chosen, so two runs over the same register build the same case; the
files' bytes differ from run to run (their stamp), as two real photos would.
"""

from __future__ import annotations

import io
import math
import random
import struct
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from docket.accounts.models import Compartment, Grant, Role, User
from docket.cases import elements
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.ingest.files import Found, Summary, import_files, walk
from docket.ingest.models import Batch
from docket.lib import pdf
from docket.register import history
from docket.register.models import (
    Act,
    Change,
    EvidenceLink,
    Information,
    Involvement,
    ItemRecord,
    Membership,
    Person,
    Place,
    Term,
)
from docket.vault.models import Item
from docket.vault.store import Stored

ACTOR = "cases generate"
FICTIONAL = "Fictional: generated for the demo."
#: the qualifications of the generated case, as "vocabulary:code"
QUALIFICATIONS = (
    "rome_statute:7.1.e",
    "rome_statute:7.1.f",
    "rome_statute:28",
    "convention_against_torture:1",
)
ILL_TREATMENT = ("20.10", "20.20", "20.30")  # beating, torture, forced positions
DETENTION = "10.10"


class GenerateError(ValueError):
    pass


@dataclass(frozen=True)
class Plan:
    status: str
    note: str
    evidence: tuple[str, ...] = ()
    acts: tuple[str, ...] = ()
    accounts: bool = False


# What the analyst of the fictional case thinks of each element. Elements not named here (a
# lawyer may add some to elements.toml) get a cell with no evidence.
NONE, SOME, SUFFICIENT, CONTESTED = (s.value for s in Cell.Status)
PLANS: dict[tuple[str, str], Plan] = {
    ("rome_statute:7.1.e", "c1"): Plan(
        SOME,
        "Mass detentions at many marches of August 2020 in the register; the pattern "
        "still needs the statistics of the whole period.",
        acts=("detention", "beating"),
    ),
    ("rome_statute:7.1.e", "c2"): Plan(
        NONE,
        "Nothing yet shows what the officers knew of the wider campaign: look for "
        "briefings, orders read out, chats of the unit.",
    ),
    ("rome_statute:7.1.e", "1"): Plan(
        SUFFICIENT,
        "The detention is in the act, the order and the witness's account.",
        evidence=("directive_event", "audio_event"),
        acts=("detention",),
        accounts=True,
    ),
    ("rome_statute:7.1.e", "2"): Plan(
        SOME,
        "Held for days without a charge or a lawyer; the legal analysis is to follow.",
        acts=("detention",),
    ),
    ("rome_statute:7.1.e", "3"): Plan(
        SOME,
        "The order names the place of detention and its conditions.",
        evidence=("directive_event",),
    ),
    ("rome_statute:7.1.f", "c1"): Plan(
        SOME, "The same as for 7(1)(e): one attack, many incidents.", acts=("beating",)
    ),
    ("rome_statute:7.1.f", "c2"): Plan(NONE, "As for 7(1)(e): nothing on knowledge yet."),
    ("rome_statute:7.1.f", "1"): Plan(
        SUFFICIENT,
        "The photo of the injuries and the witness's account agree.",
        evidence=("photo", "audio_act"),
        acts=("beating",),
        accounts=True,
    ),
    ("rome_statute:7.1.f", "2"): Plan(
        SUFFICIENT,
        "Beaten in the yard of the detention centre while held there.",
        evidence=("audio_act",),
        acts=("detention", "beating"),
    ),
    ("rome_statute:7.1.f", "3"): Plan(
        CONTESTED,
        "The authorities say force was used only to restrain detainees who "
        "resisted; the witness and the photo say the detainees lay face down and did not move.",
        evidence=("photo",),
        accounts=True,
    ),
    ("rome_statute:28", "1"): Plan(
        SUFFICIENT,
        "The officer who beat the detainees served in the unit.",
        evidence=("photo_person",),
        acts=("beating",),
    ),
    ("rome_statute:28", "2"): Plan(
        SUFFICIENT,
        "The directive is signed by the commander of the unit.",
        evidence=("directive_member",),
    ),
    ("rome_statute:28", "3"): Plan(
        SOME,
        "The directive orders the detainees held in the yard, where the beatings "
        "happened; whether reports of them reached the commander is not known yet.",
        evidence=("directive_event",),
    ),
    ("rome_statute:28", "4"): Plan(NONE, "No record of any inquiry or measure yet."),
    ("rome_statute:28", "5"): Plan(NONE, ""),
    ("convention_against_torture:1", "1"): Plan(
        SUFFICIENT, "", evidence=("photo", "audio_act"), acts=("beating",), accounts=True
    ),
    ("convention_against_torture:1", "2"): Plan(
        SOME, "Repeated blows to people lying still: not an accident.", evidence=("audio_act",)
    ),
    ("convention_against_torture:1", "3"): Plan(
        SOME,
        "The witness says they were beaten for taking part in the march (punishment).",
        accounts=True,
    ),
    ("convention_against_torture:1", "4"): Plan(
        SUFFICIENT,
        "A police officer on duty, in uniform, in a state detention centre.",
        evidence=("photo_person", "directive_member"),
    ),
    ("convention_against_torture:1", "5"): Plan(
        CONTESTED,
        "The authorities call it lawful restraint (see 7(1)(f), third element).",
    ),
}


@dataclass
class Chosen:
    """What the case is about, read from the generated register."""

    beating: Act
    detention: Act
    officer: Person
    unit_involvement: Involvement
    posting: Membership  # the commander's: commands=True


@dataclass
class Result:
    case: Case
    items: list[Item]
    links: list[EvidenceLink]


COMMITTED_DEGREES = Suspect.DEGREES[Suspect.Liability.COMMITTED]


def has_generated_register(compartment: Compartment) -> bool:
    return Change.objects.filter(compartment=compartment, actor_name="generator").exists()


def choose(compartment: Compartment, rng: random.Random) -> Chosen:
    """A beating by a named officer of a unit with a commander, and a detention by that unit;
    where the random register allows, a unit of the town where both happened, so the case
    reads as one story."""
    involvements = list(
        Involvement.objects.filter(
            compartment=compartment, person__isnull=False, unit__isnull=False,
            act__act_type__vocabulary="act_type", act__act_type__code__in=ILL_TREATMENT,
        ).select_related("act__event__place", "person", "unit__place", "degree").order_by("pk")
    )  # fmt: skip
    commanders: dict[int, Membership] = {}
    for posting in Membership.objects.filter(compartment=compartment, commands=True).order_by("pk"):
        commanders.setdefault(posting.unit_id, posting)
    fitting = [
        i for i in involvements
        if i.unit_id in commanders and commanders[i.unit_id].person_id != i.person_id
    ]  # fmt: skip
    if not fitting:
        raise GenerateError(
            "the generated register has no beating by a named officer of a unit with a "
            "commander: generate more events (`docket register generate --events 300`)"
        )
    # The officer is filed as having committed the beating: where the register allows, one
    # it records as its direct perpetrator, so the case page shows his act with that degree.
    direct = [i for i in fitting if i.degree is not None and i.degree.code in COMMITTED_DEGREES]
    fitting = direct or fitting
    assert all(i.unit is not None for i in fitting)
    local = [i for i in fitting if _town(i.unit.place) == _town(i.act.event.place)]  # type: ignore[union-attr]
    chosen = rng.choice(local or fitting)
    town = _town(chosen.act.event.place)
    detentions = (
        Act.objects.filter(
            compartment=compartment, act_type__vocabulary="act_type", act_type__code=DETENTION
        )
        .select_related("event__place")
        .order_by("pk")
    )
    by_unit = list(detentions.filter(involvements__unit=chosen.unit).distinct())
    candidates = (
        [a for a in by_unit if _town(a.event.place) == town]
        or [a for a in detentions if _town(a.event.place) == town]
        or by_unit
        or list(detentions[:1])
    )
    if not candidates:
        raise GenerateError("the generated register has no detention: generate more events")
    assert chosen.person is not None and chosen.unit_id is not None
    detention = rng.choice(candidates)
    return Chosen(chosen.act, detention, chosen.person, chosen, commanders[chosen.unit_id])


def _town(place: Place | None) -> int | None:
    """The town of a place: itself, or the town a facility is in."""
    if place is None:
        return None
    return place.parent_id if place.kind == Place.Kind.FACILITY else place.pk


def verifier_of(compartment: Compartment) -> User | None:
    """Who the generated verification steps are recorded as done by: the compartment's first
    analyst, else its first administrator (a step by nobody reads as not recorded)."""
    grants = Grant.objects.filter(compartment=compartment, user__is_active=True)
    for role in (Role.ANALYST, Role.ADMIN):
        found = grants.filter(role=role).select_related("user").order_by("pk").first()
        if found is not None:
            return found.user
    return None


def generate(compartment: Compartment, *, seed: int = 2020, user: User | None = None) -> Result:
    """`user`: who did the verification steps (default: `verifier_of` the compartment)."""
    if not has_generated_register(compartment):
        raise GenerateError(
            f"compartment {compartment.name!r} has no generated register: run "
            f"`docket register generate --compartment {compartment.name}` first"
        )
    rng = random.Random(seed)
    chosen = choose(compartment, rng)
    terms = {
        key: Term.objects.get(vocabulary=key.split(":")[0], code=key.split(":")[1], builtin=True)
        for key in QUALIFICATIONS
    }
    stamp = timezone.now()
    files = {
        "photo": ("injuries-photo.png", photo(chosen, stamp)),
        "directive": ("directive-of-the-commander.pdf", directive(chosen, stamp)),
        "audio": ("witness-statement.wav", statement(stamp)),
    }
    items = _store_files(compartment, files, stamp)
    verifier = user or verifier_of(compartment)
    with transaction.atomic():
        return _fill(
            compartment, chosen, terms, items, stamp, seconds_of(files["audio"][1]), verifier
        )


# The files


def _store_files(
    compartment: Compartment, files: dict[str, tuple[str, bytes]], stamp: datetime
) -> dict[str, Item]:
    """Write the files in a temporary folder and import them as `docket import files` does:
    stored, logged, sealed, named in an import."""
    names = {kind: name for kind, (name, _) in files.items()}
    with tempfile.TemporaryDirectory(prefix="docket-case-") as folder:
        root = Path(folder, f"fictional-case-{stamp:%Y%m%d-%H%M%S}")
        root.mkdir()
        for name, data in files.values():
            (root / name).write_bytes(data)
        summary = Summary()
        found: list[Found] = list(walk([root], summary))
        batch = Batch.objects.create(
            source=Batch.Source.FILES, label=f"{root.name} ({FICTIONAL})"[:300],
            compartment=compartment, actor=ACTOR, started_at=timezone.now(),
        )  # fmt: skip
        stored: dict[str, Item] = {}

        def remember(entry: Found, result: Stored) -> None:
            kind = next(k for k, name in names.items() if entry.path.name == name)
            stored[kind] = result.item

        import_files(
            found, summary, actor=ACTOR, compartment=compartment, batch=batch,
            on_stored=remember,
        )  # fmt: skip
    if summary.failed or len(stored) != len(names):
        raise GenerateError(f"the generated files could not be stored: {summary.failed}")
    return stored


def photo(chosen: Chosen, stamp: datetime) -> bytes:
    """A PNG that says what it is: a drawn yard, figures lying down, and captions."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (960, 600), (92, 96, 104))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 960, 600), fill=(128, 124, 116))  # the yard's ground
    draw.rectangle((40, 120, 920, 380), fill=(150, 146, 140))  # the wall
    for x in range(120, 840, 150):  # detainees lying face down
        draw.ellipse((x, 440, x + 110, 480), fill=(40, 44, 60))
        draw.ellipse((x - 26, 444, x + 6, 476), fill=(190, 160, 140))
    draw.rectangle((860, 300, 900, 470), fill=(20, 28, 20))  # an officer standing
    face = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core, as the PDFs
    try:
        font: Any = ImageFont.truetype(face, 26)
        small: Any = ImageFont.truetype(face, 18)
    except OSError as exc:
        raise GenerateError(f"no font at {face}: run `make setup` (fonts-dejavu-core)") from exc
    lines = [
        "FICTIONAL EVIDENCE: generated for the Docket demo",
        chosen.beating.event.title,
        f"{chosen.beating.start or stamp:%Y-%m-%d}",
    ]
    for row, line in enumerate(lines):
        draw.text((40, 20 + row * 32), line[:70], fill=(255, 255, 255), font=font)
    draw.text((40, 560), f"made {stamp.isoformat()}", fill=(230, 230, 230), font=small)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def directive(chosen: Chosen, stamp: datetime) -> bytes:
    """A two-page fictional order of the commander: page 1 names the unit and its commander,
    page 2 orders the detainees held in the yard."""
    commander = chosen.posting.person.display_name
    unit = chosen.posting.unit.name
    day = chosen.detention.start or stamp
    html = f"""<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>Fictional directive</title></head><body>
<p><strong>FICTIONAL DOCUMENT, generated for the Docket demo. ВЫМЫШЛЕННЫЙ ДОКУМЕНТ.</strong></p>
<h1>ПРИКАЗ № {100 + chosen.posting.pk % 900}</h1>
<p>{escape(unit)}. {day:%d.%m.%Y}.</p>
<p>Командир подразделения: {escape(chosen.posting.rank)} {escape(commander)}.</p>
<p>Приказываю: обеспечить охрану общественного порядка; задержанных доставлять в места
содержания под стражей без промедления.</p>
<p style="break-before: page">Страница 2.</p>
<p>Задержанных содержать во дворе до особого распоряжения. Медицинскую помощь не оказывать
без разрешения командира.</p>
<p>{escape(commander)}</p>
<p>made {stamp.isoformat()}</p>
</body></html>"""
    return pdf.render(html)


STATEMENT = (
    "This is a fictional witness statement, made for the Docket demo. "
    "I was detained after the march and taken to the detention centre. "
    "In the yard we lay face down, and the officers beat us with batons."
)


def statement(stamp: datetime) -> bytes:
    """A spoken statement (espeak-ng), a WAV with the moment it was made in its INFO chunk."""
    with tempfile.TemporaryDirectory(prefix="docket-voice-") as folder:
        path = Path(folder, "statement.wav")
        try:
            subprocess.run(
                ["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), STATEMENT],
                check=True, timeout=60, capture_output=True,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            raise GenerateError(f"espeak-ng could not speak the statement: {exc}") from exc
        spoken = path.read_bytes()
    comment = f"Fictional, generated for the Docket demo, {stamp.isoformat()}".encode()
    comment += b"\0" * (2 - len(comment) % 2)  # NUL-terminated, even length
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(comment)) + comment
    riff = spoken[: 8 + struct.unpack("<I", spoken[4:8])[0]]
    riff += b"\0" * (len(riff) % 2)  # chunks start on an even byte
    whole = riff + b"LIST" + struct.pack("<I", len(info)) + info
    return whole[:4] + struct.pack("<I", len(whole) - 8) + whole[8:]


def seconds_of(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as audio:
        return audio.getnframes() / audio.getframerate()


# The register's rows


def _fill(
    compartment: Compartment,
    chosen: Chosen,
    terms: dict[str, Term],
    items: dict[str, Item],
    stamp: datetime,
    audio_seconds: float,
    verifier: User | None,
) -> Result:
    def save(obj: Any, **m2m: Any) -> Any:
        return history.save(obj, actor=None, m2m=m2m or None)

    beating, detention = chosen.beating, chosen.detention
    for kind, title in (
        ("photo", "Photo of the injuries (fictional)"),
        ("directive", "Directive of the unit's commander (fictional)"),
        ("audio", "Witness statement, recorded (fictional)"),
    ):
        save(ItemRecord(item=items[kind], title=title, description=FICTIONAL, tags="fictional"))

    place = beating.event.place.name_en if beating.event.place else "a detention centre"
    case = save(
        Case(
            compartment=compartment,
            title=f"Fictional case: detention and beatings at {place}",
            summary=(
                f"{FICTIONAL} People were detained and beaten by officers of "
                f"{chosen.unit_involvement.unit} ({detention.event.title}; "
                f"{beating.event.title}). The officer "
                f"{chosen.officer.display_name} is seen beating them; the commander "
                f"{chosen.posting.person.display_name} signed the order to hold them in the yard."
            ),
        ),
        events=sorted({beating.event_id, detention.event_id}),
        acts=sorted({beating.pk, detention.pk}),
        qualifications=[terms[key].pk for key in QUALIFICATIONS],
    )

    links: dict[str, EvidenceLink] = {
        "photo": EvidenceLink(
            item=items["photo"], act=beating,
            annotation="Bruises and the detainees lying face down in the yard.",
        ),
        "photo_person": EvidenceLink(
            item=items["photo"], person=chosen.officer,
            annotation="The officer standing at the right, a baton in hand.",
        ),
        "directive_member": EvidenceLink(
            item=items["directive"], membership=chosen.posting, page=1,
            annotation="Signed by the commander of the unit.",
        ),
        "directive_event": EvidenceLink(
            item=items["directive"], event=detention.event, page=2,
            annotation="Orders the detainees held in the yard, no medical help.",
        ),
        "audio_act": EvidenceLink(
            item=items["audio"], act=beating, start_seconds=_tenths(audio_seconds * 0.55),
            end_seconds=_tenths(audio_seconds), annotation="The witness describes the beating.",
        ),
        "audio_event": EvidenceLink(
            item=items["audio"], event=detention.event, start_seconds=0.0,
            end_seconds=_tenths(audio_seconds * 0.55),
            annotation="The witness describes the detention.",
        ),
    }  # fmt: skip
    for link in links.values():
        link.compartment = compartment
        save(link)

    accounts = _accounts(compartment, chosen, stamp, save)
    _suspects(compartment, case, chosen, links, save)
    _verifications(compartment, links, stamp, save, verifier)
    acts = {"beating": beating, "detention": detention}
    for key in QUALIFICATIONS:
        for element in elements.of(terms[key]):
            plan = PLANS.get((key, element.code), Plan(NONE, ""))
            save(
                Cell(
                    compartment=compartment, case=case, qualification=terms[key],
                    element=element.code, status=plan.status, note=plan.note,
                ),
                acts=[acts[name].pk for name in plan.acts],
                evidence=[links[name].pk for name in plan.evidence],
                information=[a.pk for a in accounts] if plan.accounts else [],
            )  # fmt: skip
    return Result(case, list(items.values()), list(links.values()))


def _tenths(seconds: float) -> float:
    """Rounded down, so that a span never ends after the recording does."""
    return math.floor(seconds * 10) / 10


def _accounts(
    compartment: Compartment, chosen: Chosen, stamp: datetime, save: Any
) -> list[Information]:
    """Two sources' accounts, graded on the Admiralty scale: the victim's (B2) and an
    eyewitness's (C3)."""

    def term(vocabulary: str, code: str) -> Term:
        return Term.objects.get(vocabulary=vocabulary, code=code, builtin=True)

    event = chosen.beating.event
    received = (event.start or stamp) + timedelta(days=3)
    return [
        save(
            Information(
                compartment=compartment, event=event, source=chosen.beating.victim,
                connection=term("connection", "10"), reliability=term("source_reliability", "B"),
                credibility=term("information_credibility", "2"), received_on=received.date(),
                summary="Beaten in the yard with batons while lying face down; names the "
                f"officer as {chosen.officer.display_name}. {FICTIONAL}",
            )
        ),
        save(
            Information(
                compartment=compartment, event=event, connection=term("connection", "30"),
                reliability=term("source_reliability", "C"),
                credibility=term("information_credibility", "3"),
                received_on=(received + timedelta(days=10)).date(),
                summary=f"Heard screams from the yard through the night. {FICTIONAL}",
            )
        ),
    ]  # fmt: skip


def _suspects(
    compartment: Compartment,
    case: Case,
    chosen: Chosen,
    links: dict[str, EvidenceLink],
    save: Any,
) -> None:
    unit = chosen.unit_involvement.unit
    posting = chosen.posting
    rows = [
        (Suspect(person=chosen.officer, liability=Suspect.Liability.COMMITTED,
                 notes="Seen beating detainees in the yard."),
         [links["photo_person"].pk, links["audio_act"].pk]),
        (Suspect(person=posting.person, liability=Suspect.Liability.SUPERIOR,
                 notes=f"Commanded {posting.unit.name} (a posting with command, "
                       f"{posting.rank or 'rank unknown'}); signed the order."),
         [links["directive_member"].pk]),
        (Suspect(unit=unit, liability=Suspect.Liability.COMMITTED,
                 notes="Its officers carried out the detentions and the beatings."),
         [links["photo"].pk, links["directive_event"].pk]),
    ]  # fmt: skip
    for suspect, evidence in rows:
        suspect.compartment = compartment
        suspect.case = case
        save(suspect, evidence=evidence)


def _verifications(
    compartment: Compartment,
    links: dict[str, EvidenceLink],
    stamp: datetime,
    save: Any,
    verifier: User | None,
) -> None:
    """Berkeley Protocol steps on every link but the statement's account of the detention."""
    step, method, result = Verification.Step, Verification.Method, Verification.Result
    done = {
        "photo": [
            (step.SOURCE, method.SOURCE, result.CONFIRMS, "Sent by the victim's relative, who "
             "took it the day after the release."),
            (step.TECHNICAL, method.HASHES, result.CONFIRMS, "SHA-256 as received; no earlier "
             "copy online."),
            (step.TECHNICAL, method.NEAR_DUPLICATES, result.CONFIRMS, "No near-duplicate in "
             "the vault or in open sources."),
            (step.TECHNICAL, method.GEOLOCATION, result.INCONCLUSIVE, "The wall and the ground "
             "fit the yard; no landmark to be sure."),
            (step.CONTENT, method.CONTENT, result.CONFIRMS, "The injuries fit the account."),
        ],
        "photo_person": [
            (step.CONTENT, method.CONTENT, result.INCONCLUSIVE, "Build and uniform fit; the "
             "face is not visible."),
        ],
        "directive_member": [
            (step.SOURCE, method.SOURCE, result.CONFIRMS, "From a former officer of the unit, "
             "known to the team."),
            (step.TECHNICAL, method.METADATA, result.CONFIRMS, "Format and numbering fit the "
             "unit's other orders."),
        ],
        "directive_event": [
            (step.CONTENT, method.CONTENT, result.CONFIRMS, "The order's date and place fit "
             "the detention."),
            (step.TECHNICAL, method.CHRONOLOCATION, result.CONFIRMS, "Dated the day of the "
             "march."),
        ],
        "audio_act": [
            (step.SOURCE, method.SOURCE, result.CONFIRMS, "Recorded by the team with the "
             "witness's consent."),
            (step.CONTENT, method.CONTENT, result.CONTRADICTS, "The witness places the beating "
             "an hour later than the act's time: to check."),
        ],
    }  # fmt: skip
    start = stamp - timedelta(hours=2)
    for offset, (name, steps) in enumerate(done.items()):
        for number, (what, how, came, details) in enumerate(steps):
            save(
                Verification(
                    compartment=compartment, evidence=links[name], step=what, method=how,
                    result=came, details=f"{details} {FICTIONAL}", done_by=verifier,
                    done_at=start + timedelta(minutes=offset * 10 + number),
                )
            )  # fmt: skip
