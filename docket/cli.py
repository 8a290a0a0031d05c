"""The `docket` command: Docket's verbs first, any other word is a Django management command."""

from __future__ import annotations

import os
import resource
import sys

VERBS = {
    "init": "create an instance (database, keys, custody log)",
    "import": "import evidence: `docket import files PATH…`",
    "cat": "write an item's original bytes to stdout",
    "verify": "check every blob and the signed custody log",
    "log": "custody log: head, proof, consistency, seal",
    "serve": "run the web server on 127.0.0.1",
    "worker": "run background jobs",
    "users": "staff accounts: add (with a role in a compartment), unlock, disable, list",
    "compartments": "need-to-know compartments: add, list",
    "tokens": "API tokens: create USERNAME, list, revoke ID",
    "register": "the register: `docket register generate` (a fictional dataset)",
    "cases": "case files: `docket cases generate --compartment C` (a fictional case)",
    "search": "search the register in any script or spelling: `docket search Akrestsina`",
    "names": "names across scripts: `docket names pairs FILE` (no instance needed)",
    "persons": "the register's persons: `docket persons duplicates --compartment C`",
    "units": "who commanded a unit on a date: `docket units chain UNIT_ID --at 2020-08-10`",
    "match": "media and incidents: `docket match media --json` (items that may show events),"
    " `docket match duplicates` (the same picture across sources)",
    "screen": "a list of names against a compartment's persons, for human review",
    "exports": "exports: list, check PACKAGE (a decrypted export, offline)",
    "intake": "intake: submit a report, sweep the upload spool, run the Telegram bot, poll mail",
    "db": "the embedded database at rest: encrypt, rekey (DOCKET_DATABASE_KEY)",
    "bench": "benchmarks: `docket bench ingest`, `docket bench verify`, `docket bench names`",
}


def usage() -> str:
    lines = ["usage: docket COMMAND [OPTIONS]", "", "commands:"]
    lines += [f"  {verb:<8} {text}" for verb, text in VERBS.items()]
    lines += [
        "",
        "Any other word runs the Django management command of that name "
        "(docket check --deploy, docket migrate).",
        "`docket COMMAND --help` describes each command.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return
    if args[0] == "--version":
        from docket import __version__

        print(f"docket {__version__}")
        return
    # A core dump would hold the passphrase, the database key and decrypted evidence.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
    if _serves_intake_only(args):
        # The settings then choose the public intake's URLs and refuse the vault passphrase
        # once, as they load; nothing changes them at run time.
        os.environ["DOCKET_INTAKE_ONLY"] = "true"
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["docket", *args])
    except ImproperlyConfigured as exc:
        print(f"docket: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    except DatabaseError as exc:
        from docket.sqlcipher.inuse import BUSY

        if BUSY in str(exc):
            print(f"docket: {exc}", file=sys.stderr)
            sys.exit(2)
        if not _means_uninitialised(str(exc)):
            raise
        print(
            f"docket: the database is not ready ({exc}).\n"
            "Is DOCKET_DATA_DIR (or DOCKET_DATABASE_URL) the instance you mean? "
            "Create an instance with `docket init`.",
            file=sys.stderr,
        )
        sys.exit(2)


def _serves_intake_only(args: list[str]) -> bool:
    """`docket serve --intake-only`, the option spelt out or shortened as argparse allows."""
    option = "--intake-only"
    return args[0] == "serve" and any(a.startswith("--i") and option.startswith(a) for a in args)


def _means_uninitialised(message: str) -> bool:
    signs = ("unable to open database file", "no such table", "does not exist")
    return any(sign in message for sign in signs)
