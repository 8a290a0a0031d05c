from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from docket.vault.keys import KeyUnavailable
from docket.vault.verify import totals, verify


class Command(BaseCommand):
    help = (
        "Check every blob against its recorded hash and the whole custody log against its "
        "signed checkpoints. Exit 0 only if everything holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--deep",
            action="store_true",
            help="also decrypt every blob and re-hash the original (needs the passphrase)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        show = sys.stderr.isatty()
        entries, size = totals()
        log_bar = tqdm(
            total=entries, desc="custody log", unit="entry", disable=not show, file=sys.stderr
        )
        blob_bar = tqdm(
            total=size,
            desc="blobs",
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            disable=not show,
            file=sys.stderr,
        )
        try:
            with log_bar, blob_bar:
                report = verify(
                    deep=options["deep"], on_entry=log_bar.update, on_bytes=blob_bar.update
                )
        except KeyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            sys.stdout.write(json.dumps(report.as_json()) + "\n")
        else:
            self.stdout.write(
                f"{report.items} items, {report.entries} custody entries, "
                f"{report.checkpoints} checkpoints"
            )
            if report.unsealed_entries:
                self.stdout.write(
                    f"{report.unsealed_entries} entries await the next checkpoint "
                    "(`docket worker` or the next import seals them)"
                )
            if report.stray_blobs:
                self.stdout.write(f"{report.stray_blobs} stray blobs (no item; harmless)")
            for problem in report.problems:
                self.stderr.write(f"{problem['kind']} {problem['id']}: {problem['problem']}")
            self.stdout.write("OK" if report.ok else f"FAILED: {len(report.problems)} problems")
        if not report.ok:
            sys.exit(1)
