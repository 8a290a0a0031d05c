"""The worker loop. `step()` is one iteration, which tests call directly."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from docket.jobs import queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Housekeeping:
    name: str
    every_seconds: float
    task: Callable[[], object]


#: Tasks a worker runs when it has no job, each at most once per `every_seconds` in a
#: process. Higher apps register theirs here, in their AppConfig.ready() (`housekeeping`).
HOUSEKEEPING: dict[str, Housekeeping] = {}


def housekeeping(
    name: str, *, every_seconds: float
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register a task; it returns something true when it did work."""

    def decorate(task: Callable[[], object]) -> Callable[[], object]:
        HOUSEKEEPING[name] = Housekeeping(name, every_seconds, task)
        return task

    return decorate


class Worker:
    def __init__(self, *, poll_seconds: float = 2) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self._last_run: dict[str, float] = {}

    def step(self) -> bool:
        """Run one due job, or the idle housekeeping; True if there was work."""
        job = queue.claim()
        if job is not None:
            queue.run(job)
            return True
        return self.idle()

    def idle(self) -> bool:
        # Entries appended by other processes (reads in the web process, say) are sealed
        # here, so the custody log's unsigned tail stays short.
        from docket.vault import custody

        worked = custody.seal() is not None
        now = time.monotonic()
        for task in HOUSEKEEPING.values():
            last = self._last_run.get(task.name)
            if last is not None and now - last < task.every_seconds:
                continue
            self._last_run[task.name] = now
            try:
                worked = bool(task.task()) or worked
            except Exception as exc:
                # A failing chore must not stop the jobs; it is tried again when next due. By
                # type only: the text could name what the chore was about.
                log.error("housekeeping task %s failed: %s", task.name, type(exc).__name__)
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
