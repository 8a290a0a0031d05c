"""`docket names pairs FILE`: the pairs of a list of names that may be one person. Needs no
instance and opens no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.analysis import names, pairs


class Command(BaseCommand):
    help = "Names across scripts and spellings: `docket names pairs FILE --json`"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        found = verbs.add_parser(
            "pairs",
            help="print the pairs of a TSV or CSV (columns id and name) that may be one person",
        )
        found.add_argument("file", type=Path, help="UTF-8 TSV or CSV with columns id and name")
        found.add_argument("--json", action="store_true", help="print JSON")
        found.add_argument(
            "--threshold", type=float, default=names.THRESHOLD,
            help=f"the lowest score printed (default {names.THRESHOLD}, the benchmark's)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        threshold: float = options["threshold"]
        if not 0 <= threshold <= 1:
            raise CommandError("the threshold is a score between 0 and 1", returncode=2)
        try:
            entries = pairs.read(path.read_bytes(), path.name)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from None
        except pairs.BadInput as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        found = pairs.pairs(entries, threshold)
        if options["json"]:
            self.stdout.write(
                json.dumps({"pairs": [p.as_json() for p in found]}, ensure_ascii=False)
            )
            return
        for pair in found:
            self.stdout.write(f"{pair.score:.3f}\t{pair.a}\t{pair.b}\t{'; '.join(pair.why)}")
        self.stdout.write(f"{len(found)} pairs at or above {threshold} among {len(entries)} names")
