"""`verify` finds every kind of damage and names the item or entry concerned."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from docket.vault import custody
from docket.vault.models import Checkpoint, CustodyEntry, Item
from docket.vault.store import store
from docket.vault.verify import verify


@pytest.fixture
def filled(vault: Path) -> list[Item]:
    items = [store(io.BytesIO(f"file {n}".encode() * 1000), actor="cli").item for n in range(4)]
    custody.seal()
    return items


def drop_append_only_triggers() -> None:
    """What an intruder with database access does first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ("vault_custodyentry", "vault_checkpoint"):
                for event in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER {table}_no_{event}")
        else:
            for table in ("vault_custodyentry", "vault_checkpoint"):
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")


def problems(report: Any) -> list[tuple[str, Any, str]]:
    return [(p["kind"], p["id"], p["problem"]) for p in report.problems]


def test_an_intact_vault_verifies(filled: list[Item]) -> None:
    report = verify(deep=True)
    assert report.ok, report.problems
    assert report.items == 4
    assert report.entries == CustodyEntry.objects.count()
    assert report.unsealed_entries == 0


def test_a_changed_byte_in_a_blob_names_the_item(filled: list[Item], vault: Path) -> None:
    victim = filled[2]
    path = vault / "vault" / victim.blob
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    report = verify()
    assert not report.ok
    assert problems(report) == [
        ("item", victim.pk, f"blob {victim.blob} has been altered (ciphertext hash)")
    ]


def test_a_deleted_blob_names_the_item(filled: list[Item], vault: Path) -> None:
    (vault / "vault" / filled[0].blob).unlink()
    [(kind, ref, message)] = problems(verify())
    assert (kind, ref) == ("item", filled[0].pk)
    assert "cannot be read" in message


def test_an_edited_custody_entry_is_caught_by_the_signed_root(filled: list[Item]) -> None:
    drop_append_only_triggers()
    entry = CustodyEntry.objects.filter(action="received").order_by("index")[1]
    forged = bytes(entry.leaf).replace(b'"actor":"cli"', b'"actor":"xyz"')
    from docket.vault import merkle

    # A careful forger recomputes the leaf hash too; the signed root still gives it away.
    CustodyEntry.objects.filter(index=entry.index).update(
        leaf=forged, leaf_hash=merkle.leaf_hash(forged)
    )
    report = verify()
    assert not report.ok
    assert any(
        kind == "checkpoint" and "were altered" in message for kind, _, message in problems(report)
    )


def test_an_edited_leaf_without_its_hash_names_the_entry(filled: list[Item]) -> None:
    drop_append_only_triggers()
    entry = CustodyEntry.objects.order_by("index")[2]
    CustodyEntry.objects.filter(index=entry.index).update(
        leaf=bytes(entry.leaf).replace(b"cli", b"abc")
    )
    assert ("entry", entry.index, "leaf bytes do not match the stored leaf hash") in problems(
        verify()
    )


def test_a_deleted_custody_entry_is_named(filled: list[Item]) -> None:
    drop_append_only_triggers()
    CustodyEntry.objects.filter(index=3).delete()
    assert ("entry", 3, "custody entry is missing (deleted?)") in problems(verify())


def test_a_changed_item_hash_differs_from_the_signed_entry(filled: list[Item]) -> None:
    Item.objects.filter(pk=filled[1].pk).update(sha256="0" * 64)
    assert ("item", filled[1].pk, "sha256 differs from the signed custody entry") in problems(
        verify()
    )


def test_a_deleted_item_row_is_named(filled: list[Item]) -> None:
    Item.objects.filter(pk=filled[3].pk).delete()
    report = verify()
    assert ("item", filled[3].pk, "item is in the custody log but not in the database") in problems(
        report
    )
    assert report.stray_blobs == 1


def test_a_forged_checkpoint_signature_is_named(filled: list[Item]) -> None:
    drop_append_only_triggers()
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest is not None
    Checkpoint.objects.filter(pk=latest.pk).update(
        note=latest.note.replace(f"\n{latest.size}\n", f"\n{latest.size + 1}\n")
    )
    assert any(
        kind == "checkpoint" and "signature" in message for kind, _, message in problems(verify())
    )


def test_deep_verification_decrypts_every_blob(filled: list[Item], settings: Any) -> None:
    assert verify(deep=True).ok
    settings.VAULT_PASSPHRASE = None
    from docket.vault.keys import KeyUnavailable

    with pytest.raises(KeyUnavailable):
        verify(deep=True)
