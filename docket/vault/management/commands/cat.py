from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.vault import age
from docket.vault.keys import KeyUnavailable
from docket.vault.models import Item
from docket.vault.store import read


class Command(BaseCommand):
    help = "Write an item's original bytes to standard output (the read is logged in custody)."
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("item", type=int, metavar="ITEM_ID")
        parser.add_argument("--actor", default="cli", help="who is reading (for custody)")

    def handle(self, *args: Any, **options: Any) -> None:
        item = Item.objects.filter(pk=options["item"]).first()
        if item is None:
            raise CommandError(f"no item {options['item']}")
        if sys.stdout.isatty():
            raise CommandError("refusing to write binary data to a terminal; redirect it")
        out = sys.stdout.buffer
        try:
            for chunk in read(item, actor=options["actor"]):
                out.write(chunk)
        except KeyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        except age.AgeError as exc:
            raise CommandError(f"item {item.pk}: the blob does not decrypt: {exc}") from exc
        out.flush()
