from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from docket.accounts import audit
from docket.accounts.models import Compartment
from docket.lib.commands import COMMAND_LINE_CHECKS


class Command(BaseCommand):
    help = "Compartments (need-to-know boundaries): `add`, `list`."
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        add = verbs.add_parser("add", help="create a compartment")
        add.add_argument("name")
        add.add_argument("--description", default="")
        listing = verbs.add_parser("list")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "add":
            name = options["name"]
            if slugify(name) != name:
                raise CommandError(
                    "a compartment name is lower-case letters, digits and '-': "
                    f"try {slugify(name)!r}"
                )
            compartment, created = Compartment.objects.get_or_create(
                name=name, defaults={"description": options["description"]}
            )
            if created:
                audit.record_system(None, "compartment.add", compartment, compartment=compartment)
            self.stdout.write(f"compartment {name} {'created' if created else 'exists already'}")
            return
        rows = [
            {"name": c.name, "description": c.description, "items": c.items.count()}
            for c in Compartment.objects.order_by("name")
        ]
        if options["json"]:
            sys.stdout.write(json.dumps(rows) + "\n")
        else:
            for row in rows:
                self.stdout.write(
                    f"{row['name']:<24} {row['items']:>8} items  {row['description']}"
                )
