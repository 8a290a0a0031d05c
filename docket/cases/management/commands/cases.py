from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import Compartment, User
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.vault.keys import KeyUnavailable


class Command(BaseCommand):
    help = (
        "Case files: `generate` makes a fictional case over a compartment's generated register "
        "(evidence files in the vault, suspects, qualifications, the elements matrix filled, "
        "verification steps), for the demo."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        generate = verbs.add_parser(
            "generate", help="a fictional case over the generated register (after `docket "
            "register generate`)",
        )  # fmt: skip
        generate.add_argument("--compartment", required=True, metavar="NAME")
        generate.add_argument(
            "--seed", type=int, default=2020, help="what is chosen (the same for the same seed)"
        )
        generate.add_argument(
            "--user", metavar="NAME", help="who did the verification steps (default: the "
            "compartment's first analyst, else its first administrator)",
        )  # fmt: skip
        generate.add_argument("--json", action="store_true", help='print {"case": ID}')

    def handle(self, *args: Any, **options: Any) -> None:
        from docket.cases.generate import GenerateError, generate

        compartment = Compartment.objects.filter(name=options["compartment"]).first()
        if compartment is None:
            raise CommandError(f"no compartment {options['compartment']!r}")
        user = None
        if options["user"]:
            user = User.objects.filter(
                username=options["user"], grants__compartment=compartment
            ).first()
            if user is None:
                raise CommandError(
                    f"no user {options['user']!r} with a role in {compartment.name!r}"
                )
        try:
            result = generate(compartment, seed=options["seed"], user=user)
        except (GenerateError, KeyUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        case = result.case
        if options["json"]:
            sys.stdout.write(json.dumps({"case": case.pk}) + "\n")
            return
        self.stdout.write(
            f"case {case.pk} in {compartment.name}: {case.title} ({case.suspects.count()} "
            f"suspects, {case.qualifications.count()} qualifications, {case.cells.count()} "
            f"matrix cells, {len(result.items)} evidence files; fictional). "
            f"Its page: /cases/{case.pk}/"
        )
