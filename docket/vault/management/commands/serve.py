from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from docket.lib.env import env_int
from docket.lib.serve import serve


class Command(BaseCommand):
    help = "Run the web server (127.0.0.1:8000 unless told otherwise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to bind; keep loopback and put a TLS proxy in front",
        )
        parser.add_argument(
            "--workers", type=int, default=env_int("DOCKET_WEB_WORKERS", 2, minimum=1)
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="also run a job worker (one machine)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "docket", "worker"])
        self.stdout.write(f"Docket on http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        try:
            serve(host=options["host"], port=options["port"], workers=options["workers"])
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=60)
