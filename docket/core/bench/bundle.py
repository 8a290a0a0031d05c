"""`docket bench bundle`: the build time and size of a court bundle of many items.

1. A fresh instance in WORKDIR/bundle; `--bundle-items` (1,000) files of random bytes of
   `--item-kb` (50) KiB each are imported into a compartment (not timed).
2. Inside the instance's own process: a case whose one event has every item as evidence,
   asked for by one user and approved by another, then built (`build.build`, what the worker
   runs): every original decrypted from the vault with a custody entry, hashed twice, written
   into the bag with a record each, the case, custody proofs and the PDF report, encrypted as
   written. Timed, with the package's size.
3. The baseline, in the same run over the same files: coreutils `sha256sum` and `sha512sum`,
   and `age -r` encrypting their concatenation once: the least any tool does to hash and
   encrypt these bytes. One JSON line; ratio = baseline_seconds / seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

COMPARTMENT = "bench-bundle"


def run(workdir: Path, *, items: int, item_kb: int) -> dict[str, Any]:
    root = workdir / "bundle"
    if root.exists():
        shutil.rmtree(root)
    files = root / "files"
    files.mkdir(parents=True)
    for number in range(items):
        (files / f"item-{number:05d}.bin").write_bytes(os.urandom(item_kb * 1024))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(root / "instance")
    env["DOCKET_VAULT_PASSPHRASE"] = "bench passphrase, not a secret"  # noqa: S105
    docket = [sys.executable, "-m", "docket"]

    def call(*args: str) -> str:
        done = subprocess.run([*docket, *args], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"docket {' '.join(args)}: {done.stderr.strip()[-2000:]}")
        return done.stdout

    call("init", "--scrypt-work-factor", "10")
    call("compartments", "add", COMPARTMENT)
    call("import", "files", str(files), "--compartment", COMPARTMENT, "--json")
    result: dict[str, Any] = json.loads(call("bench", "bundle", "--measure").splitlines()[-1])

    paths = sorted(str(p) for p in files.iterdir())
    recipient = (
        subprocess.run(["age-keygen"], capture_output=True, text=True, check=True)
        .stderr.split("Public key: ")[-1]
        .strip()
    )
    started = time.perf_counter()
    for algorithm in ("sha256sum", "sha512sum"):
        for start in range(0, len(paths), 500):
            subprocess.run(
                [algorithm, "--", *paths[start : start + 500]],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
    with subprocess.Popen(
        ["age", "-r", recipient, "-o", str(root / "baseline.age")], stdin=subprocess.PIPE
    ) as sealed:
        assert sealed.stdin is not None
        for path in paths:
            with open(path, "rb") as handle:
                shutil.copyfileobj(handle, sealed.stdin)
        sealed.stdin.close()
    baseline = time.perf_counter() - started
    result.update(
        payload_mb=round(items * item_kb * 1024 / 1e6, 1),
        baseline_seconds=round(baseline, 2),
        ratio=round(baseline / result["seconds"], 3),
    )
    return result


def measure() -> dict[str, Any]:
    """Inside the instance's own process (Django set up): ask, approve, build, time it."""
    from django.db import transaction
    from django.utils import timezone

    from docket.accounts import approvals
    from docket.accounts.models import Compartment, Grant, Role, User
    from docket.cases.models import Case
    from docket.exports import build
    from docket.exports.models import Export
    from docket.lib import pdf
    from docket.register import history
    from docket.register.models import Event, EvidenceLink
    from docket.vault import age
    from docket.vault.models import Item

    compartment = Compartment.objects.get(name=COMPARTMENT)
    asker = User.objects.create_user("bench-legal")
    approver = User.objects.create_user("bench-admin")
    Grant.objects.create(user=asker, compartment=compartment, role=Role.LEGAL)
    Grant.objects.create(user=approver, compartment=compartment, role=Role.ADMIN)
    event = history.save(
        Event(compartment=compartment, title="Bench event", start=timezone.now()), actor=asker
    )
    with transaction.atomic():
        EvidenceLink.objects.bulk_create(
            EvidenceLink(compartment=compartment, item=item, event=event)
            for item in Item.objects.filter(compartment=compartment)
        )
    case = history.save(
        Case(compartment=compartment, title="Бенчмарк: справа", summary="A generated case."),
        actor=asker, m2m={"events": [event]},
    )  # fmt: skip
    key = age.Identity.generate()
    export = build.ask(
        asker, compartment, recipient=str(key.recipient()), recipient_label="bench",
        reason="benchmark", kind=Export.Kind.CASE, case=case,
    )  # fmt: skip
    approvals.decide(
        approver, export.approval, approve=True,
        recipient_check=approvals.fingerprint(export.recipient)[-8:],
    )  # fmt: skip
    export.refresh_from_db()
    # The report's share of the time: pdf.render timed where the packer calls it.
    laid_out: list[float] = []
    render = pdf.render

    def timed(html: str, **options: Any) -> bytes:
        begun = time.perf_counter()
        try:
            return render(html, **options)
        finally:
            laid_out.append(time.perf_counter() - begun)

    pdf.render = timed
    try:
        started = time.perf_counter()
        build.build(export)
        seconds = time.perf_counter() - started
    finally:
        pdf.render = render
    export.refresh_from_db()
    return {
        "items": export.done,
        "seconds": round(seconds, 2),
        "pdf_seconds": round(sum(laid_out), 2),
        "package_mb": round((export.size or 0) / 1e6, 1),
        "items_per_second": round(export.done / seconds, 1),
    }
