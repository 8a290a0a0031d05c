from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import User
from docket.api import tokens
from docket.api.models import READ_SCOPES, SCOPES, ApiToken
from docket.lib.commands import COMMAND_LINE_CHECKS


class Command(BaseCommand):
    help = "API tokens: `create USERNAME`, `list`, `revoke ID`."
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        create = verbs.add_parser("create", help="create a token and print it (once)")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        create.add_argument(
            "--scope", action="append", choices=sorted(SCOPES), dest="scopes",
            help="what the token may do (repeat; default: every :read scope)",
        )  # fmt: skip
        create.add_argument(
            "--days", type=int, default=None,
            help="how long it lives (default 90; exports:approve: 7, and at most 7)",
        )  # fmt: skip
        create.add_argument("--json", action="store_true")
        listing = verbs.add_parser("list")
        listing.add_argument("--json", action="store_true")
        revoke = verbs.add_parser("revoke")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "create":
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {options['username']!r}")
            try:
                created, token = tokens.create(
                    user, name=options["name"], scopes=options["scopes"] or READ_SCOPES,
                    days=options["days"], fresh_code=True,  # the console: the server's own rights
                )  # fmt: skip
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            data = {
                "id": created.pk,
                "token": token,
                "username": user.username,
                "scopes": created.scopes,
                "expires_at": created.expires_at.isoformat(),
            }
            if options["json"]:
                sys.stdout.write(json.dumps(data) + "\n")
            else:
                self.stdout.write(f"token (shown once): {token}")
                scopes = ", ".join(created.scopes)
                self.stdout.write(f"id {created.pk}, scopes {scopes}, expires {data['expires_at']}")
            return
        if options["verb"] == "revoke":
            found = ApiToken.objects.filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(f"no token {options['id']}")
            tokens.revoke(found, by=None)
            self.stdout.write(f"token {found.pk} revoked")
            return
        rows = [
            {"id": t.pk, "username": t.user.username, "name": t.name, "prefix": t.prefix,
             "scopes": t.scopes, "expires_at": t.expires_at.isoformat(), "usable": t.usable}
            for t in ApiToken.objects.select_related("user").order_by("id")
        ]  # fmt: skip
        if options["json"]:
            sys.stdout.write(json.dumps(rows) + "\n")
        else:
            for row in rows:
                state = "usable" if row["usable"] else "revoked or expired"
                self.stdout.write(
                    f"{row['id']:>4} {row['username']:<16} {row['prefix']}… {row['name']} ({state})"
                )
