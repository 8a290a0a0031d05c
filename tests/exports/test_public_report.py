"""The public report: asked for on the statistics page, approved by a second admin, built by
the worker, opened with `age`; and nothing in it, HTML or PDF, names anyone the register
knows (in any script, spelling or case form), nor gives a badge number, an exact address,
coordinates or a date of birth. Small counts are "<5" there too."""

from __future__ import annotations

import hashlib
import html as markup
import json
import re
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docket.accounts.models import Role
from docket.exports.models import Export
from docket.jobs import queue
from docket.register.models import (
    Act,
    Event,
    Information,
    Involvement,
    Membership,
    Person,
    PersonIdentifier,
    PersonName,
    Place,
    Precision,
    Term,
    Unit,
)
from docket.vault import age
from tests.support.bundle import client_of, member
from tests.support.personas import Team

MINSK = ZoneInfo("Europe/Minsk")

#: Cyrillic to Latin as a reporter might write it (no diacritics), for a spelling of each name
#: that the register does not hold
LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуўфхцчшщъыьэюяі",
        "a b v g d e yo zh z i y k l m n o p r s t u u f kh ts ch sh shch _ y _ e yu ya i".split(),
        strict=True,
    )
)


def transliterated(text: str) -> str:
    out = []
    for c in text:
        latin = LATIN.get(c.lower())
        if latin is None:
            out.append(c)
        else:
            latin = "" if latin == "_" else latin
            out.append(latin.capitalize() if c.isupper() else latin)
    return "".join(out)


def run_jobs() -> None:
    while (job := queue.claim()) is not None:
        queue.run(job)


def person(team: Team, shown: str, *others: tuple[str, str, str], **fields: Any) -> Person:
    made = Person.objects.create(compartment=team.a, display_name=shown, **fields)
    for name, script, language in others:
        PersonName.objects.create(person=made, name=name, script=script, language=language)
    return made


def make_register(team: Team) -> dict[str, Any]:
    a = team.a
    minsk = Place.objects.get(code="city.minsk")
    beating = Term.objects.get(vocabulary="act_type", code="20")
    degree = Term.objects.get(vocabulary="involvement_degree", code="10")
    omon = Unit.objects.create(
        compartment=a, name="ОМОН ГУВД Мингорисполкома",
        unit_type=Term.objects.get(vocabulary="unit_type", code="10.10"),
    )  # fmt: skip
    officer = person(
        team, "Тертель Иван Станиславович",
        ("Іван Церцель", "Cyrl", "be"), ("Ivan Tertel", "Latn", "en"),
    )  # fmt: skip
    PersonIdentifier.objects.create(person=officer, kind="personal number", value="7712345")
    Membership.objects.create(
        compartment=a, person=officer, unit=omon, badge_number="АВ 1234", rank="major"
    )
    victim = person(
        team, "Мария Иванова", ("Maryia Ivanova", "Latn", "en"), ("Марыя Іванова", "Cyrl", "be"),
        gender="female", birth_date=date(1987, 3, 14), birth_precision=Precision.DAY,
    )  # fmt: skip
    witness = person(team, "Алесь Кравец", ("Ales Kravets", "Latn", "en"))
    events = []
    stories = [
        (
            "Задержание у Стелы: Тертель и Иванова",
            "Майор Тертелем И.С. (жетон AB-1234, личный номер 77 12 345) была избита Мария "
            "Иванова, 14.03.1987 г.р., у дома по адресу ул. Притыцкого, 22, кв. 5 "
            "(53.9045, 27.5615). Свидетель Кравец видел, как церцель бил Иванову.",
        ),
        (
            "Niamiha: Ivan Tertel",
            "Maryia Ivanova (born 14 March 1987) says that major tertel, badge ab1234, kept "
            f"her at Prytyckaha Street 22. A witness, {transliterated('Алесь Кравец')}, saw "
            f"{transliterated('Тертель')} and {transliterated('Церцеля')} hitting "
            f"{transliterated('Иванову')}. Лiчны нумар 7712345; нарадзілася 14 сакавіка 1987.",
        ),
    ]
    for n, (title, text) in enumerate(stories):
        event = Event.objects.create(
            compartment=a, title=title, description=text, place=minsk,
            place_detail="ул. Притыцкого, 22, кв. 5" if n == 0 else "Prytyckaha Street 22",
            latitude=53.9045, longitude=27.5615,
            start=datetime(2020, 8, 9 + n, 23, 0, tzinfo=MINSK),
        )  # fmt: skip
        act = Act.objects.create(compartment=a, event=event, act_type=beating, victim=victim)
        Involvement.objects.create(compartment=a, act=act, person=officer, degree=degree)
        Information.objects.create(compartment=a, event=event, source=witness, summary="seen")
        events.append(event)
    return {"events": events, "persons": [officer, victim, witness]}


def forbidden(persons: list[Person]) -> list[str]:
    """Every name as the register holds it, each word of it, a transliteration of each, and
    the case forms the descriptions use; badge numbers, addresses, coordinates, birth dates."""
    found: set[str] = set()
    for p in persons:
        written = [p.display_name, *p.names.values_list("name", flat=True)]
        for text in written:
            for variant in (text, transliterated(text)):
                found.add(variant)
                found.update(w for w in variant.split() if len(w) > 3)
    found.update(
        ["Тертелем", "Церцеля", "Иванову", "Tsertselya", "Ivanovu", "Tertel", "tertel", "Кравец"]
    )
    found.update(["Притыцкого", "Prytyckaha", "53.9045", "27.5615", "53,9045"])
    found.update(["14.03.1987", "1987-03-14", "14 марта 1987", "14 March 1987", "14 сакавіка 1987"])
    return sorted(found)


