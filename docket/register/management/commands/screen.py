"""`docket screen FILE --compartment C`: the screening page's answer from the console (the
policy is in docket/register/screening.py: for human review, counts audited, list not kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts import audit
from docket.accounts.models import Compartment
from docket.analysis import pairs
from docket.analysis.screening import MAX_NAMES
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.register import screening


class Command(BaseCommand):
    help = (
        "Screen a list of names against the persons of compartments: each name's possible "
        "matches, for human review only. Audited with counts; the list is not kept."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="UTF-8 TSV or CSV with columns id and name")
        parser.add_argument(
            "--compartment", action="append", required=True, metavar="NAME",
            help="a compartment whose persons are screened (repeat for more)",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            entries = pairs.read(path.read_bytes(), path.name)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from None
        except pairs.BadInput as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        compartments = self._compartments(options["compartment"])
        try:
            results = screening.screen(entries, compartments)
        except screening.TooMany as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        for compartment in compartments:
            details = {**screening.audit_details(results, compartment), "via": "console"}
            audit.record_system(None, "register.screen", compartment=compartment, details=details)
        if options["json"]:
            answer = {"names": [s.as_json() for s in results]}
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
            return
        self._print(results)

    def _compartments(self, wanted: list[str]) -> list[Compartment]:
        found = list(Compartment.objects.filter(name__in=wanted))
        missing = set(wanted) - {c.name for c in found}
        if missing:
            raise CommandError(f"no compartment {', '.join(sorted(missing))}", returncode=2)
        return found

    def _print(self, results: list[screening.Screened]) -> None:
        for screened in results:
            self.stdout.write(f"{screened.entry.id}\t{screened.entry.name.text}")
            for m in screened.matches:
                self.stdout.write(
                    f"\t{m.score:.3f}\tperson {m.person.pk} ({m.person.compartment.name})\t"
                    f"{m.person.display_name}\t{m.events} events, {m.evidence} evidence\t"
                    f"{'; '.join(m.why)}"
                )
        matched = sum(1 for s in results if s.matches)
        self.stdout.write(
            f"{len(results)} names screened (at most {MAX_NAMES}), {matched} with possible "
            "matches: for human review only, never a verdict"
        )
