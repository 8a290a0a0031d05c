"""`docket match VERB`: what items match, computed from the data as it is now. One function
per verb: `media` (items and the incidents they may show, from the captures; stored leads are
not read; docs/analysis.md, "Media and incidents") and `duplicates` (the same picture across
sources, by PDQ hash, as groups per compartment; "The same picture across sources")."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import Compartment
from docket.enrich import media_leads
from docket.lib.commands import COMMAND_LINE_CHECKS


def _compartments(name: str | None) -> list[Compartment]:
    if name is None:
        return media_leads.compartments_with_data()
    compartment = Compartment.objects.filter(name=name).first()
    if compartment is None:
        raise CommandError(f"no compartment {name!r}")
    return [compartment]


def media(command: BaseCommand, options: dict[str, Any]) -> None:
    """Every item-event pair whose capture time is within H hours of the event's window and
    whose capture place is within K km of its point, each compartment on its own."""
    hours, km = options["hours"], options["km"]
    if not (0 <= hours < math.inf and 0 <= km < math.inf):
        raise CommandError("--hours and --km must be numbers of 0 or more")
    rows: list[dict[str, Any]] = []
    for compartment in _compartments(options["compartment"]):
        found = media_leads.compute(compartment, hours=hours, km=km)
        for hit in found.matches:
            rows.append(
                {
                    "item": hit.item, "sha256": found.sha256[hit.item], "event": hit.event,
                    "event_ref": found.event_ref.get(hit.event), "seconds": hit.seconds,
                    "metres": hit.metres, "zone_assumed": hit.zone_assumed,
                }
            )  # fmt: skip
    rows.sort(key=lambda row: (row["event"], row["item"]))
    if options["json"]:
        command.stdout.write(json.dumps({"matches": rows}))
        return
    if not rows:
        command.stdout.write(f"no item within {hours:g} h and {km:g} km of an event")
        return
    command.stdout.write(f"{'event':>7} {'ref':<16} {'item':>7} {'gap s':>7} {'metres':>7}  zone")
    for row in rows:
        zone = "assumed" if row["zone_assumed"] else "in the file"
        command.stdout.write(
            f"{row['event']:>7} {(row['event_ref'] or '-')[:16]:<16} {row['item']:>7} "
            f"{row['seconds']:>7} {row['metres']:>7}  {zone}"
        )


def duplicates(command: BaseCommand, options: dict[str, Any]) -> None:
    """Compare the items of each compartment by PDQ hash, record the pairs found, and print
    the groups of the same picture, largest first."""
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
        command.stdout.write(json.dumps({"groups": groups}))
        return
    for number, group in enumerate(found, start=1):
        command.stdout.write(
            f"group {number}: {len(group.items)} items in {group.compartment.name}"
        )
        for pk in group.items:
            command.stdout.write(f"  item {pk}\t{sha[pk]}")
    hashes = sum(s["hashes"] for s in scanned)
    command.stdout.write(
        f"{len(found)} groups; {hashes} hashes of quality 50 or more compared in "
        f"{len(compartments)} compartments"
    )


VERBS: dict[str, Callable[[BaseCommand, dict[str, Any]], None]] = {
    "media": media,
    "duplicates": duplicates,
}


class Command(BaseCommand):
    help = (
        "What items match: `media` lists the items that may show an event (by capture time "
        "and place), `duplicates` the groups of the same picture across sources (by PDQ hash)."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        found = verbs.add_parser(
            "media", help="items whose capture time and place fit an event's window and place"
        )
        found.add_argument(
            "--compartment", metavar="NAME", help="one compartment (default: every one with data)"
        )
        found.add_argument(
            "--hours", type=float, default=2.0,
            help="hours the capture time may lie outside the event's window (default 2)",
        )  # fmt: skip
        found.add_argument(
            "--km", type=float, default=1.0,
            help="kilometres the capture place may lie from the event's point (default 1)",
        )  # fmt: skip
        found.add_argument("--json", action="store_true", help="print one JSON object")
        same = verbs.add_parser(
            "duplicates",
            help="compare the items of each compartment by PDQ hash, record the pairs found, "
            "and print the groups of the same picture, largest first",
        )
        same.add_argument(
            "--compartment", action="append", metavar="NAME",
            help="only this compartment (repeat for more; default: all but the intake's)",
        )  # fmt: skip
        same.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        VERBS[options["verb"]](self, options)
