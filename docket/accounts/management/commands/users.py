from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts import access, audit, lockout
from docket.accounts.models import Compartment, Grant, Role, User
from docket.accounts.passwords import one_time_password
from docket.accounts.sessions import end_sessions
from docket.lib.commands import COMMAND_LINE_CHECKS

#: The console is not bound by the two-person rule (it runs with the server's own rights), so
#: what it grants is marked and listed on the Approvals page (docket/accounts/admission.py).
CONSOLE = {"via": "console"}


class Command(BaseCommand):
    help = "Staff accounts: `add`, `unlock`, `disable`, `enable`, `list`."
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        add = verbs.add_parser(
            "add", help="create a user (printing a one-time password) or grant a role"
        )
        add.add_argument("username")
        add.add_argument("--role", choices=Role.values, help="role to grant")
        add.add_argument("--compartment", metavar="NAME", help="compartment of the role")
        add.add_argument(
            "--superuser", action="store_true", help="instance administrator (users, grants)"
        )
        add.add_argument("--json", action="store_true")
        unlock = verbs.add_parser("unlock", help="unlock after repeated failed logins")
        unlock.add_argument("username")
        disable = verbs.add_parser("disable", help="disable a user and end their sessions")
        disable.add_argument("username")
        enable = verbs.add_parser(
            "enable", help="enable a disabled user again (a console act, audited)"
        )
        enable.add_argument("username")
        listing = verbs.add_parser("list", help="users and their roles")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["verb"])(options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _add(self, options: dict[str, Any]) -> None:
        if bool(options["role"]) != bool(options["compartment"]):
            raise CommandError("--role and --compartment go together")
        compartment = None
        if options["compartment"]:
            compartment = Compartment.objects.filter(name=options["compartment"]).first()
            if compartment is None:
                raise CommandError(
                    f"no compartment {options['compartment']!r}; "
                    f"create it with `docket compartments add {options['compartment']}`"
                )
        user = User.objects.filter(username=options["username"]).first()
        password = None
        if user is None:
            password = one_time_password()
            user = User.objects.create_user(
                options["username"], password=password, must_change_password=True
            )
            audit.record_system(None, "user.add", user, details=CONSOLE)
        if options["superuser"] and not user.is_superuser:
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
            audit.record_system(None, "user.superuser", user, details=CONSOLE)
        if compartment is not None:
            access.grant(
                user, compartment, options["role"], by=None,
                details={**CONSOLE, "compartment": compartment.name},
            )  # fmt: skip
        roles = _roles(user)
        result: dict[str, Any] = {
            "username": user.username,
            "created": password is not None,
            "one_time_password": password,
            "roles": roles,
        }
        if options["json"]:
            sys.stdout.write(json.dumps(result) + "\n")
            return
        if password:
            self.stdout.write(
                f"created {user.username}; one-time password (shown once): {password}"
            )
        described = ", ".join(f"{r} in {c}" for c, r in roles) or "no role yet"
        self.stdout.write(f"{user.username}: {described}")

    def _unlock(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        lockout.unlock(user, by=None)
        self.stdout.write(f"{user.username} unlocked")

    def _disable(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        User.objects.filter(pk=user.pk).update(is_active=False)
        ended = end_sessions(user)
        audit.record_system(None, "user.disable", user, details={"sessions_ended": ended})
        self.stdout.write(f"{user.username} disabled; {ended} session(s) ended")

    def _enable(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        if user.is_active:
            self.stdout.write(f"{user.username} is enabled already")
            return
        User.objects.filter(pk=user.pk).update(is_active=True)
        audit.record_system(None, "user.enable", user, details=CONSOLE)
        self.stdout.write(f"{user.username} enabled")

    def _list(self, options: dict[str, Any]) -> None:
        rows: list[dict[str, Any]] = [
            {
                "username": u.username,
                "active": u.is_active,
                "superuser": u.is_superuser,
                "locked": u.is_locked,
                "roles": _roles(u),
            }
            for u in User.objects.order_by("username")
        ]
        if options["json"]:
            sys.stdout.write(json.dumps(rows) + "\n")
            return
        for row in rows:
            flags = [f for f in ("superuser", "locked") if row[f]] + (
                [] if row["active"] else ["disabled"]
            )
            roles = ", ".join(f"{r} in {c}" for c, r in row["roles"]) or "-"
            self.stdout.write(f"{row['username']:<20} {roles}  {' '.join(flags)}")


def _roles(user: User) -> list[tuple[str, str]]:
    return [
        (g.compartment.name, g.role)
        for g in Grant.objects.filter(user=user)
        .select_related("compartment")
        .order_by("compartment__name", "role")
    ]
