"""`docket persons duplicates --compartment C`: the compartment's persons that may be one."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import Compartment
from docket.register import duplicates
from docket.register.models import Person


class Command(BaseCommand):
    help = "The register's persons: `docket persons duplicates --compartment C --json`"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        found = verbs.add_parser(
            "duplicates",
            help="print the pairs of the compartment's persons that may be one, best first",
        )
        found.add_argument("--compartment", required=True, metavar="NAME")
        found.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        compartment = Compartment.objects.filter(name=options["compartment"]).first()
        if compartment is None:
            raise CommandError(f"no compartment {options['compartment']!r}", returncode=2)
        found = duplicates.candidates(compartment.pk)
        if options["json"]:
            self.stdout.write(
                json.dumps({"pairs": [c.as_json() for c in found]}, ensure_ascii=False)
            )
            return
        shown = dict(
            Person.objects.filter(compartment=compartment).values_list("pk", "display_name")
        )
        for c in found:
            self.stdout.write(
                f"{c.score:.3f}\t{c.a}\t{c.b}\t{c.decision or '-'}\t{shown.get(c.a)} ~ "
                f"{shown.get(c.b)}\t{'; '.join(c.why)}"
            )
        self.stdout.write(f"{len(found)} possible duplicates in {compartment.name}")
