from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from docket.exports.check import check
from docket.exports.models import Export


class Command(BaseCommand):
    help = (
        "Exports: `list` the exports of this instance; `check PACKAGE` checks a decrypted "
        "export package (zip or folder; a court bundle's bag too) offline. Exports are asked "
        "for and approved in the web interface (two-person rule)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        listing = verbs.add_parser("list", help="every export, newest first")
        listing.add_argument("--json", action="store_true")
        checking = verbs.add_parser("check", help="check a decrypted package (no database)")
        checking.add_argument("package", type=Path, help="the .zip, or the folder it unpacked to")
        checking.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "check":
            report = check(options["package"])
            if options["json"]:
                sys.stdout.write(json.dumps(report.as_json()) + "\n")
            else:
                for line in report.checked:
                    self.stdout.write(line)
                self.stdout.write(
                    f"{report.items} items, {report.entries} custody entries, "
                    f"checkpoint of {report.tree_size} entries"
                )
                self.stdout.write(f"signed by {report.verifier_key or '(unknown)'}")
                self.stdout.write("  compare it with the key the organisation publishes")
                for problem in report.problems:
                    self.stderr.write(f"PROBLEM {problem}")
                self.stdout.write("OK" if report.ok else f"{len(report.problems)} problem(s)")
            if not report.ok:
                raise SystemExit(1)
            return
        rows = [
            {
                "id": e.pk,
                "compartment": e.compartment.name,
                "kind": e.kind,
                "case": e.case_id,
                "state": e.state,
                "requested_by": e.requested_by.get_username() if e.requested_by else "",
                "requested_at": e.requested_at.isoformat(),
                "recipient_label": e.recipient_label,
                "items": e.done,
                "size": e.size,
            }
            for e in Export.objects.select_related("compartment", "requested_by")
        ]
        if options["json"]:
            sys.stdout.write(json.dumps(rows) + "\n")
            return
        if not rows:
            self.stdout.write("no exports")
        for row in rows:
            self.stdout.write(
                f"{row['id']:>5}  {row['state']:<9} {row['kind']:<11} {row['compartment']:<20} "
                f"{row['items']:>6} items  by {row['requested_by']} for {row['recipient_label']}"
            )
