from __future__ import annotations

import imaplib
import json
import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.accounts.models import Compartment
from docket.intake import conversation, limits, receipts, uploads
from docket.intake.models import Submission
from docket.intake.public_process import refuse_private_key
from docket.lib.commands import COMMAND_LINE_CHECKS
from docket.vault import store


class Command(BaseCommand):
    help = (
        "Intake: `submit` a report received another way (by phone, on paper) so that it has a "
        "receipt and a conversation like any other; `sweep` discards uploads never attached to "
        "a report and finishes any a crash left half-stored (run it hourly); `telegram` runs "
        "the Telegram bot; `mail` polls an IMAP mailbox. The bot and the poller hold only the "
        "vault's public key."
    )
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        submit = verbs.add_parser("submit", help="enter a report; prints its receipt once")
        submit.add_argument("text", help="what happened, in the sender's words")
        submit.add_argument("--file", type=Path, action="append", default=[], dest="files")
        submit.add_argument("--language", choices=receipts.LANGUAGES, default="en")
        submit.add_argument(
            "--compartment", help="put it straight into this compartment (default: the intake one)"
        )
        submit.add_argument("--json", action="store_true")
        sweep = verbs.add_parser("sweep", help="tidy the upload spool")
        sweep.add_argument("--json", action="store_true")
        bot = verbs.add_parser(
            "telegram",
            help="run the Telegram bot (DOCKET_TELEGRAM_TOKEN), with the vault's public key only",
        )
        bot.add_argument(
            "--fingerprint",
            action="store_true",
            help="print the bot's name and fingerprint to publish on the organisation's website",
        )
        mail = verbs.add_parser(
            "mail",
            help="poll the IMAP mailbox (DOCKET_IMAP_HOST…) and turn each message into a report",
        )
        mail.add_argument("--once", action="store_true", help="poll once and exit")
        mail.add_argument(
            "--file",
            type=Path,
            action="append",
            default=[],
            dest="files",
            metavar="MESSAGE.eml",
            help="read these saved messages (forwarded to you as .eml) instead of polling",
        )
        mail.add_argument("--json", action="store_true", help="one JSON line per poll")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "mail":
            if options["files"]:
                self.mail_files(options["files"], as_json=options["json"])
            else:
                self.mail(once=options["once"], as_json=options["json"])
            return
        if options["verb"] == "telegram":
            self.telegram(fingerprint=options["fingerprint"])
            return
        if options["verb"] == "sweep":
            discarded = uploads.sweep()
            finished = uploads.recover()
            limits.sweep_proofs()  # expired challenges cannot be replayed anyway
            result = {"discarded": discarded, "finished": finished}
            if options["json"]:
                self.stdout.write(json.dumps(result))
            else:
                self.stdout.write(
                    f"{discarded} abandoned uploads discarded, {finished} stored uploads finished"
                )
            return
        compartment = None
        if options["compartment"]:
            compartment = Compartment.objects.filter(name=options["compartment"]).first()
            if compartment is None:
                raise CommandError(f"no compartment {options['compartment']!r}")
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        items = []
        for path in options["files"]:
            with path.open("rb") as handle:
                items.append(
                    store.store(
                        handle, actor=uploads.ACTOR, details={"channel": "staff"},
                        compartment=compartment or conversation.intake_compartment(),
                    ).item
                )  # fmt: skip
        submission, receipt = conversation.open_submission(
            channel=Submission.Channel.STAFF,
            language=options["language"],
            text=options["text"],
            files=items,
            compartment=compartment,
        )
        if options["json"]:
            self.stdout.write(json.dumps({"submission": submission.pk, "receipt": receipt}))
        else:
            self.stdout.write(f"submission {submission.pk}; give the sender this receipt once:")
            self.stdout.write(receipt)

    def telegram(self, *, fingerprint: bool) -> None:
        from docket.intake.channels.telegram import bot

        public_process("the Telegram bot")
        try:
            if fingerprint:
                shown = bot.published()
                self.stdout.write(f"bot:         {shown['username']}")
                self.stdout.write(f"fingerprint: {shown['fingerprint']}")
                return
            bot.run()
        except bot.NotConfigured as exc:
            raise CommandError(str(exc)) from None

    def mail(self, *, once: bool, as_json: bool) -> None:
        from docket.intake.channels.mail import poller

        public_process("the e-mail poller")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            try:
                polled = poller.poll()
            except poller.NotConfigured as exc:
                raise CommandError(str(exc)) from None
            except (OSError, imaplib.IMAP4.error, poller.ServerError) as exc:
                if once:
                    raise CommandError(f"IMAP: {exc}") from None
                self.stderr.write(f"IMAP: {exc}; trying again in {settings.IMAP_INTERVAL} s")
            else:
                if as_json:
                    self.stdout.write(json.dumps(polled.as_dict()))
                elif once or polled.stored or polled.failed:
                    self.stdout.write(
                        f"{polled.stored} stored, {polled.already} stored before, "
                        f"{polled.failed} failed (moved to {settings.IMAP_FAILED_FOLDER}), "
                        f"{polled.waiting} waiting"
                    )
            if once:
                return
            for _ in range(settings.IMAP_INTERVAL):
                if stopping:
                    return
                time.sleep(1)

    def mail_files(self, paths: list[Path], *, as_json: bool) -> None:
        from docket.intake.channels.mail import poller

        for path in paths:
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        polled = poller.Polled()
        for path in paths:
            try:
                if poller.receive(path.read_bytes()):
                    polled.stored += 1
                else:
                    polled.already += 1
            except limits.Refused as refused:
                self.stderr.write(f"{path}: {refused.message}")
                polled.failed += 1
        if as_json:
            self.stdout.write(json.dumps(polled.as_dict()))
        else:
            self.stdout.write(
                f"{polled.stored} stored, {polled.already} stored before, {polled.failed} failed"
            )
        if polled.failed:
            raise CommandError(f"{polled.failed} of {len(paths)} messages could not be stored")


def public_process(what: str) -> None:
    """The bot and the poller face the outside world: they get the public key only."""
    try:
        refuse_private_key(what, settings.VAULT_PASSPHRASE)
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from None