def numbers_in(text: str) -> str:
    """The text with separators gone and Latin look-alikes as Cyrillic, to find a badge
    number however it is written."""
    text = re.sub(r"[\s./№#-]", "", text.upper())
    return text.translate(str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ"))


def test_a_public_report_is_asked_approved_built_and_names_nobody(
    team: Team, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    register = make_register(team)
    lena = member("lena", team, Role.LEGAL)
    dasha = member("dasha", team, Role.ADMIN)
    key = age.Identity.generate()

    page = client_of(lena).get("/statistics/").content.decode()
    assert "Ask for a public report" in page
    asked = client_of(lena).post(
        "/statistics/report",
        {
            "compartment": team.a.pk, "title": "Minsk, August 2020",
            "tables": ["act_type", "month", "sex", "sex_age"],
            "events": ", ".join(str(e.pk) for e in register["events"]),
            "recipient": str(key.recipient()), "recipient_label": "OHCHR Belarus team",
            "reason": "Figures and accounts for the annual report", "since": "2020-08-01",
            "q": "Тертель",
        },
    )  # fmt: skip
    export = Export.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/exports/{export.pk}/"
    assert export.kind == Export.Kind.REPORT and export.state == Export.State.AWAITING
    assert export.parameters["filters"] == {"since": "2020-08-01", "q": "Тертель"}

    # The approver sees what the report will hold, not only the reason.
    review = client_of(dasha).get(f"/accounts/approvals/{export.approval.pk}/").content.decode()
    assert "Minsk, August 2020" in review and "By type of act" in review
    assert "since: 2020-08-01" in review
    assert ", ".join(str(e.pk) for e in register["events"]) in review

    fingerprint = hashlib.sha256(str(key.recipient()).encode()).hexdigest()[8:16]
    with django_capture_on_commit_callbacks(execute=True):
        client_of(dasha).post(
            f"/accounts/approvals/{export.approval.pk}/",
            {"decision": "approve", "recipient_check": fingerprint},
        )
    run_jobs()
    export.refresh_from_db()
    assert export.state == Export.State.READY, export.error

    download = client_of(lena).post(f"/exports/{export.pk}/package")
    sealed = tmp_path / "report.zip.age"
    sealed.write_bytes(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    (tmp_path / "key.txt").write_text(f"{key}\n")
    opened = tmp_path / "report.zip"
    subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "key.txt"), "-o", str(opened), str(sealed)], check=True
    )
    with zipfile.ZipFile(opened) as package:
        assert sorted(package.namelist()) == [
            "README.txt", "SHA256SUMS", "checkpoint.txt", "manifest.json", "report.html",
            "report.pdf",
        ]  # fmt: skip
        package.extractall(tmp_path / "report")
    unpacked = tmp_path / "report"
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True
    )
    assert sums.returncode == 0 and sums.stdout.count(": OK") == 2
    manifest = json.loads((unpacked / "manifest.json").read_text())
    assert manifest["approved_by"] == "dasha" and manifest["kind"] == "report"

    page_html = (unpacked / "report.html").read_text()
    assert "Minsk, August 2020" in page_html and "<svg" in page_html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//|file:)""", page_html)
    assert "url(" not in page_html
    pdf_text = subprocess.run(
        ["pdftotext", str(unpacked / "report.pdf"), "-"], capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    assert "Minsk, August 2020" in pdf_text
    text = markup.unescape(re.sub(r"<[^>]+>", " ", page_html))

    for document, words in (("report.html", text), ("report.pdf", pdf_text)):
        folded = " ".join(words.split()).casefold()
        leaks = [w for w in forbidden(register["persons"]) if w.casefold() in folded]
        assert not leaks, f"{document} gives away {leaks}"
        assert "АВ1234" not in numbers_in(words) and "7712345" not in numbers_in(words)
    # the narratives are there, anonymised
    assert "[officer]" in text and "[victim]" in text and "[address]" in text
    assert "[date of birth]" in text and "major" in text  # the rank stays; the name goes

    # counts are published ones: every count of this small register is under 5
    assert not re.search(r"\d+ (?:events|acts|distinct)", text)  # nor in the methodology
    assert "Europe/Minsk" in text and "UTC+03:00" in text
    assert team.a.name not in text and team.a.name not in pdf_text  # no compartment named
    cells = re.findall(r'<td class="num">([^<]*)</td>', page_html)
    assert cells and "<5" in [markup.unescape(c) for c in cells]
    assert not set(cells) & {"1", "2", "3", "4"}


def test_events_outside_the_filters_are_refused_and_a_facility_is_no_narrative_detail(
    team: Team,
) -> None:
    register = make_register(team)
    lena = member("lena", team, Role.LEGAL)
    key = age.Identity.generate()
    first, second = register["events"]
    asked = client_of(lena).post(
        "/statistics/report",
        {
            "compartment": team.a.pk, "title": "Minsk, 10 August", "tables": ["act_type"],
            "events": f"{first.pk}, {second.pk}", "recipient": str(key.recipient()),
            "recipient_label": "OHCHR", "reason": "figures", "since": "2020-08-10",
        },
    )  # fmt: skip
    assert asked.status_code == 200 and not Export.objects.exists()
    page = markup.unescape(asked.content.decode())
    assert (
        f"Not among the events the filters in force leave, which the report counts: {first.pk}."
        in page
    )

    # a title naming a detention centre gives the region only, as the narrative's "where"
    from docket.cases import report

    title = "Beaten at Okrestina Centre for Isolation of Offenders (TsIP), Minsk, at night"
    shown = report.redactor().redact(title)
    assert "Okrestina" not in shown and "[address]" in shown
    assert "Акрэсціна" not in report.redactor().redact(
        "Збілі ў Цэнтр ізаляцыі правапарушальнікаў на Акрэсціна"
    )
