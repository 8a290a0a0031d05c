from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from docket.jobs.worker import Worker
from docket.lib.commands import COMMAND_LINE_CHECKS


class Command(BaseCommand):
    help = "Run background jobs until stopped (SIGTERM finishes the job in hand first)."
    requires_system_checks = COMMAND_LINE_CHECKS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--processes", type=int, default=1, help="worker processes to run")
        parser.add_argument(
            "--until-idle", action="store_true", help="exit once no job is left (for scripts)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        processes = options["processes"]
        worker = Worker(poll_seconds=settings.WORKER_POLL_SECONDS)
        if processes <= 1:
            worker.run(until_idle=options["until_idle"])
            return
        # This process is one of the N (it has started already: the others start meanwhile).
        argv = [sys.executable, "-m", "docket", "worker"]
        if options["until_idle"]:
            argv.append("--until-idle")
        children = [subprocess.Popen(argv) for _ in range(processes - 1)]
        try:
            worker.run(until_idle=options["until_idle"])
            if worker.stopping.is_set():
                for child in children:
                    child.terminate()  # SIGTERM: each finishes the job in hand too
            codes = [child.wait() for child in children]
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
        if any(codes):
            sys.exit(1)
