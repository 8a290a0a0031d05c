"""Small files are stored in batches: nothing of a batch is reported before the whole batch is
durable (its blobs' directories fsynced, its rows and custody entries committed), and a crash
in the middle of a batch loses nothing that was reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from docket.ingest import files
from docket.ingest.files import Summary, import_files, walk
from docket.lib.storage import BlobStore
from docket.vault import custody
from docket.vault.models import CustodyEntry, Item
from docket.vault.store import Stored, read
from tests.support.media import write_files


def test_a_crash_inside_a_batch_reports_none_of_it(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = write_files(tmp_path / "in", {f"in/{n:02d}.bin": 20_000 + n for n in range(10)})
    found = list(walk([tmp_path / "in"], Summary()))
    monkeypatch.setattr(files, "BATCH_FILES", 4)  # batches of 4, 4 and 2 files
    synced: list[str] = []
    real_sync, real_append = BlobStore.sync_dirs, custody.append

    def sync_dirs(self: BlobStore, names: list[str]) -> None:
        real_sync(self, names)
        synced.extend(names)

    appended = 0

    def append(action: str, **kwargs: object) -> CustodyEntry:
        nonlocal appended
        appended += 1
        if appended == 6:  # the second entry of the second batch
            raise RuntimeError("the process dies here")
        return real_append(action, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(BlobStore, "sync_dirs", sync_dirs)
    monkeypatch.setattr(custody, "append", append)
    reported: list[Stored] = []

    def on_stored(_: files.Found, result: Stored) -> None:
        # Reported only once its blob's directory is fsynced and its row committed.
        assert result.item.blob in synced
        assert Item.objects.filter(pk=result.item.pk).exists()
        reported.append(result)

    with pytest.raises(RuntimeError):
        import_files(found, Summary(), actor="test", on_stored=on_stored)
    assert len(reported) == 4, "the first batch, whole, and nothing of the second"
    assert Item.objects.count() == 4
    assert not list((vault / "vault" / ".staging").glob("*.part")), "staging files removed"

    # Run again: what was reported is received again, the rest is stored, all of it whole.
    monkeypatch.setattr(custody, "append", real_append)
    reported.clear()
    summary = import_files(found, Summary(), actor="test", on_stored=on_stored)
    assert (summary.stored, summary.received_again, summary.failed) == (6, 4, [])
    assert len(reported) == 10 and Item.objects.count() == 10
    expected = {hashlib.sha256(data).hexdigest() for data in made.values()}
    for item in Item.objects.all():
        assert hashlib.sha256(b"".join(read(item, actor="test"))).hexdigest() in expected
    assert {item.sha256 for item in Item.objects.all()} == expected
    received = CustodyEntry.objects.filter(action="received").count()
    assert received == 10


def test_a_file_given_twice_in_one_batch_is_stored_once(vault: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "in" / name).write_bytes(b"the same protocol, twice")
    found = list(walk([tmp_path / "in"], Summary()))
    results: list[Stored] = []
    summary = import_files(found, Summary(), actor="test", on_stored=lambda _, r: results.append(r))
    assert (summary.stored, summary.received_again) == (1, 1)
    assert [r.created for r in results] == [True, False]
    assert results[0].item.pk == results[1].item.pk
    assert CustodyEntry.objects.filter(action="received again").count() == 1


def test_an_import_is_found_by_its_file_names_at_once(vault: Path, tmp_path: Path) -> None:
    """index_items asks the items' facts a chunk at a time; each item still gets its own."""
    from django.utils import timezone

    from docket.ingest.models import Batch
    from docket.register.models import SearchEntry
    from docket.vault.store import default_compartment

    (tmp_path / "in").mkdir()
    for n, name in enumerate(("okrestina-protocol.txt", "badge-4417.txt", "kupalovskaya.txt")):
        (tmp_path / "in" / name).write_bytes(b"statement %d" % n)
    batch = Batch.objects.create(
        source=Batch.Source.FILES, label="in", compartment=default_compartment(),
        actor="test", started_at=timezone.now(),
    )  # fmt: skip
    results: dict[str, int] = {}
    found = list(walk([tmp_path / "in"], Summary()))
    import_files(
        found, Summary(), actor="test", batch=batch,
        on_stored=lambda f, r: results.update({f.path.name: r.item.pk}),
    )  # fmt: skip
    words = {e.object_id: e.words for e in SearchEntry.objects.filter(kind="item")}
    assert "okrestina" in words[results["okrestina-protocol.txt"]]
    assert "4417" not in words[results["okrestina-protocol.txt"]]
    assert "4417" in words[results["badge-4417.txt"]]
    assert "kupalovskaya" in words[results["kupalovskaya.txt"]]
