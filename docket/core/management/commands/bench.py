from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from docket.core.bench import runner


class Command(BaseCommand):
    help = (
        "Benchmarks against a baseline measured in the same run: `ingest`, `verify`, "
        "`register`, `intake`, `enrich`, `names`, `duplicates`, `match`, `bundle`."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "which",
            choices=[
                "ingest",
                "verify",
                "register",
                "intake",
                "enrich",
                "names",
                "duplicates",
                "match",
                "bundle",
            ],
        )
        parser.add_argument("--json", action="store_true", help="print one JSON line")
        parser.add_argument(
            "--total-mb", type=int, default=2048, help="size of the generated data (2 GB)"
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=3,
            help="ingest: runs of each side, in alternating order; medians are reported (3)",
        )
        parser.add_argument(
            "--no-drop-caches",
            action="store_true",
            help="ingest: only sync before each side, even as root (the page cache is the "
            "whole machine's)",
        )
        parser.add_argument(
            "--workdir",
            type=Path,
            default=Path(".bench"),
            help="scratch directory on the disk to measure (default ./.bench)",
        )
        parser.add_argument("--clean", action="store_true", help="remove the workdir afterwards")
        parser.add_argument("--events", type=int, default=100_000, help="register: events")
        parser.add_argument("--persons", type=int, default=200_000, help="register: persons")
        parser.add_argument(
            "--views", default="", help="register: time only these views (comma-separated)"
        )
        parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--submissions", type=int, default=1000, help="intake: reports")
        parser.add_argument("--senders", type=int, default=50, help="intake: concurrent senders")
        parser.add_argument(
            "--argon2-memory-kib",
            type=int,
            default=None,
            help="intake: receipt hash memory (default: the production 65536)",
        )
        parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
        parser.add_argument(
            "--names", type=Path, help="names: a TSV of cluster and name (default: the dev set)"
        )
        parser.add_argument(
            "--no-baseline", action="store_true", help="names: skip nomenklatura's figures"
        )
        parser.add_argument(
            "--dedupe-persons",
            type=int,
            default=100_000,
            help="names: generated persons to find duplicates among (0: skip)",
        )
        parser.add_argument(
            "--dedupe-sample",
            type=int,
            default=2_000,
            help="names: records scored all against all to check the blocking",
        )
        parser.add_argument(
            "--baseline-venv", type=Path, default=Path(".venv-baseline"),
            help="names: the baseline's virtual environment (made on first use)",
        )  # fmt: skip
        parser.add_argument(
            "--hashes", type=int, default=1_000_000, help="duplicates: PDQ hashes to search"
        )
        parser.add_argument(
            "--items", type=int, default=100_000, help="match: items with a capture time and place"
        )
        parser.add_argument(
            "--match-events", type=int, default=10_000, help="match: events with a window"
        )
        parser.add_argument(
            "--sample", type=int, default=100, help="match: events checked by brute force"
        )
        parser.add_argument("--files", type=int, default=1000, help="enrich: mixed files")
        parser.add_argument(
            "--bundle-items", type=int, default=1000, help="bundle: items in the case"
        )
        parser.add_argument("--item-kb", type=int, default=50, help="bundle: KiB per item")
        parser.add_argument("--pages", type=int, default=10, help="enrich: pages to OCR")
        parser.add_argument(
            "--speech-minutes",
            type=float,
            default=10.0,
            help="enrich: minutes of generated be/ru/en speech to transcribe (default 10)",
        )
        parser.add_argument(
            "--no-speech", action="store_true", help="enrich: skip speech-to-text (minutes)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workdir = options["workdir"].absolute()
        if options["which"] == "duplicates":
            from docket.core.bench import duplicates

            result = duplicates.run(options["hashes"])
        elif options["which"] == "match":
            from docket.core.bench import match

            result = match.run(options["items"], options["match_events"], options["sample"])
        elif options["which"] == "names":
            from docket.core.bench import names

            result = names.run(
                options["names"], baseline=not options["no_baseline"],
                venv=options["baseline_venv"].absolute(),
                dedupe_persons=options["dedupe_persons"], dedupe_sample=options["dedupe_sample"],
            )  # fmt: skip
        elif options["which"] == "enrich":
            from docket.core.bench import enrich

            result = enrich.run(
                workdir,
                files=options["files"],
                pages=options["pages"],
                speech_minutes=0.0 if options["no_speech"] else options["speech_minutes"],
            )
        elif options["which"] == "intake":
            from docket.core.bench import intake

            if options["check"]:  # the second half, inside the benchmarked instance
                self.stdout.write(json.dumps(intake.check(options["check"])))
                return
            result = intake.run(
                workdir,
                submissions=options["submissions"],
                senders=options["senders"],
                argon2_memory_kib=options["argon2_memory_kib"],
            )
        elif options["which"] == "bundle":
            from docket.core.bench import bundle

            if options["measure"]:  # the second half, inside the benchmarked instance
                self.stdout.write(json.dumps(bundle.measure()))
                return
            result = bundle.run(workdir, items=options["bundle_items"], item_kb=options["item_kb"])
        elif options["which"] == "register":
            from docket.core.bench import register

            if options["measure"]:  # the second half, inside the benchmarked instance
                self.stdout.write(json.dumps(register.measure(options["views"])))
                return
            result = register.run(
                workdir, events=options["events"], persons=options["persons"],
                views=options["views"],
            )  # fmt: skip
        else:
            if options["which"] == "ingest":
                result = runner.ingest(
                    workdir, options["total_mb"], options["repeat"],
                    drop_caches=not options["no_drop_caches"],
                )  # fmt: skip
            else:
                result = runner.verify(workdir, options["total_mb"])
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key:>17}: {value}")
        if options["clean"]:
            shutil.rmtree(workdir, ignore_errors=True)
