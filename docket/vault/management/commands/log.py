from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.vault import custody, merkle
from docket.vault.keys import KeyUnavailable


class Command(BaseCommand):
    help = "The custody log: signed head, inclusion and consistency proofs (RFC 9162)."
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        head = verbs.add_parser(
            "head",
            help="the latest signed checkpoint: what partners keep (`docket log head > FILE`, "
            "later `docket verify --against FILE`)",
        )
        head.add_argument("--json", action="store_true")
        proof = verbs.add_parser("proof", help="inclusion proof of one entry")
        proof.add_argument("--entry", type=int, required=True, metavar="N")
        proof.add_argument("--json", action="store_true")
        consistency = verbs.add_parser("consistency", help="consistency proof between sizes")
        consistency.add_argument("--from", dest="first", type=int, required=True, metavar="M")
        consistency.add_argument("--to", dest="second", type=int, metavar="N")
        consistency.add_argument("--json", action="store_true")
        verbs.add_parser("seal", help="sign a checkpoint over entries not yet covered")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["verb"])(options)
        except (KeyUnavailable, merkle.ProofError) as exc:
            raise CommandError(str(exc)) from exc

    def _emit(self, data: dict[str, Any], as_json: bool, text: str) -> None:
        if as_json:
            sys.stdout.write(json.dumps(data) + "\n")
        else:
            self.stdout.write(text)

    def _head(self, options: dict[str, Any]) -> None:
        head = custody.head()
        self._emit(head.as_json(), options["json"], head.checkpoint.rstrip("\n"))

    def _proof(self, options: dict[str, Any]) -> None:
        proof = custody.inclusion_proof(options["entry"])
        data = proof.as_json()
        lines = [f"entry {proof.leaf_index} of {proof.tree_size}", f"root {data['root_hash']}"]
        text = "\n".join(lines + [p.hex() for p in proof.path])
        self._emit(data, options["json"], text)

    def _consistency(self, options: dict[str, Any]) -> None:
        first, second, path = custody.consistency_proof(options["first"], options["second"])
        hexes = [p.hex() for p in path]
        data = {"first": first, "second": second, "path": hexes}
        self._emit(data, options["json"], "\n".join([f"{first} -> {second}", *hexes]))

    def _seal(self, options: dict[str, Any]) -> None:
        checkpoint = custody.seal()
        if checkpoint is None:
            self.stdout.write("nothing new to seal")
        else:
            self.stdout.write(f"sealed checkpoint at size {checkpoint.size}")
