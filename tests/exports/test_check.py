"""`docket exports check` on a court bundle, offline and with no instance: it validates the
bag (zipped or unpacked), the checkpoint's signature and every custody proof, says what it
checked, and exits non-zero on an altered byte, a missing file or a forged proof. The
bundle carries the checkpoint's RFC 3161 token, which openssl verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docket.exports.check import check
from docket.vault import age
from tests.support.bundle import ask_and_approve, make_case, opened
from tests.support.personas import Team
from tests.support.tsa import authority

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def timestamps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with authority(tmp_path_factory.mktemp("tsa")) as served:
        yield served


def docket_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The `docket` command as a recipient runs it: no instance, no database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    return subprocess.run(
        [sys.executable, "-m", "docket", *args], capture_output=True, text=True, env=env
    )


def rewritten(source: Path, target: Path, change: Any) -> Path:
    """A copy of the zip with each member's bytes passed through `change(name, data)`
    (None drops the member)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
    return target


def test_the_check_accepts_a_whole_bundle_and_names_each_kind_of_tampering(
    team: Team,
    tmp_path: Path,
    settings: Any,
    timestamps: tuple[str, Path],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url, ca = timestamps
    settings.TSA_URL = url
    made = make_case(team)
    key = age.Identity.generate()
    export = ask_and_approve(made, key, django_capture_on_commit_callbacks, language="ru")
    bundle = opened(export, key, tmp_path)
    root = f"docket-case-{made.case.pk}-export-{export.pk}"

    good = docket_cli("exports", "check", str(bundle))
    assert good.returncode == 0, good.stderr
    lines = good.stdout.splitlines()
    assert f"BagIt bag {root}: valid" in lines and lines[-1] == "OK"
    assert any("signature good" in line for line in lines)
    assert any("every proof leads to the checkpoint" in line for line in lines)
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(bundle).extractall(unpacked)
    for where in (unpacked, unpacked / root):
        report = check(where)
        assert report.ok and report.kind == "case", report.problems
        assert report.items == len(made.originals) + len(made.clean)

    # The checkpoint's RFC 3161 token, checked with openssl alone.
    data = unpacked / root / "data"
    verified = subprocess.run(
        ["openssl", "ts", "-verify", "-token_in", "-in", str(data / "timestamp.tsr"), "-data",
         str(data / "checkpoint.txt"), "-CAfile", str(ca / "ca.pem"), "-untrusted",
         str(ca / "tsa.pem")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert "Verification: OK" in verified.stdout, verified.stderr

    # One byte of one original, inside the zip.
    photo = next(iter(made.clean))
    prefix = f"{root}/data/originals/{photo}-"

    def flip(name: str, content: bytes) -> bytes:
        return (
            content[:50] + bytes([content[50] ^ 1]) + content[51:]
            if name.startswith(prefix)
            else content
        )

    altered = docket_cli("exports", "check", str(rewritten(bundle, tmp_path / "a.zip", flip)))
    assert altered.returncode == 1
    assert "altered" in altered.stderr and f"data/originals/{photo}-" in altered.stderr

    # A file dropped from the payload, inside the zip.
    def drop(name: str, content: bytes) -> bytes | None:
        return None if name.endswith("/data/case.json") else content

    dropped = check(rewritten(bundle, tmp_path / "d.zip", drop))
    assert any(
        "data/case.json is in manifest-sha256.txt but missing" in p for p in dropped.problems
    )

    # A forged proof in the unpacked bag (its manifests rewritten to match, so that only the
    # proof can tell), and a file slipped into the payload.
    custody = data / "custody.jsonl"
    rows = custody.read_text().splitlines()
    forged = json.loads(rows[0])
    forged["proof"][0] = "00" * 32
    rows[0] = json.dumps(forged)
    custody.write_text("\n".join(rows) + "\n")
    import bagit

    bagit.Bag(str(unpacked / root)).save(manifests=True)
    report = check(unpacked)
    assert [p for p in report.problems if p.startswith("custody.jsonl line 1")], report.problems
    (data / "extra.txt").write_text("slipped in")
    report = check(unpacked / root)
    assert any("extra.txt" in p for p in report.problems), report.problems
    as_json = docket_cli("exports", "check", str(unpacked), "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["kind"] == "case"
