"""`docket cases generate`: a fictional case a new user can open, over the generated register,
with real evidence files in the vault, a filled elements matrix and verification steps."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import wave
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from docket.accounts.models import Compartment
from docket.cases import contents, elements
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.ingest.models import BatchItem
from docket.register.generate import Generator
from docket.register.models import Change, EvidenceLink, Information, Membership
from docket.vault import store
from docket.vault.models import CustodyEntry, Item
from docket.vault.verify import verify
from tests.support.instance import Instance


@pytest.fixture
def demo(vault: Path) -> Compartment:
    compartment = Compartment.objects.create(name="demo")
    Generator(compartment, seed=3).run(events=40, persons=120)
    return compartment


def generate(capsys: pytest.CaptureFixture[str], *options: str) -> dict[str, int]:
    call_command("cases", "generate", "--compartment", "demo", "--json", *options)
    return json.loads(capsys.readouterr().out)


def test_it_makes_a_case_with_its_evidence_matrix_and_verification(
    demo: Compartment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    printed = generate(capsys)
    assert list(printed) == ["case"] and isinstance(printed["case"], int)
    case = Case.objects.get(pk=printed["case"])
    assert case.compartment == demo and "Fictional" in case.summary

    # suspects: the officer who committed, the commander over the unit, the unit itself
    suspects = {s.liability: s for s in case.suspects.all()}
    assert set(suspects) == {"committed", "superior"} and case.suspects.count() == 3
    superior = suspects["superior"]
    assert superior.person is not None and superior.evidence.exists()
    assert Membership.objects.filter(person=superior.person, commands=True).exists()
    assert case.suspects.filter(unit__isnull=False, person__isnull=True).exists()
    assert case.suspects.filter(person__isnull=False, liability="committed").exists()
    # the officer and his unit are recorded as the beating's direct perpetrators, so the case
    # page lists that act beside them (not "none with that degree")
    for suspect in case.suspects.filter(liability="committed"):
        assert contents.involvements(suspect).exists(), suspect

    # qualifications, and one cell per element of each, nothing more
    qualifications = list(case.qualifications.all())
    assert len(qualifications) >= 3
    assert {f"{t.vocabulary}:{t.code}" for t in qualifications} >= {
        "rome_statute:7.1.e", "rome_statute:7.1.f", "rome_statute:28",
        "convention_against_torture:1",
    }  # fmt: skip
    for term in qualifications:
        cells = Cell.objects.filter(case=case, qualification=term)
        assert sorted(cells.values_list("element", flat=True)) == sorted(
            e.code for e in elements.of(term)
        ), term
    cells = Cell.objects.filter(case=case)
    statuses = set(cells.values_list("status", flat=True))
    assert {"none", "some", "sufficient", "contested"} <= statuses
    proven = cells.filter(status="sufficient")
    assert all(c.evidence.exists() or c.acts.exists() for c in proven)
    assert cells.filter(information__reliability__isnull=False).exists()  # graded accounts
    assert cells.exclude(note="").count() >= cells.count() // 2

    # the evidence: real items in the vault, named in an import, with custody entries
    links = EvidenceLink.objects.filter(pk__in=cells.values("evidence"))
    items = Item.objects.filter(pk__in=links.values("item"))
    assert items.count() == 3
    heads: list[bytes] = []
    originals: dict[bytes, bytes] = {}
    for item in items:
        assert item.compartment == demo
        assert CustodyEntry.objects.filter(item=item, action="received").exists()
        data = b"".join(store.read(item, actor="test"))
        assert hashlib.sha256(data).hexdigest() == item.sha256 and len(data) == item.size
        assert BatchItem.objects.filter(item=item).exists()
        heads.append(data[:4] + data[8:12])
        originals[data[:4]] = data
    kinds = {head[:4]: head for head in heads}  # a PDF, a PNG picture, a WAV recording
    assert set(kinds) == {b"%PDF", b"\x89PNG", b"RIFF"} and kinds[b"RIFF"].endswith(b"WAVE")
    report = verify(deep=True)
    assert report.ok, report.problems
    # spans: a page of the directive that it has, seconds of the statement that it lasts
    assert links.filter(page=2).exists()
    (tmp_path / "directive.pdf").write_bytes(originals[b"%PDF"])
    page_2 = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(tmp_path / "directive.pdf"), "-"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert "Задержанных содержать во дворе" in page_2 and "FICTIONAL" not in page_2
    with wave.open(io.BytesIO(originals[b"RIFF"])) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    spoken = links.filter(start_seconds__isnull=False)
    assert spoken.exists() and all(0 < link.end_seconds <= seconds for link in spoken)  # type: ignore[operator]

    # verification steps on every link but one: the case shows what is not yet verified
    all_links = EvidenceLink.objects.filter(item__in=items)
    unverified = all_links.filter(verifications__isnull=True)
    assert unverified.count() == 1 and all_links.count() >= 5
    steps = Verification.objects.filter(evidence__in=all_links)
    assert {"source", "technical", "content"} == set(steps.values_list("step", flat=True))

    # all in the compartment, each row with its history by the system
    for model in (Cell, Suspect, Verification, EvidenceLink, Information):
        rows = model.objects.all()
        assert rows.exists() and set(rows.values_list("compartment", flat=True)) == {demo.pk}
    for obj in (case, superior, proven.first(), steps.first()):
        assert obj is not None
        change = Change.objects.get(model=obj._meta.model_name, object_id=obj.pk)
        assert change.action == "create" and change.actor_name == "system"
        assert change.compartment_id == demo.pk


def test_the_seed_decides_the_case_and_each_run_stores_new_files(
    demo: Compartment, capsys: pytest.CaptureFixture[str]
) -> None:
    first = Case.objects.get(pk=generate(capsys, "--seed", "7")["case"])
    second = Case.objects.get(pk=generate(capsys, "--seed", "7")["case"])

    def shape(case: Case) -> tuple[object, ...]:
        return (
            case.title,
            sorted(case.acts.values_list("pk", flat=True)),
            sorted(map(str, case.suspects.values_list("person", "unit", "liability"))),
            sorted(case.cells.values_list("qualification", "element", "status")),
        )

    assert first.pk != second.pk and shape(first) == shape(second)
    assert Item.objects.filter(compartment=demo).count() == 6, "distinct bytes each run"


def test_it_says_what_is_wrong(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match="no compartment 'demo'"):
        call_command("cases", "generate", "--compartment", "demo")
    Compartment.objects.create(name="demo")
    with pytest.raises(CommandError, match="run `docket register generate --compartment demo`"):
        call_command("cases", "generate", "--compartment", "demo")
    assert not Case.objects.exists() and not Item.objects.exists()


def test_without_json_it_says_where_to_look(demo: Compartment) -> None:
    out = io.StringIO()
    call_command("cases", "generate", "--compartment", "demo", stdout=out)
    case = Case.objects.get()
    assert f"case {case.pk} in demo" in out.getvalue() and f"/cases/{case.pk}/" in out.getvalue()


@pytest.mark.slow
def test_the_command_line_prints_exactly_the_case(instance: Instance) -> None:
    refused = instance.run("cases", "generate", "--compartment", "default", "--json", check=False)
    assert refused.returncode != 0 and not refused.stdout
    assert b"run `docket register generate --compartment default` first" in refused.stderr
    instance.run(
        "register", "generate", "--compartment", "default", "--events", "40", "--persons", "120"
    )
    done = instance.run("cases", "generate", "--compartment", "default", "--json")
    assert re.fullmatch(rb'\{"case": \d+\}\n', done.stdout), done.stdout
    assert b"weasyprint" not in done.stderr.lower()  # no layout steps on the terminal
    assert instance.json("verify", "--deep", "--json")["ok"]


def test_its_verification_steps_name_who_did_them(
    demo: Compartment, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "someone": the compartment's analyst by default, or the user asked for."""
    from docket.accounts.models import Grant, Role, User

    admin = User.objects.create_user("chief")
    analyst = User.objects.create_user("analyst")
    Grant.objects.create(user=admin, compartment=demo, role=Role.ADMIN)
    Grant.objects.create(user=analyst, compartment=demo, role=Role.ANALYST)
    case = Case.objects.get(pk=generate(capsys)["case"])
    steps = Verification.objects.filter(evidence__in=contents.evidence(case))
    assert steps.exists() and set(steps.values_list("done_by", flat=True)) == {analyst.pk}

    last = Verification.objects.order_by("pk").last()
    assert last is not None
    generate(capsys, "--user", "chief")
    steps = Verification.objects.filter(pk__gt=last.pk)  # the second case's (same incidents)
    assert steps.exists() and set(steps.values_list("done_by", flat=True)) == {admin.pk}
    outsider = User.objects.create_user("outsider")
    assert outsider.pk
    with pytest.raises(CommandError, match="outsider"):
        generate(capsys, "--user", "outsider")
