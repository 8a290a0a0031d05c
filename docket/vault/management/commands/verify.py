from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.vault.keys import KeyUnavailable
from docket.vault.verify import totals, verify


class Command(BaseCommand):
    help = (
        "Check every blob against its recorded hash and the whole custody log against its "
        "signed checkpoints, and against a checkpoint kept outside with --against. "
        "Exit 0 only if everything holds."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--deep",
            action="store_true",
            help="also decrypt every blob and re-hash the original (needs the passphrase)",
        )
        parser.add_argument(
            "--against",
            type=Path,
            metavar="FILE",
            help="a checkpoint kept outside (what `docket log head` printed, or an export's "
            "checkpoint.txt): fail unless it is signed by the log key and the log extends it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        against = _read_kept(options["against"]) if options["against"] else None
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
                    deep=options["deep"],
                    on_entry=log_bar.update,
                    on_bytes=blob_bar.update,
                    against=against,
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


def _read_kept(path: Path) -> str:
    """The kept checkpoint's text; bytes that are not UTF-8 make its signature fail, not verify."""
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError as exc:
        raise CommandError(f"cannot read the kept checkpoint {path}: {exc.strerror}") from exc
