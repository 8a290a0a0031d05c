from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from docket.accounts.models import Compartment
from docket.ingest.files import Found, Summary, import_files, walk
from docket.ingest.models import Batch
from docket.lib import zones
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.vault.keys import KeyUnavailable
from docket.vault.store import Stored


class Command(BaseCommand):
    help = (
        "Import in bulk: `docket import files PATH…` (evidence into the vault; archives are "
        "unpacked in the sandbox), `docket import telegram EXPORT_DIR` (a Telegram Desktop JSON "
        "export), `docket import status [BATCH]` (imports and their enrichment progress), "
        "`docket import csv FILE` (events, acts, victims and perpetrators into the register)."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        files = sources.add_parser(
            "files", help="store every file under the paths, recursively (idempotent)"
        )
        files.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        output = files.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="print a JSON summary at the end")
        output.add_argument(
            "--jsonl", action="store_true", help="print one JSON line per item once it is durable"
        )
        files.add_argument("--actor", default="cli", help="who is importing (for custody)")
        files.add_argument(
            "--compartment",
            default="default",
            metavar="NAME",
            help="compartment for new items (default: default)",
        )
        files.add_argument(
            "--time-zone", default="", metavar="ZONE",
            help="the zone its cameras' clocks were set to (an IANA name such as Europe/Kyiv), for "
            "clocks that say none (default: DOCKET_TIME_ZONE)",
        )  # fmt: skip

        chats = sources.add_parser(
            "telegram",
            help="a Telegram Desktop export in JSON (result.json and its media folders); "
            "idempotent: run it again to resume",
        )
        chats.add_argument("export", type=Path, metavar="EXPORT_DIR")
        chats.add_argument("--json", action="store_true", help="print a JSON summary at the end")
        chats.add_argument("--actor", default="cli", help="who is importing (for custody)")
        chats.add_argument("--compartment", default="default", metavar="NAME")
        chats.add_argument(
            "--time-zone", default="", metavar="ZONE",
            help="the zone its cameras' clocks were set to (an IANA name such as Europe/Kyiv), for "
            "clocks that say none (default: DOCKET_TIME_ZONE)",
        )  # fmt: skip

        zone = sources.add_parser(
            "zone",
            help="set the zone an import's cameras' clocks were set to, and read its items' "
            "clocks without an offset again in it",
        )
        zone.add_argument("batch", type=int, metavar="BATCH")
        zone.add_argument("zone", metavar="ZONE", help="an IANA name; '' for DOCKET_TIME_ZONE")
        zone.add_argument("--json", action="store_true")

        status = sources.add_parser(
            "status", help="recent imports and how far their items' enrichment has got"
        )
        status.add_argument("batch", nargs="?", type=int, metavar="BATCH")
        status.add_argument("--json", action="store_true")
        status.add_argument("--limit", type=int, default=20)

        table = sources.add_parser(
            "csv",
            help="events with acts, victims and perpetrators, one row per act "
            "(docs/register-import.md); idempotent",
        )
        table.add_argument("file", type=Path, metavar="FILE")
        table.add_argument("--compartment", required=True, metavar="NAME")
        table.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        table.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"] == "csv":
            self._csv(options)
            return
        if options["source"] == "status":
            self._status(options)
            return
        if options["source"] == "zone":
            self._zone(options)
            return
        _check_zone(options.get("time_zone") or "")
        compartment = Compartment.objects.filter(name=options["compartment"]).first()
        if compartment is None:
            raise CommandError(
                f"no compartment {options['compartment']!r}: create it with "
                f"`docket compartments add {options['compartment']}` (or run `docket init`)"
            )
        if options["source"] == "telegram":
            self._telegram(options, compartment)
            return
        summary = Summary()
        found = list(walk(options["paths"], summary))
        total = sum(f.size for f in found)
        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="importing",
            disable=not sys.stderr.isatty(),
            file=sys.stderr,
        )

        def stored(entry: Found, result: Stored) -> None:
            if options["jsonl"]:
                line = {
                    "item": result.item.pk,
                    "sha256": result.item.sha256,
                    "path": str(entry.path),
                    "new": result.created,
                }
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
                sys.stdout.flush()

        label = ", ".join(str(p) for p in options["paths"])
        batch = _batch(
            Batch.Source.FILES, label, compartment, options["actor"], options["time_zone"]
        )
        try:
            with bar:
                import_files(
                    found,
                    summary,
                    actor=options["actor"],
                    compartment=compartment,
                    batch=batch,
                    on_stored=stored,
                    on_progress=bar.update,
                )
        except KeyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            sys.stdout.write(
                json.dumps({"batch": batch.pk, **summary.as_json()}, ensure_ascii=False) + "\n"
            )
        elif not options["jsonl"]:
            self._report(summary, batch)
        if summary.failed:
            raise CommandError(f"{len(summary.failed)} file(s) could not be imported", returncode=1)

    def _report(self, summary: Summary, batch: Batch) -> None:
        self.stdout.write(
            f"import {batch.pk}: {summary.stored} stored, {summary.received_again} already held, "
            f"{len(summary.failed)} failed, {len(summary.skipped)} skipped"
        )
        for failure in summary.failed:
            self.stderr.write(f"failed: {failure['path']}: {failure['error']}")
        for skip in summary.skipped:
            self.stderr.write(f"skipped: {skip['path']}: {skip['reason']}")
        self.stdout.write(f"enrichment: `docket import status {batch.pk}`")

    def _zone(self, options: dict[str, Any]) -> None:
        """An import's clock zone set, and its items' clocks without an offset read again."""
        from docket.ingest import clock_zones

        _check_zone(options["zone"])
        batch = Batch.objects.filter(pk=options["batch"]).first()
        if batch is None:
            raise CommandError(f"no import {options['batch']}: see `docket import status`")
        changed = clock_zones.set_zone(batch, options["zone"])
        if options["json"]:
            zone = batch.time_zone or None
            self.stdout.write(json.dumps({"batch": batch.pk, "time_zone": zone, "reread": changed}))
        else:
            self.stdout.write(f"import {batch.pk}: {changed} capture time(s) read again")

    def _telegram(self, options: dict[str, Any], compartment: Compartment) -> None:
        from docket.ingest import telegram_export

        export: Path = options["export"]
        try:
            chats = telegram_export.load(export)
        except telegram_export.ExportError as exc:
            raise CommandError(str(exc)) from exc
        names = ", ".join(str(c.get("name") or c.get("id")) for c in chats[:3])
        batch = _batch(Batch.Source.TELEGRAM, f"{export.name}: {names}"[:300], compartment,
                       options["actor"], options["time_zone"])  # fmt: skip
        bar = tqdm(
            total=telegram_export.count_messages(chats),
            unit="msg",
            desc="importing",
            disable=not sys.stderr.isatty(),
            file=sys.stderr,
        )
        try:
            with bar:
                summary = telegram_export.import_export(
                    export, chats, compartment=compartment, actor=options["actor"],
                    batch=batch, on_message=lambda: bar.update(1),
                )  # fmt: skip
        except KeyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            line = {"batch": batch.pk, **summary.as_json()}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            self.stdout.write(f"{summary.collections} chat(s), {summary.messages} message(s)")
            self._report(summary, batch)
        if summary.failed:
            raise CommandError(f"{len(summary.failed)} file(s) could not be imported", returncode=1)

    def _status(self, options: dict[str, Any]) -> None:
        from docket.ingest.progress import progress_of

        batches = Batch.objects.all()
        if options["batch"] is not None:
            batches = batches.filter(pk=options["batch"])
            if not batches.exists():
                raise CommandError(f"no import {options['batch']}")
        rows = [progress_of(b) for b in batches[: options["limit"]]]
        if options["json"]:
            sys.stdout.write(json.dumps({"imports": [r.as_json() for r in rows]}) + "\n")
            return
        for row in rows:
            self.stdout.write(row.line())
            if options["batch"] is not None:
                for failure in row.failures:
                    self.stdout.write(f"  failed: {failure}")
        if not rows:
            self.stdout.write("no imports yet")

    def _csv(self, options: dict[str, Any]) -> None:
        from docket.accounts import audit
        from docket.register.csv_import import import_csv, read_upload

        compartment = Compartment.objects.filter(name=options["compartment"]).first()
        if compartment is None:
            raise CommandError(f"no compartment {options['compartment']!r}")
        try:
            text = read_upload(options["file"].read_bytes())
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = import_csv(text, compartment, actor=None, dry_run=options["dry_run"])
        audit.record_system(
            None, "register.import", compartment=compartment,
            details={"rows": report.rows, "errors": len(report.errors),
                     "dry_run": options["dry_run"], "via": "cli"},
        )  # fmt: skip
        if options["json"]:
            sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
        else:
            for error in report.errors:
                self.stderr.write(f"row {error.row}, {error.column or '-'}: {error.message}")
            if report.errors:
                self.stdout.write(
                    f"{report.rows} rows, {len(report.errors)} errors: nothing written"
                )
            elif report.dry_run:
                self.stdout.write(f"{report.rows} rows, no errors (dry run: nothing written)")
            else:
                self.stdout.write(
                    f"{report.rows} rows: {report.events_created} events created, "
                    f"{report.events_updated} updated, {report.acts_created} acts created, "
                    f"{report.acts_unchanged} already there"
                )
        if report.errors:
            raise SystemExit(1)


def _batch(
    source: str, label: str, compartment: Compartment, actor: str, time_zone: str = ""
) -> Batch:
    return Batch.objects.create(
        source=source,
        label=label[:300],
        compartment=compartment,
        actor=actor[:150],
        started_at=timezone.now(),
        time_zone=time_zone.strip(),
    )


def _check_zone(name: str) -> None:
    if name.strip():
        try:
            zones.zone_named(name)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
