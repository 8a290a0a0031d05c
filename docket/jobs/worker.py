"""The worker loop. `step()` is one iteration, which tests call directly."""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType

from docket.jobs import queue
from docket.lib.chores import CHORES

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, *, poll_seconds: float = 2) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self._last_run: dict[str, float] = {}

    def step(self) -> bool:
        """Run one due job, or the idle chores; True if there was work."""
        job = queue.claim()
        if job is not None:
            queue.run(job)
            return True
        return self.idle()

    def idle(self) -> bool:
        # The apps' chores (docket/lib/chores.py): the vault seals the custody log's tail,
        # the intake forgets idle Telegram chats.
        worked = False
        now = time.monotonic()
        for task in CHORES.values():
            last = self._last_run.get(task.name)
            if last is not None and now - last < task.every_seconds:
                continue
            self._last_run[task.name] = now
            try:
                worked = bool(task.task()) or worked
            except Exception as exc:
                if task.fatal:
                    raise
                # A failing chore must not stop the jobs; it is tried again when next due. By
                # type only: the text could name what the chore was about.
                log.error("chore %s failed: %s", task.name, type(exc).__name__)
        return worked

    def run(self, *, until_idle: bool = False) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        queue.requeue_stale()
        while not self.stopping.is_set():
            busy = self.step()
            if not busy:
                if until_idle:
                    return
                self.stopping.wait(self.poll_seconds)
        log.info("worker stopped")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # Finish the job in hand, then leave: a job is never abandoned half-way by a deploy.
        self.stopping.set()
