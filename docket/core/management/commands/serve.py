from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.core.serve import serve


class Command(BaseCommand):
    help = "Run the web server (127.0.0.1:8000 unless told otherwise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to bind; keep loopback and put a TLS proxy in front",
        )
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument(
            "--with-worker", action="store_true", help="also run a job worker (one machine)"
        )
        parser.add_argument(
            "--intake-only",
            action="store_true",
            help="serve only the public intake (/intake/), holding only the vault's public key"
            " (the same as DOCKET_INTAKE_ONLY=1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The settings chose the URLs and refused the vault passphrase when they loaded: the
        # `docket` command turns --intake-only into DOCKET_INTAKE_ONLY before that (cli.py).
        intake_only = settings.INTAKE_ONLY
        if options["intake_only"] and not intake_only:
            raise CommandError(
                "--intake-only must be known before the settings load: run it as "
                "`docket serve --intake-only`, or set DOCKET_INTAKE_ONLY=true"
            )
        if intake_only and options["with_worker"]:
            raise CommandError("--intake-only runs no worker: run one on the staff host")
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "docket", "worker"])
        what = "Docket intake" if intake_only else "Docket"
        path = "intake/" if intake_only else ""
        self.stdout.write(f"{what} on http://{options['host']}:{options['port']}/{path}")
        self.stdout.flush()
        try:
            serve(
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                # Threads keep a worker answering while slow senders (Tor) upload for long.
                threads=8 if intake_only else 1,
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=60)
