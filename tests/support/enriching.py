"""A vault whose new items are enriched, with the jobs run in the test's own process."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from docket.accounts.models import Compartment
from docket.jobs import queue
from docket.jobs.worker import Worker
from docket.vault.models import Item
from docket.vault.store import store


class Enriching:
    """A vault whose new items are enriched, and a worker to run the jobs in this process.
    (The test's transaction never commits, so on-commit work is run by Django's capture.)"""

    def __init__(self, root: Path, capture: Callable[..., AbstractContextManager[Any]]) -> None:
        self.root = root
        self.capture = capture

    def put(self, path: Path, compartment: Compartment | None = None) -> Item:
        """Store a file as an import would, which queues its enrichment."""
        with self.capture(execute=True), open(path, "rb") as handle:
            return store(handle, actor="test", compartment=compartment).item

    def work(self) -> int:
        """Run jobs until none is due (as `docket worker --until-idle`); returns how many."""
        count = 0
        while True:
            with self.capture(execute=True):
                job = queue.claim()
                if job is None:
                    break
                queue.run(job)
            count += 1
        Worker().idle()
        return count
