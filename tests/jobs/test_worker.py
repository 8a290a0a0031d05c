"""The job queue: jobs queued on commit, run once, failures recorded and retried."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from docket.jobs import queue
from docket.jobs.models import Job
from docket.jobs.worker import Worker
from docket.vault import custody
from docket.vault.store import store

CALLS: list[dict[str, Any]] = []


@queue.register("test.record")
def record(payload: dict[str, Any]) -> None:
    CALLS.append(payload)


@queue.register("test.fail")
def fail(payload: dict[str, Any]) -> None:
    raise ValueError("the file is truncated")


@pytest.fixture(autouse=True)
def _clear() -> None:
    CALLS.clear()


def test_a_job_is_queued_on_commit_and_run_once(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue("test.record", {"item": 7})
    worker = Worker()
    assert worker.step() is True
    assert CALLS == [{"item": 7}]
    assert Job.objects.get().state == Job.State.DONE
    assert worker.step() is False


def test_nothing_is_queued_when_the_change_rolls_back(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            queue.enqueue("test.record", {"item": 8})
            raise RuntimeError("change failed")
    assert not Job.objects.exists()


def test_a_failure_is_recorded_and_retried_later(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue("test.fail")
    Worker().step()
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED and job.attempts == 1
    assert "the file is truncated" in job.error
    assert queue.claim() is None  # backing off
    job.max_attempts = 1
    job.save()
    Job.objects.update(run_after=job.created_at)
    Worker().step()
    assert Job.objects.get().state == Job.State.FAILED


def test_an_idle_worker_seals_the_custody_log(vault: Path) -> None:
    store(io.BytesIO(b"read by the web"), actor="cli")
    assert custody.latest_checkpoint().size < custody.LogState.objects.get().size  # type: ignore[union-attr]
    assert Worker().step() is True
    assert Worker().step() is False
    assert custody.latest_checkpoint().size == custody.LogState.objects.get().size  # type: ignore[union-attr]


def test_unknown_job_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        queue.enqueue("no.such.kind")


def test_a_log_that_cannot_be_sealed_stops_the_worker_while_other_chores_only_log(
    vault: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from docket.lib.chores import CHORES, Chore
    from docket.vault.keys import KeyUnavailable

    def flaky() -> bool:
        raise OSError("a passing hiccup")

    monkeypatch.setitem(CHORES, "test.flaky", Chore("test.flaky", 0, flaky))
    Worker().idle()  # the flaky chore is logged, by type only, and the worker goes on
    assert "chore test.flaky failed: OSError" in caplog.text
    assert "hiccup" not in caplog.text

    def gone() -> None:
        raise KeyUnavailable("the log signing key is gone")

    monkeypatch.setattr(custody, "seal", gone)
    with pytest.raises(KeyUnavailable):
        Worker().idle()


def test_n_processes_are_this_one_and_n_minus_one_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`docket worker --processes 3` works in its own process too (it has paid for its start
    already) and starts two more; a stop is passed on to them."""
    from django.core.management import call_command

    from docket.jobs.management.commands import worker as command

    started: list[list[str]] = []

    class Child:
        terminated = False

        def __init__(self, argv: list[str]) -> None:
            started.append(argv)

        def terminate(self) -> None:
            self.terminated = True

        def poll(self) -> int | None:
            return 0 if self.terminated else None

        def wait(self) -> int:
            return 0

    children: list[Child] = []

    def popen(argv: list[str]) -> Child:
        children.append(Child(argv))
        return children[-1]

    ran: list[bool] = []

    def run(self: Worker, *, until_idle: bool = False) -> None:
        ran.append(until_idle)
        self.stopping.set()  # as SIGTERM would

    monkeypatch.setattr(command.subprocess, "Popen", popen)
    monkeypatch.setattr(Worker, "run", run)
    call_command("worker", "--processes", "3", "--until-idle")
    assert ran == [True]
    assert len(started) == 2 and all(argv[-2:] == ["worker", "--until-idle"] for argv in started)
    assert all(child.terminated for child in children)
