from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts import audit
from docket.accounts.models import User
from docket.accounts.passwords import one_time_password
from docket.vault import age
from docket.vault.instance import initialise
from docket.vault.keys import KeyUnavailable


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # it is what fixes the "no key yet" warning
    help = (
        "Create an instance in DOCKET_DATA_DIR: database, vault key pair (protected by "
        "DOCKET_VAULT_PASSPHRASE), log signing key. Safe to run again: it never replaces a key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--admin",
            metavar="USERNAME",
            help="also create this administrator and print a one-time password",
        )
        parser.add_argument(
            "--scrypt-work-factor",
            type=int,
            default=age.DEFAULT_SCRYPT_LOG_N,
            metavar="LOG2N",
            help="cost of the passphrase protecting the vault identity (default 18, as age)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 10 <= options["scrypt_work_factor"] <= 22:
            raise CommandError("--scrypt-work-factor must be between 10 and 22")
        try:
            result = initialise(scrypt_log_n=options["scrypt_work_factor"])
        except KeyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"instance: {settings.DATA_DIR}")
        if result.created:
            self.stdout.write("created: " + ", ".join(result.created))
        else:
            self.stdout.write("already initialised; nothing changed")
        self.stdout.write(f"vault public key: {result.vault_public_key}")
        self.stdout.write(f"custody log key:  {result.log_verifier_key}")
        if options["admin"]:
            self._admin(options["admin"])

    def _admin(self, username: str) -> None:
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"administrator {username!r} exists already; password unchanged")
            return
        password = one_time_password()
        user = User.objects.create_superuser(username=username, password=password, email="")
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        audit.record_system(None, "user.add", user, details={"superuser": True})
        self.stdout.write(
            f"administrator {username!r} created; one-time password (shown once, "
            f"change it at first login): {password}"
        )
