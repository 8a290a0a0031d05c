"""`docket units chain UNIT_ID --at YYYY-MM-DD [--json]`: who commanded a unit on a date, up
the chain of the units it was under then, with the evidence and grading of each posting and
the gaps where no commander is recorded. Each read is audited (`unit.chain`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts import audit
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.register import chain
from docket.register.models import Unit


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at wants a date as YYYY-MM-DD, not {text!r}", returncode=2) from None


class Command(BaseCommand):
    help = "The register's units: `docket units chain UNIT_ID --at YYYY-MM-DD --json`"
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        found = verbs.add_parser(
            "chain", help="the unit's commanders on a date, then its parents' as they were then"
        )
        found.add_argument("unit", type=int, metavar="UNIT_ID")
        found.add_argument("--at", required=True, metavar="YYYY-MM-DD", help="the date")
        found.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["at"])
        unit = Unit.objects.filter(pk=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit {options['unit']}", returncode=2)
        audit.record_system(
            None, "unit.chain", unit, details={"at": day.isoformat(), "via": "console"}
        )
        if options["json"]:
            self.stdout.write(json.dumps(chain.as_json(unit, day), ensure_ascii=False))
            return
        for depth, level in enumerate(chain.chain_at(unit, day)):
            indent = "  " * depth
            self.stdout.write(f"{indent}{level.unit.name} (#{level.unit.pk})")
            for m in level.commanders:
                when = f"{m.start_shown or '?'} – {m.end_shown}".rstrip()
                grading = m.grading or "not graded"
                evidence = m.evidence_count  # type: ignore[attr-defined]
                self.stdout.write(
                    f"{indent}  {m.person.display_name} (#{m.person_id})"
                    f"{', ' + m.position if m.position else ''}: {when}; {grading}; "
                    f"{evidence} evidence link{'s' if evidence != 1 else ''}"
                )
            if level.gap:
                self.stdout.write(f"{indent}  {level.gap_text}")
