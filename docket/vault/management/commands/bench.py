from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from docket.bench import runner


class Command(BaseCommand):
    help = "Benchmarks against a baseline measured in the same run: `ingest`, `verify`."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("which", choices=["ingest", "verify"])
        parser.add_argument("--json", action="store_true", help="print one JSON line")
        parser.add_argument(
            "--total-mb", type=int, default=2048, help="size of the generated data (2 GB)"
        )
        parser.add_argument(
            "--workdir",
            type=Path,
            default=Path(".bench"),
            help="scratch directory on the disk to measure (default ./.bench)",
        )
        parser.add_argument("--clean", action="store_true", help="remove the workdir afterwards")

    def handle(self, *args: Any, **options: Any) -> None:
        workdir = options["workdir"].absolute()
        run = runner.ingest if options["which"] == "ingest" else runner.verify
        result = run(workdir, options["total_mb"])
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key:>17}: {value}")
        if options["clean"]:
            shutil.rmtree(workdir, ignore_errors=True)
