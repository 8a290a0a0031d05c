from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts import audit
from docket.accounts.models import Compartment
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.register import search


class Command(BaseCommand):
    help = (
        "Search the register (events, persons, units, places) and the words read in items "
        "(OCR, transcripts) in any script or spelling: "
        "'Akrestsina' finds 'Окрестина'. Searches every compartment unless --compartment is "
        "given; audited."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="+", help="words to find")
        parser.add_argument("--compartment", action="append", default=[], metavar="NAME")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--reindex", action="store_true", help="rebuild the search index first")

    def handle(self, *args: Any, **options: Any) -> None:
        text = " ".join(options["text"])
        if options["reindex"]:
            self.stderr.write(f"reindexed {search.reindex_all()} records")
        compartments = None
        if options["compartment"]:
            found = Compartment.objects.filter(name__in=options["compartment"])
            missing = set(options["compartment"]) - {c.name for c in found}
            if missing:
                raise CommandError(f"no compartment {', '.join(sorted(missing))}")
            compartments = {c.pk for c in found}
        hits = search.search(text, compartments=compartments, limit=options["limit"])
        audit.record_system(
            None, "register.search", details={"query": text, "hits": len(hits), "via": "cli"}
        )
        if options["json"]:
            result = {"hits": [h.as_json() for h in hits]}
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            return
        for hit in hits:
            self.stdout.write(f"{hit.type:<7} {hit.id:>7}  {hit.label}")
            for span in hit.spans:
                where = (
                    f"page {span['page']}"
                    if "page" in span
                    else f"{span['start']:.1f}-{span['end']:.1f} s"
                )
                self.stdout.write(f"{'':17}{where}: {span['text']}")
        if not hits:
            self.stdout.write("no hits")
