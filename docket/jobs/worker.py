"""The worker loop. `step()` is one iteration, which tests call directly."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from docket.jobs import queue

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, *, poll_seconds: float = 2) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

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

        return custody.seal() is not None

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
