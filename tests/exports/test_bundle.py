"""A case's court bundle: asked for and approved by two people, it opens only with the
recipient's key and holds a BagIt 1.0 bag that the `bagit` library and its command validate
(and refuse once a byte changes), with each item's record, the case, custody proofs and a PDF
report in the requester's language; never a sender's contact, never another case's items."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.utils import translation
from django.utils.translation import gettext

from docket.accounts.models import Grant, Role
from docket.exports import views
from docket.exports.check import check
from docket.exports.models import Export
from docket.vault import age
from docket.vault.models import CustodyEntry
from tests.support.bundle import (
    CONTACT,
    NOTE,
    PSEUDONYM,
    SENDER_TEXT,
    SERIAL,
    TITLE,
    ask_and_approve,
    client_of,
    make_case,
    opened,
)
from tests.support.personas import Team

pytestmark = pytest.mark.slow


def test_the_court_bundle_is_a_valid_bag_of_the_cases_evidence_and_nothing_else(
    team: Team, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    made = make_case(team)
    key = age.Identity.generate()
    export = ask_and_approve(made, key, django_capture_on_commit_callbacks)
    assert export.kind == Export.Kind.CASE and export.done == export.total == len(made.originals)
    package = opened(export, key, tmp_path)
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(package).extractall(unpacked)
    [root] = list(unpacked.iterdir())
    assert root.name == f"docket-case-{made.case.pk}-export-{export.pk}"

    bag = bagit.Bag(str(root))
    bag.validate()  # raises BagValidationError on any mismatch
    assert bag.version == "1.0" and set(bag.algorithms) == {"sha256", "sha512"}
    info = bag.info
    assert info["External-Identifier"] == made.case.reference
    assert info["Source-Organization"] and info["Internal-Sender-Description"] == TITLE
    assert info["Bag-Count"] == "1 of 1"
    assert (root / "tagmanifest-sha512.txt").read_text().count("  ") == 4

    # Only the case's items, each once, byte for byte, and the photo's metadata-free copy.
    data = root / "data"
    files = {p.name.split("-")[0]: p for p in (data / "originals").iterdir()}
    assert set(files) == {str(pk) for pk in made.originals}
    for pk, content in made.originals.items():
        assert files[str(pk)].read_bytes() == content
    [clean] = list((data / "clean").iterdir())
    assert clean.read_bytes() == next(iter(made.clean.values()))
    # named ID-clean-COPY.EXT as docs/exports.md says, the extension its type's (not .bin)
    assert re.fullmatch(rf"{next(iter(made.clean))}-clean-\d+\.jpg", clean.name), clean.name
    assert (data / "README.txt").read_text().endswith("\n")
    for outside in made.outside:
        assert not (data / "records" / f"{outside.pk}.json").exists()

    # Each record: e-Court fields, both hashes, capture with its evidence, grading, steps.
    photo = next(iter(made.clean))
    record = json.loads((data / "records" / f"{photo}.json").read_text())
    assert record["document_id"] == f"{made.case.reference}-ITEM-{photo}"
    assert {"date", "title", "type", "source"} <= set(record)
    assert record["sha512"] == bag.entries[record["file"]]["sha512"]
    assert record["capture"]["time_evidence"] == "EXIF OffsetTime"
    assert record["capture"]["place"]["latitude"] == pytest.approx(53.8617)
    assert {("source", PSEUDONYM), ("grading", "B2")} <= record["source"]["accounts"][0].items()
    steps = [(s["step"], s["method"], s["result"], s["by"]) for s in record["verification"]]
    assert ("technical", "geolocation", "confirms", "owner") in steps and len(steps) == 2
    [derived] = record["derived"]
    assert derived["kind"] == "clean-copy" and derived["file"].startswith("data/clean/")
    sent = json.loads((data / "records" / f"{made.intake_item}.json").read_text())
    assert sent["source"]["channel"].startswith("public intake")
    assert sent["capture"]["place"] is None and sent["verification"] == []

    case = json.loads((data / "case.json").read_text())
    assert case["title"] == TITLE and len(case["suspects"]) == 2
    [cell] = [e for e in case["qualifications"][0]["elements"] if e["code"] == "1"]
    assert cell["status"] == "sufficient" and cell["note"] == NOTE

    # Nothing of the intake's sealed side anywhere in the bag, in any file.
    for path in root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for secret in (CONTACT, SENDER_TEXT, SERIAL, "hidden.sender"):
                assert secret.encode() not in content, (secret, path)

    # The PDF gives back the Belarusian title and the Russian note.
    text = subprocess.run(
        ["pdftotext", str(data / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    flat = " ".join(text.split())
    assert TITLE in flat and NOTE in flat
    assert "Геалакацыя" in flat or "Geolocation" in flat
    # An account with no source is called anonymous, in the reader's language, not "?".
    with translation.override("be"):
        anonymous, label, todo = (
            gettext(text) for text in ("anonymous source", "Not verified yet:", "to do:")
        )
        custody = gettext("Custody of each item")
        elements, evidence = gettext("Elements of the crimes"), gettext("Evidence")
        graded = gettext("graded %(graded)s") % {"graded": "B2"}
        act_word = gettext("Act")
    assert f"{anonymous} C3" in flat and "; ? C3" not in flat
    # The matrix's evidence column holds the cell's acts and sources' accounts with their
    # grading, as the case page does, not only its items.
    matrix = flat.split(elements, 1)[1].split(f" {evidence} ", 1)[0]
    assert f"{PSEUDONYM}, {graded}" in matrix
    [act] = made.case.acts.all()
    assert f"{act_word} {act.pk}:" in matrix
    # Verified is told per evidence link, as on the case page: the photo has two steps of
    # three, so it is listed with the step still to do (not only items with no step at all).
    unverified = flat.split(label, 1)[1].split(custody, 1)[0]
    assert re.search(rf"\b{photo}\b", unverified) and todo in unverified

    # The custody proofs hold, and every packed file's reads by the export are among them.
    report = check(root)
    assert report.ok, report.problems
    assert report.items == len(made.originals) + len(made.clean)
    reads = CustodyEntry.objects.filter(action="read").values_list("leaf", flat=True)
    assert sum(f'"export:{export.pk}"'.encode() in bytes(r) for r in reads) == 5

    # The checkpoint's signature, checked as docs/exports.md shows: openssl and a shell.
    docs = (Path(__file__).parents[2] / "docs" / "exports.md").read_text()
    recipe = docs.split("or with `openssl`", 1)[1].split("```\n", 2)[1]
    recipe = recipe.replace("docket-case-3-export-7", root.name)
    signed = subprocess.run(["sh", "-c", recipe], cwd=unpacked, capture_output=True, text=True)
    assert "Signature Verified Successfully" in signed.stdout, signed.stderr
    (unpacked / "note.txt").write_text("forged\n")
    forged = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "log.pem", "-rawin", "-in",
         "note.txt", "-sigfile", "note.sig"], cwd=unpacked, capture_output=True, text=True,
    )  # fmt: skip
    assert forged.returncode != 0

    # The command-line validator agrees, then refuses the bag once one byte has changed.
    tool = Path(sys.executable).with_name("bagit.py")
    good = subprocess.run([str(tool), "--validate", str(root)], capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    victim = files[str(photo)]
    flipped = bytearray(victim.read_bytes())
    flipped[100] ^= 1
    victim.write_bytes(bytes(flipped))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(root)).validate()
    bad = subprocess.run([str(tool), "--validate", str(root)], capture_output=True, text=True)
    assert bad.returncode != 0


def test_the_exports_page_asks_for_a_bundle_of_a_case_and_says_what_is_wrong(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = make_case(team)
    assert made.lena is not None
    client = client_of(made.lena)
    page = client.get(f"/exports/?case={made.case.pk}").content.decode()
    assert 'value="case" selected' in page and f'value="{made.case.pk}" selected' in page
    assert f"Ask for the court bundle of {made.case.title}" in page  # not a blank "export"
    recipient = str(age.Identity.generate().recipient())
    base = {"recipient": recipient, "recipient_label": "x", "reason": "y"}
    missing = client.post("/exports/", {**base, "kind": "case"}).content.decode()
    assert "A court bundle is of one case" in missing
    wrong = client.post(
        "/exports/", {**base, "kind": "case", "case": made.case.pk, "compartment": team.b.pk}
    ).content.decode()
    assert "Select a valid choice" in wrong  # B is not hers to export
    Grant.objects.create(user=made.lena, compartment=team.b, role=Role.LEGAL)
    client = client_of(made.lena)
    other = client.post(
        "/exports/", {**base, "kind": "case", "case": made.case.pk, "compartment": team.b.pk}
    ).content.decode()
    assert f"This case belongs to the compartment {team.a.name}" in other
    # A malformed key is told in the page's language (the message goes through gettext).
    monkeypatch.setattr(views, "gettext", lambda text: f"[be] {text}")
    malformed = client.post(
        "/exports/", {**base, "recipient": "age1notakey", "kind": "case", "case": made.case.pk}
    ).content.decode()
    assert "[be] That is not an age public key" in malformed
    monkeypatch.undo()
    asked = client.post("/exports/", {**base, "kind": "case", "case": made.case.pk})
    export = Export.objects.get()
    assert asked["Location"] == f"/exports/{export.pk}/"
    assert export.compartment == team.a and export.case == made.case
    assert export.min_confidence == ""
    detail = client.get(f"/exports/{export.pk}/").content.decode()
    assert made.case.title in detail and "court bundle" in detail
    assert made.case.title in client.get("/exports/").content.decode()
    # The approver is told that a court bundle is one of the things two people decide.
    assert made.dasha is not None
    waiting = client_of(made.dasha).get("/accounts/approvals/").content.decode()
    assert "a case's court bundle, a sanctions list, a public report" in waiting
    assert made.case.title in waiting
    approver = client_of(made.dasha)  # type: ignore[arg-type]
    approval = approver.get(f"/accounts/approvals/{export.approval.pk}/").content.decode()
    assert "court bundle of the case" in approval and made.case.reference in approval
    # An outsider's cases are not offered, and a case from elsewhere is refused.
    outsider = client_of(team.outsider).get(f"/exports/?case={made.case.pk}")
    assert outsider.status_code == 404 or made.case.title not in outsider.content.decode()
    sanctions = client.post("/exports/", {**base, "kind": "sanctions", "case": made.case.pk})
    assert sanctions.status_code == 302
    assert Export.objects.get(kind="sanctions").min_confidence == "established"


def test_the_bundle_holds_nothing_of_another_compartment_even_if_the_case_links_it(
    team: Team, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """The pages refuse to link another compartment's rows to a case; a row linked some other
    way (the console, a bug, a record moved) must still stay out of what leaves."""
    from docket.cases.models import Cell, Suspect
    from docket.register.models import Act, Event, EvidenceLink, Information, Person, Term, Unit
    from docket.vault.store import store

    made = make_case(team)
    b = team.b
    event = Event.objects.create(compartment=b, title="Hrodna-secret-event")
    victim = Person.objects.create(compartment=b, display_name="Hrodna-secret-victim")
    kind = Term.objects.get(vocabulary="act_type", code="10")
    act = Act.objects.create(compartment=b, event=event, victim=victim, act_type=kind)
    officer = Person.objects.create(compartment=b, display_name="Hrodna-secret-officer")
    unit = Unit.objects.create(compartment=b, name="Hrodna-secret-unit")
    item = store(__import__("io").BytesIO(b"hrodna bytes"), actor="t", compartment=b).item
    link = EvidenceLink.objects.create(
        compartment=b, item=item, event=event, annotation="Hrodna-secret-span"
    )
    source = Person.objects.create(compartment=b, display_name="Hrodna-secret-source")
    account = Information.objects.create(compartment=b, event=event, source=source, summary="s")
    case = made.case
    case.events.add(event)
    case.acts.add(act)
    Suspect.objects.create(case=case, compartment=case.compartment, person=officer,
                           liability=Suspect.Liability.COMMITTED)  # fmt: skip
    Suspect.objects.create(case=case, compartment=case.compartment, unit=unit,
                           liability=Suspect.Liability.AIDED)  # fmt: skip
    for suspect in case.suspects.all():
        suspect.evidence.add(link)
    cell = Cell.objects.get(case=case)
    cell.evidence.add(link)
    cell.acts.add(act)
    cell.information.add(account)

    key = age.Identity.generate()
    export = ask_and_approve(made, key, django_capture_on_commit_callbacks)
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(opened(export, key, tmp_path)).extractall(unpacked)
    [root] = list(unpacked.iterdir())
    data = root / "data"
    text = "".join(
        path.read_text(errors="replace") for path in root.rglob("*") if path.suffix != ".pdf"
        and path.is_file()
    )  # fmt: skip
    text += subprocess.run(
        ["pdftotext", str(data / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Hrodna-secret" not in text
    whole = json.loads((data / "case.json").read_text())
    assert event.pk not in [e["id"] for e in whole["incidents"]["events"]]
    assert act.pk not in [a["id"] for a in whole["incidents"]["acts"]]
    cells = [e for q in whole["qualifications"] for e in q["elements"]]
    assert all(link.pk not in [x["evidence_link"] for x in c["evidence"]] for c in cells)
    assert all(act.pk not in c["acts"] and account.pk not in c["information"] for c in cells)
    assert all(
        link.pk not in [x["evidence_link"] for x in s["evidence"]] for s in whole["suspects"]
    )
    bagit.Bag(str(root)).validate()
