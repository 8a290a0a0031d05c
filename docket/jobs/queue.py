"""The job queue: enqueue after commit, claim safely, run, retry with backoff.

Claiming uses SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL so any number of workers on any
number of machines take distinct jobs; on SQLite the IMMEDIATE write transaction serialises
claims, which is enough on one machine.

A job about what a sender did (`hourly=True`: the intake's jobs, enrichment of an item in the
intake compartment) keeps its times to the UTC hour like the rows it works on
(docket/lib/hours.py): a retry of one waits for the start of an hour, and a running one counts
as stale an hour later than others.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from docket.jobs.models import Job
from docket.lib import hours

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
#: kind -> handler. Apps register their job kinds here, in their AppConfig.ready().
HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return decorate


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    delay: float = 0,
    hourly: bool = False,
    once: bool = False,
) -> None:
    """Queue a job once the surrounding transaction commits (never for a rolled-back change);
    an `hourly` job's times say only the hour (see the module docstring). `once`: not if the
    same job is already waiting to run (it will see this change too)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")

    def create() -> None:
        waiting = Job.objects.filter(kind=kind, payload=payload or {}, state=Job.State.QUEUED)
        if once and waiting.exists():
            return
        now = _now(hourly)
        Job.objects.create(
            kind=kind,
            payload=payload or {},
            hourly=hourly,
            created_at=now,
            run_after=_later(now, delay, hourly),
        )

    transaction.on_commit(create)


def _now(hourly: bool) -> datetime:
    return hours.now() if hourly else timezone.now()


def _later(now: datetime, delay: float, hourly: bool) -> datetime:
    if not hourly or delay <= 0:
        return now + timedelta(seconds=delay)
    # The start of the first hour after the delay has passed.
    return hours.floor(timezone.now() + timedelta(seconds=delay)) + timedelta(hours=1)


_current: list[Job] = []


def current_job() -> Job | None:
    """The job this process is running now, for handlers that record it."""
    return _current[-1] if _current else None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim() -> Job | None:
    with transaction.atomic():
        due = Job.objects.filter(state=Job.State.QUEUED, run_after__lte=timezone.now())
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        job = due.order_by("run_after", "id").first()
        if job is None:
            return None
        job.state = Job.State.RUNNING
        job.attempts += 1
        job.claimed_by = worker_name()
        job.claimed_at = _now(job.hourly)
        job.save(update_fields=["state", "attempts", "claimed_by", "claimed_at"])
        return job


def backoff(attempts: int) -> float:
    """Seconds before a job that failed `attempts` times is tried again."""
    return float(min(3600, 5 * 4**attempts))


def run(job: Job) -> None:
    """Run a claimed job; a failure is recorded on the row and retried with backoff."""
    handler = HANDLERS.get(job.kind)
    _current.append(job)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        handler(job.payload)
    except Exception as exc:  # a job's failure must never stop the worker
        log.warning("job %s (%s) failed: %s", job.pk, job.kind, exc)
        job.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
        if job.attempts >= job.max_attempts:
            job.state = Job.State.FAILED
            job.finished_at = _now(job.hourly)
        else:
            job.state = Job.State.QUEUED
            job.run_after = _later(_now(job.hourly), backoff(job.attempts), job.hourly)
        job.save(update_fields=["error", "state", "finished_at", "run_after"])
        return
    finally:
        _current.pop()
    job.state = Job.State.DONE
    job.finished_at = _now(job.hourly)
    job.error = ""
    job.save(update_fields=["state", "finished_at", "error"])


def requeue_stale(older_than: timedelta = timedelta(hours=1)) -> int:
    """Jobs whose worker died mid-run go back to the queue (an hourly job's claim time may be
    up to an hour earlier than the claim: it gets that hour more)."""
    cutoff = timezone.now() - older_than
    stale = Q(hourly=False, claimed_at__lt=cutoff) | Q(
        hourly=True, claimed_at__lt=cutoff - timedelta(hours=1)
    )
    return Job.objects.filter(stale, state=Job.State.RUNNING).update(
        state=Job.State.QUEUED, run_after=hours.now()
    )
