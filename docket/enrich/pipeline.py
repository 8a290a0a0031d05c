"""The enrichment jobs, queued for every new original (not for derived files).

`enrich.item` {item}:
  1. open a fresh sandbox box and decrypt the original into it (a logged read);
  2. detect its type (libmagic), which decides the enrichers that apply;
  3. give each of them a Run row and queue one `enrich.run` job, so many workers share the
     work of one video and a slow transcript never holds back a thumbnail. While the item sits
     in the intake compartment only the enrichers that run before triage are queued; the
     others get a Run row that waits, and are queued when triage moves the item
     (`store.ON_MOVED`; docket/enrich/sealed.py says why).
`enrich.run` {item, enricher}:
  1. open a box and decrypt the original into it (an enricher that waits for triage is put
     back to waiting, unrun, while the item is still in the intake compartment);
  2. run the enricher;
  3. record the outcome on its Run row: done; not applicable; failed because the file defeated
     a tool (SandboxError: kept, never retried, the same bytes fail the same way); or failed
     for another reason (recorded, then raised so the job is retried with backoff).
The item itself is never touched: whatever happens here, the original stays in the vault.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction

from docket.accounts.models import Compartment
from docket.enrich import registry, sealed, text
from docket.enrich.base import Context, Enricher, NotApplicable
from docket.enrich.models import FileType, IntakeOriginal, Run
from docket.jobs import queue
from docket.lib.sandbox import SandboxError, box
from docket.vault import store
from docket.vault.models import Item

log = logging.getLogger(__name__)
ACTOR = "enrich"


def queue_item(item: Item) -> None:
    """Queue the enrichment of an item (after the surrounding transaction commits)."""
    queue.enqueue("enrich.item", {"item": item.pk}, hourly=sealed.in_intake(item))


def on_stored(item: Item, details: dict[str, Any]) -> None:
    # A thumbnail is not enriched again: that would never end.
    if "derived_from" in details:
        return
    # Marked whether or not it is enriched now: it may be later, and after triage. A copy of an
    # intake original (triage copies a file two senders sent) is one too.
    copied_from = details.get("copied_from")
    if sealed.in_intake(item) or (
        copied_from is not None and IntakeOriginal.objects.filter(item_id=copied_from).exists()
    ):
        IntakeOriginal.objects.create(item=item)
    if settings.ENRICH_ON_STORE:
        # Its first Run row now, in the item's own transaction: progress counts it at once.
        Run.objects.create(item=item, enricher=registry.FIRST.DECLARATION.name)
        queue_item(item)


def on_moved(item: Item, source: Compartment) -> None:
    """Out of the intake compartment: queue the enrichers that waited for triage. Only an
    original has waiting runs (derived files are never enriched). An item whose type is not
    known yet has none: `enrich.item` sees where it is now, after this move commits."""
    if source.name != settings.INTAKE_COMPARTMENT or sealed.in_intake(item):
        return
    for run in Run.objects.filter(item=item, state=Run.State.WAITING):
        _queue_run(item, run.enricher)


store.ON_NEW_ITEM.append(on_stored)
store.ON_MOVED.append(on_moved)


def _queue_run(item: Item, name: str) -> None:
    Run.objects.update_or_create(
        item=item, enricher=name, defaults={"state": Run.State.QUEUED, "error": "", "job": None}
    )
    queue.enqueue("enrich.run", {"item": item.pk, "enricher": name}, hourly=sealed.in_intake(item))


def _waits(item_pk: int, enricher: Enricher) -> bool:
    """Whether the enricher must wait for triage; the item's row is locked until the caller's
    transaction ends, so a move that commits meanwhile finds the waiting run (or this sees the
    move)."""
    if enricher.DECLARATION.before_triage:
        return False
    item = Item.objects.select_for_update().select_related("compartment").get(pk=item_pk)
    return sealed.in_intake(item)


@contextmanager
def _opened(item: Item) -> Iterator[Context]:
    with box() as opened:
        original = opened.put("original", store.read(item, actor=ACTOR))
        found = FileType.objects.filter(item=item).first()
        yield Context(
            item=item,
            box=opened,
            original=original,
            kind=found.kind if found else "other",
            mime=found.mime if found else "",
        )


@queue.register("enrich.item")
def enrich_item(payload: dict[str, Any]) -> None:
    item = Item.objects.get(pk=payload["item"])
    first = registry.FIRST
    # 1. The original, in a fresh box.
    with _opened(item) as context:
        # 2. Its type.
        if not _attempt(first, context):
            return
    # 3. The enrichers that apply, one job each (or a waiting run: see the module docstring).
    with transaction.atomic():
        for enricher in registry.applicable(context.kind):
            name = enricher.DECLARATION.name
            if _waits(item.pk, enricher):
                Run.objects.update_or_create(
                    item=item, enricher=name,
                    defaults={"state": Run.State.WAITING, "error": "", "job": None},
                )  # fmt: skip
            else:
                _queue_run(item, name)


@queue.register("enrich.run")
def enrich_run(payload: dict[str, Any]) -> None:
    item = Item.objects.get(pk=payload["item"])
    enricher = registry.by_name(payload["enricher"])
    with transaction.atomic():
        if _waits(item.pk, enricher):
            Run.objects.update_or_create(
                item=item, enricher=enricher.DECLARATION.name,
                defaults={"state": Run.State.WAITING, "error": "", "job": None},
            )  # fmt: skip
            return
    # 1. The original, in a fresh box; 2. and 3. in _attempt.
    with _opened(item) as context:
        _attempt(enricher, context)


def _attempt(enricher: Enricher, context: Context) -> bool:
    """Run one enricher and record how it went; True if it succeeded."""
    name = enricher.DECLARATION.name
    run, _ = Run.objects.get_or_create(item=context.item, enricher=name)
    run.attempts += 1
    run.job = queue.current_job()
    started = time.monotonic()
    try:
        outcome = enricher.enrich(context)
    except NotApplicable as reason:
        _finish(run, Run.State.SKIPPED, started, error=str(reason))
        return False
    except SandboxError as exc:
        log.info("%s failed on item %s: %s", name, context.item.pk, exc)
        _finish(run, Run.State.FAILED, started, error=str(exc))
        return False
    except Exception as exc:
        # Not the file's fault (a database or storage error, a missing program): recorded on
        # the item, then retried by the queue.
        message = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        _finish(run, Run.State.FAILED, started, error=message)
        raise
    run.tool, run.version = outcome.tool, outcome.version[:100]
    if enricher.DECLARATION.searchable:
        text.index_item(context.item)
    _finish(run, Run.State.DONE, started, error="")
    return True


def _finish(run: Run, state: str, started: float, *, error: str) -> None:
    run.state = state
    run.error = error
    run.seconds = round(time.monotonic() - started, 3)
    run.save()
