"""`docket match duplicates [--compartment C] [--json]`: the same picture across sources, as
groups of items per compartment (docs/analysis.md). One function per verb."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import Compartment


class Command(BaseCommand):
    help = "Match media: `docket match duplicates [--compartment C] --json`"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        duplicates = verbs.add_parser(
            "duplicates",
            help="compare the items of each compartment by PDQ hash, record the pairs found, "
            "and print the groups of the same picture, largest first",
        )
        duplicates.add_argument(
            "--compartment", action="append", metavar="NAME",
            help="only this compartment (repeat for more; default: all but the intake's)",
        )  # fmt: skip
        duplicates.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "duplicates":
            self.duplicates(options)

    def duplicates(self, options: dict[str, Any]) -> None:
        from django.conf import settings

        from docket.enrich import neardup
        from docket.vault.models import Item

        wanted = options["compartment"]
        if wanted:
            compartments = list(Compartment.objects.filter(name__in=wanted).order_by("name"))
            missing = sorted(set(wanted) - {c.name for c in compartments})
            if missing:
                raise CommandError(f"no compartment {missing[0]!r}", returncode=2)
        else:
            compartments = list(
                Compartment.objects.exclude(name=settings.INTAKE_COMPARTMENT).order_by("name")
            )
        scanned = [neardup.rescan(c) for c in compartments]
        found = neardup.groups(compartments)
        sha = dict(
            Item.objects.filter(pk__in={pk for g in found for pk in g.items}).values_list(
                "pk", "sha256"
            )
        )
        if options["json"]:
            groups = [
                {
                    "compartment": g.compartment.name,
                    "items": [{"item": pk, "sha256": sha[pk]} for pk in g.items],
                }
                for g in found
            ]
            self.stdout.write(json.dumps({"groups": groups}))
            return
        for number, group in enumerate(found, start=1):
            self.stdout.write(
                f"group {number}: {len(group.items)} items in {group.compartment.name}"
            )
            for pk in group.items:
                self.stdout.write(f"  item {pk}\t{sha[pk]}")
        hashes = sum(s["hashes"] for s in scanned)
        self.stdout.write(
            f"{len(found)} groups; {hashes} hashes of quality 50 or more compared in "
            f"{len(compartments)} compartments"
        )
