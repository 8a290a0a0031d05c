from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The bundled Whisper model is joined from its two halves once per test session.
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def sandbox_dir() -> Iterator[Path]:
    """A sandbox directory of the test's own, outside pytest's private temporary folders (the
    parsers run as nobody and must reach it)."""
    path = Path(tempfile.mkdtemp(prefix="docket-test-sandbox-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def enriching(
    settings: Any,
    vault: Path,
    models_dir: Path,
    sandbox_dir: Path,
    django_capture_on_commit_callbacks: Any,
) -> Enriching:
    settings.ENRICH_ON_STORE = True
    settings.MODELS_DIR = models_dir
    settings.SANDBOX_DIR = sandbox_dir
    return Enriching(vault, django_capture_on_commit_callbacks)
