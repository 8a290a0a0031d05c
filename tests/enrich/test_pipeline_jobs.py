"""Which job runs which enricher: a picture's quick steps in its own item job, on one decryption
of the original, each still in a fresh box; slow steps in jobs of their own; a quick step that
fails for a reason not the file's retried alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from docket.enrich import pipeline, registry
from docket.enrich.base import Context, Outcome
from docket.enrich.models import Capture, PerceptualHash, Run, TextPage
from docket.intake.models import intake_compartment
from docket.jobs.models import Job
from docket.lib.sandbox import Box
from docket.vault.models import CustodyEntry, Item
from tests.enrich.test_pipeline import _move, runs
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.personas import Team

QUICK_ON_A_PICTURE = ("metadata", "thumbnails", "pdq", "ocr", "clean")


def reads(item: Item) -> int:
    return CustodyEntry.objects.filter(item=item, action="read").count()


def boxes_used(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, str]]:
    """(box, program) for every tool run from now on."""
    used: list[tuple[Path, str]] = []
    real_run = Box.run

    def run(self: Box, argv: list[str], **kwargs: Any) -> Any:
        used.append((self.path, Path(argv[0]).name))
        return real_run(self, argv, **kwargs)

    monkeypatch.setattr(Box, "run", run)
    return used


def test_a_pictures_quick_steps_share_one_decryption_each_in_a_fresh_box(
    enriching: Enriching, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "photo.jpg"
    media.photo(path, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    item = enriching.put(path)
    used = boxes_used(monkeypatch)
    enriching.work()
    assert runs(item.pk) == dict.fromkeys(("filetype", *QUICK_ON_A_PICTURE), ("done", ""))
    assert reads(item) == 1, "one logged read of the original for all six steps"
    (job,) = Job.objects.filter(kind="enrich.item")
    assert not Job.objects.filter(kind="enrich.run").exists()
    assert set(Run.objects.filter(item=item).values_list("job", flat=True)) == {job.pk}
    # Still a fresh box for every step: no step's tools share a box with another's.
    by_box: dict[Path, set[str]] = {}
    for box_path, program in used:
        by_box.setdefault(box_path, set()).add(program)
    assert len(by_box) == 6, by_box
    assert {"tesseract"} in by_box.values() and {"exiftool"} in by_box.values()
    # Every result is there.
    assert Capture.objects.get(item=item).device == "TestCam X1"
    assert PerceptualHash.objects.filter(item=item).count() == 1


def test_slow_steps_get_jobs_of_their_own(enriching: Enriching, tmp_path: Path) -> None:
    path = tmp_path / "directive.pdf"
    path.write_bytes(media.pdf("Order 17: clear the square by midnight"))
    item = enriching.put(path)
    enriching.work()
    assert {name: state for name, (state, _) in runs(item.pk).items()} == dict.fromkeys(
        ("filetype", "metadata", "ocr", "clean"), "done"
    )
    # A PDF's pages and its clean copy may take long: any worker takes them, one job each.
    ran_alone = {job.payload["enricher"] for job in Job.objects.filter(kind="enrich.run")}
    assert ran_alone == {"ocr", "clean"}
    (item_job,) = Job.objects.filter(kind="enrich.item")
    assert Run.objects.get(item=item, enricher="metadata").job_id == item_job.pk
    assert Run.objects.get(item=item, enricher="ocr").job_id != item_job.pk
    assert reads(item) == 3
    assert "clear the square" in TextPage.objects.get(item=item, page=1).text


def test_a_quick_step_that_fails_unexpectedly_is_retried_alone(
    enriching: Enriching, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdq = registry.by_name("pdq").implementation
    real_enrich = pdq.enrich

    def broken(context: Context) -> Outcome:
        raise OSError("disk full")  # not the file's fault

    monkeypatch.setattr(pdq, "enrich", broken)
    path = tmp_path / "photo.jpg"
    media.jpeg(path)
    item = enriching.put(path)
    enriching.work()
    state = runs(item.pk)
    assert state["pdq"][0] == "failed" and "disk full" in state["pdq"][1]
    # The steps after it ran, and keep their results.
    assert {name: s for name, (s, _) in state.items() if name != "pdq"} == dict.fromkeys(
        ("filetype", "metadata", "thumbnails", "ocr", "clean"), "done"
    )
    (retry,) = Job.objects.filter(kind="enrich.run")
    assert retry.payload == {"item": item.pk, "enricher": "pdq"}
    assert retry.run_after > timezone.now(), "retried later, as a failed job would be"
    # When it is due, only that step runs again.
    monkeypatch.setattr(pdq, "enrich", real_enrich)
    Job.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    enriching.work()
    assert runs(item.pk)["pdq"] == ("done", "")
    assert PerceptualHash.objects.filter(item=item).count() == 1
    attempts = dict(Run.objects.filter(item=item).values_list("enricher", "attempts"))
    assert attempts == {"filetype": 1, "metadata": 1, "thumbnails": 1, "ocr": 1, "clean": 1,
                        "pdq": 2}  # fmt: skip


def test_a_step_that_changes_the_original_in_its_box_does_not_change_the_next_steps(
    enriching: Enriching, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """A tool taken over by the file could rewrite the original in its box: the next step
    then reads it from the vault again, not from there."""
    thumbnails = registry.by_name("thumbnails").implementation
    real_enrich = thumbnails.enrich

    def tampering(context: Context) -> Outcome:
        outcome: Outcome = real_enrich(context)
        context.original.write_bytes(b"not the original")
        return outcome

    monkeypatch.setattr(thumbnails, "enrich", tampering)
    seen: list[bytes] = []
    pdq = registry.by_name("pdq").implementation
    real_pdq = pdq.enrich

    def looking(context: Context) -> Outcome:
        seen.append(context.original.read_bytes())
        return real_pdq(context)  # type: ignore[no-any-return]

    monkeypatch.setattr(pdq, "enrich", looking)
    path = tmp_path / "photo.jpg"
    original = media.jpeg(path)
    item = enriching.put(path)
    enriching.work()
    assert seen == [original]
    assert runs(item.pk)["pdq"] == ("done", "")
    assert reads(item) == 2
    assert "changed in a sandbox box" in caplog.text


def test_waiting_steps_still_wait_for_triage_then_run_together(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    media.photo(path, latitude=53.9, longitude=27.56, taken="2020:08:11 01:00:00", offset="+03:00")
    item = enriching.put(path, compartment=intake_compartment())
    enriching.work()
    assert {name: state for name, (state, _) in runs(item.pk).items()} == {
        "filetype": "done", "thumbnails": "done", "clean": "done",
        "metadata": "waiting", "pdq": "waiting", "ocr": "waiting",
    }  # fmt: skip
    assert not Capture.objects.filter(item=item).exists()
    assert not TextPage.objects.filter(item=item).exists()
    assert reads(item) == 1
    # A job for a waiting step that comes while the item is still in the intake (a retry,
    # say) puts it back to waiting, unrun.
    with enriching.capture(execute=True):
        pipeline._queue_run(Item.objects.get(pk=item.pk), "metadata", "ocr")
    enriching.work()
    assert runs(item.pk)["metadata"][0] == runs(item.pk)["ocr"][0] == "waiting"
    assert not Capture.objects.filter(item=item).exists()
    # Triage: the three waiting steps, all quick on a picture, run in one job.
    Job.objects.all().delete()
    with enriching.capture(execute=True):
        _move(Item.objects.get(pk=item.pk), team.a)
    (job,) = Job.objects.filter(kind="enrich.run")
    assert sorted(job.payload["enrichers"]) == ["metadata", "ocr", "pdq"]
    before = reads(item)
    enriching.work()
    assert {state for state, _ in runs(item.pk).values()} == {"done"}
    assert reads(item) == before + 1
    assert Capture.objects.get(item=item).sealed is not None
