from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import Compartment
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.register import media_leads, mentions
from docket.register.generate import Generator, add_anchors
from docket.register.models import Event


class Command(BaseCommand):
    help = (
        "The register: `generate` fills a compartment with a clearly fictional dataset "
        "(for the demo and the benchmark); `mentions` looks again for its persons and units "
        "in all its items and events; `leads` computes the media that may show its events "
        "again (DOCKET_MATCH_HOURS, DOCKET_MATCH_KM)."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        generate = verbs.add_parser("generate", help="fictional events, acts, persons, units")
        generate.add_argument("--compartment", required=True, metavar="NAME")
        generate.add_argument("--events", type=int, default=300)
        generate.add_argument("--persons", type=int, default=1000)
        generate.add_argument("--seed", type=int, default=2020)
        generate.add_argument("--json", action="store_true")
        generate.add_argument(
            "--anchors",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="also the demo's anchor events, where its sample media were taken (default)",
        )
        generate.add_argument(
            "--if-empty", action="store_true", help="do nothing if the compartment has events"
        )
        found = verbs.add_parser("mentions", help="find persons and units named in the texts")
        found.add_argument("--compartment", required=True, metavar="NAME")
        found.add_argument("--json", action="store_true")
        media = verbs.add_parser(
            "leads", help="compute media and incidents again: the items that may show events"
        )
        media.add_argument(
            "--compartment", metavar="NAME", help="one compartment (default: every one with data)"
        )
        media.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "leads":
            self._leads(options["compartment"], as_json=options["json"])
            return
        compartment = Compartment.objects.filter(name=options["compartment"]).first()
        if compartment is None:
            raise CommandError(f"no compartment {options['compartment']!r}")
        if options["verb"] == "mentions":
            self._mentions(compartment, as_json=options["json"])
            return
        if options["if_empty"] and Event.objects.filter(compartment=compartment).exists():
            self.stdout.write(f"{compartment.name} has events already: nothing generated")
            return
        if options["events"] < 0 or options["persons"] < 2:
            raise CommandError("--events must be 0 or more and --persons at least 2")

        def progress(what: str, count: int) -> None:
            if not options["json"]:
                self.stderr.write(f"  {count} {what}")

        counts = Generator(compartment, seed=options["seed"]).run(
            events=options["events"], persons=options["persons"], progress=progress
        )
        anchors = add_anchors(compartment) if options["anchors"] else 0
        if options["json"]:
            sys.stdout.write(json.dumps({**counts.as_json(), "anchors": anchors}) + "\n")
        else:
            self.stdout.write(
                f"generated {counts.events} events, {counts.acts} acts, {counts.persons} "
                f"persons and {counts.units} units in {compartment.name} (fictional)"
            )
            if anchors:
                self.stdout.write(
                    f"and {anchors} anchor events where the sample media were taken "
                    "(import references demo-anchor-1…)"
                )

    def _mentions(self, compartment: Compartment, *, as_json: bool) -> None:
        counts = mentions.rescan(compartment)
        if as_json:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"read {counts['items']} items and {counts['events']} events of "
                f"{compartment.name} for {counts['persons']} persons and {counts['units']} "
                f"units: {counts['suggested']} mentions wait for a decision"
            )

    def _leads(self, name: str | None, *, as_json: bool) -> None:
        """Each compartment's media leads computed again from its captures and events."""
        if name is not None:
            compartment = Compartment.objects.filter(name=name).first()
            if compartment is None:
                raise CommandError(f"no compartment {name!r}")
            chosen = [compartment]
        else:
            chosen = list(Compartment.objects.order_by("name"))
        counts = {c.name: media_leads.recompute(c) for c in chosen}
        if as_json:
            self.stdout.write(json.dumps({"compartments": counts}))
            return
        for compartment_name, found in counts.items():
            self.stdout.write(
                f"{compartment_name}: {found['matches']} matches, {found['new']} new, "
                f"{found['removed']} no longer matching removed, {found['suggested']} wait "
                "for a decision"
            )
