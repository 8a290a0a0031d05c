"""The enrichment jobs, queued for every new original (not for derived files).

`enrich.item` {item}:
  1. open a fresh sandbox box and decrypt the original into it (a logged read);
  2. detect its type (libmagic), which decides the enrichers that apply;
  3. give each of them a Run row. A slow one (on this kind of file: a video's frames, speech,
     a PDF's pages) gets an `enrich.run` job of its own, so many workers share the work of one
     video and a slow transcript never holds back a thumbnail. While the item sits in the
     intake compartment only the enrichers that run before triage start; the others get a Run
     row that waits, and are queued when triage moves the item (`store.ON_MOVED`, the quick
     ones in one job; docket/enrich/sealed.py says why);
  4. run the quick ones here (`Declaration.quick`: a picture's thumbnail, hash and OCR), one
     after the other, each in a fresh box holding a copy of the one decrypted original
     (`_Boxes`: no second read of the vault, unless a tool changed the copy), each recorded on
     its own Run row as `enrich.run` records it. One that fails for a reason not the file's is
     retried alone, as an `enrich.run` job of its own, after the queue's first backoff;
  5. index the item for search once, after them all.
`enrich.run` {item, enricher} (or {item, enrichers}: quick ones, run as in 4 and 5):
  1. open a box and decrypt the original into it (an enricher that waits for triage is put
     back to waiting, unrun, while the item is still in the intake compartment);
  2. run the enricher;
  3. record the outcome on its Run row: done; not applicable; failed because the file defeated
     a tool (SandboxError: kept, never retried, the same bytes fail the same way); or failed
     for another reason (recorded, then raised so the job is retried with backoff).
The item itself is never touched: whatever happens here, the original stays in the vault.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from docket.accounts.models import Compartment
from docket.enrich import registry, sealed, text
from docket.enrich.base import Context, Enricher, NotApplicable
from docket.enrich.models import FileType, IntakeOriginal, Run
from docket.jobs import queue
from docket.lib.sandbox import Box, SandboxError, box
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
    found = FileType.objects.filter(item=item).first()
    kind = found.kind if found else "other"
    waiting = [
        registry.by_name(r.enricher) for r in Run.objects.filter(item=item, state=Run.State.WAITING)
    ]
    quick = [e.DECLARATION.name for e in waiting if kind in e.DECLARATION.quick]
    if quick:
        _queue_run(item, *quick)  # one job, one decryption
    for enricher in waiting:
        if enricher.DECLARATION.name not in quick:
            _queue_run(item, enricher.DECLARATION.name)


store.ON_NEW_ITEM.append(on_stored)
store.ON_MOVED.append(on_moved)


def _queue_run(item: Item, *names: str) -> None:
    """One `enrich.run` job for the enrichers named (several: quick ones, in turn)."""
    for name in names:
        Run.objects.update_or_create(
            item=item, enricher=name, defaults={"state": Run.State.QUEUED, "error": "", "job": None}
        )
    payload: dict[str, Any] = {"item": item.pk}
    if len(names) == 1:
        payload["enricher"] = names[0]
    else:
        payload["enrichers"] = list(names)
    queue.enqueue("enrich.run", payload, hourly=sealed.in_intake(item))


def _wait_for_triage(item: Item, name: str) -> None:
    Run.objects.update_or_create(
        item=item, enricher=name, defaults={"state": Run.State.WAITING, "error": "", "job": None}
    )


def _waits(item_pk: int, enricher: Enricher) -> bool:
    """Whether the enricher must wait for triage; the item's row is locked until the caller's
    transaction ends, so a move that commits meanwhile finds the waiting run (or this sees the
    move)."""
    if enricher.DECLARATION.before_triage:
        return False
    item = Item.objects.select_for_update().select_related("compartment").get(pk=item_pk)
    return sealed.in_intake(item)


class _Boxes:
    """The fresh boxes one job's enrichers run in, one box each, sharing one decryption of the
    original: the first box gets it from the vault (a logged read); each next one a copy of
    the box before's, once its bytes are checked to be still the original's (SHA-256): a tool
    taken over by the file could have changed them there. Then the vault is read again."""

    def __init__(self, item: Item) -> None:
        self.item = item
        self._held: ExitStack | None = None
        self._original: Path | None = None

    def __enter__(self) -> _Boxes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> Context:
        """A fresh box with the original in it; the box before is removed."""
        stack = ExitStack()
        try:
            opened = stack.enter_context(box())
            original = self._carried(opened) if self._original is not None else None
            if original is None:
                original = opened.put("original", store.read(self.item, actor=ACTOR))
        except BaseException:
            stack.close()
            raise
        self.close()
        self._held, self._original = stack, original
        found = FileType.objects.filter(item=self.item).first()
        return Context(
            item=self.item,
            box=opened,
            original=original,
            kind=found.kind if found else "other",
            mime=found.mime if found else "",
        )

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
        self._held = self._original = None

    def _carried(self, opened: Box) -> Path | None:
        """A copy of the box before's original, or None if its bytes are not the original's
        any more (nothing runs in that box now: a parser's processes die with it)."""
        assert self._original is not None
        digest = hashlib.sha256()
        try:
            fd = os.open(self._original, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            fd = -1
        if fd >= 0:
            with os.fdopen(fd, "rb") as source:
                if stat.S_ISREG(os.fstat(source.fileno()).st_mode):

                    def chunks() -> Iterator[bytes]:
                        while chunk := source.read(1024 * 1024):
                            digest.update(chunk)
                            yield chunk

                    copy = opened.put("original", chunks())
                    if digest.hexdigest() == self.item.sha256:
                        return copy
                    copy.unlink()
        log.warning("item %s: its original changed in a sandbox box; read again", self.item.pk)
        return None


@contextmanager
def _opened(item: Item) -> Iterator[Context]:
    with _Boxes(item) as boxes:
        yield boxes.open()


@queue.register("enrich.item")
def enrich_item(payload: dict[str, Any]) -> None:
    item = Item.objects.get(pk=payload["item"])
    with _Boxes(item) as boxes:
        # 1. The original, in a fresh box; 2. its type.
        context = boxes.open()
        if not _attempt(registry.FIRST, context, index=False):
            return
        # 3. The enrichers that apply: a job each, the quick ones here, or a waiting run.
        quick, job = [], queue.current_job()
        with transaction.atomic():
            for enricher in registry.applicable(context.kind):
                name = enricher.DECLARATION.name
                if _waits(item.pk, enricher):
                    _wait_for_triage(item, name)
                elif context.kind in enricher.DECLARATION.quick:
                    quick.append(enricher)
                    Run.objects.update_or_create(
                        item=item, enricher=name,
                        defaults={"state": Run.State.QUEUED, "error": "", "job": job},
                    )  # fmt: skip
                else:
                    _queue_run(item, name)
        # 4. The quick ones, each in a fresh box; the item indexed once, after them all.
        _in_turn(boxes, quick, searched=True)


@queue.register("enrich.run")
def enrich_run(payload: dict[str, Any]) -> None:
    item = Item.objects.get(pk=payload["item"])
    enrichers = [
        registry.by_name(name) for name in payload.get("enrichers", [payload.get("enricher")])
    ]
    with transaction.atomic():
        waiting = [e for e in enrichers if _waits(item.pk, e)]
        for enricher in waiting:
            _wait_for_triage(item, enricher.DECLARATION.name)
    ready = [e for e in enrichers if e not in waiting]
    if len(ready) > 1:
        with _Boxes(item) as boxes:
            _in_turn(boxes, ready, searched=False)
    elif ready:
        # 1. The original, in a fresh box; 2. and 3. in _attempt.
        with _opened(item) as context:
            _attempt(ready[0], context)


def _in_turn(boxes: _Boxes, enrichers: list[Enricher], *, searched: bool) -> None:
    """Run quick enrichers one after the other, each in a fresh box, then index the item once
    (also when `searched`: an enricher before them wrote words). One that fails for a reason
    not the file's is retried alone, in a job of its own; the others' results stay."""
    item = boxes.item
    for enricher in enrichers:
        context = boxes.open()  # a vault or disk failure: the whole job is retried
        try:
            done = _attempt(enricher, context, index=False)
        except Exception:
            # Its Run row says why; the queue's first retry comes as late as a job's would.
            queue.enqueue(
                "enrich.run", {"item": item.pk, "enricher": enricher.DECLARATION.name},
                delay=queue.backoff(1), hourly=sealed.in_intake(item),
            )  # fmt: skip
            continue
        searched = searched or (done and enricher.DECLARATION.searchable)
    boxes.close()
    if searched:
        text.index_item(item)


def _attempt(enricher: Enricher, context: Context, *, index: bool = True) -> bool:
    """Run one enricher and record how it went; True if it succeeded. A searchable one
    indexes the item after, unless the caller does it once for several (`index`)."""
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
    if index and enricher.DECLARATION.searchable:
        text.index_item(context.item)
    _finish(run, Run.State.DONE, started, error="")
    return True


def _finish(run: Run, state: str, started: float, *, error: str) -> None:
    run.state = state
    run.error = error
    run.seconds = round(time.monotonic() - started, 3)
    run.save()
