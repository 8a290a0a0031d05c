"""Storing originals: one durable encrypted blob per content, custody in the same transaction,
reads logged, and nothing reported stored when the disk fails."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from docket.vault import custody, keys
from docket.vault.models import Checkpoint, CustodyEntry, Item
from docket.vault.store import read, store

TESTIMONY = "Они били нас дубинками на Акрестина, 11.08.2020".encode()


def blobs_under(root: Path) -> list[Path]:
    return [p for p in (root / "vault").rglob("*.age")]


def test_it_stores_an_encrypted_blob_and_a_received_entry(vault: Path) -> None:
    result = store(io.BytesIO(TESTIMONY), actor="user:1:ana", details={"via": "test"})

    item = Item.objects.get()
    assert result.created and result.item == item
    assert item.size == len(TESTIMONY)
    [blob] = blobs_under(vault)
    assert TESTIMONY not in blob.read_bytes()
    assert blob.read_bytes().startswith(b"age-encryption.org/v1\n")
    entry = CustodyEntry.objects.get(item=item)
    leaf = json.loads(bytes(entry.leaf))
    assert leaf["action"] == "received"
    assert leaf["sha256"] == item.sha256
    assert leaf["details"]["blob_sha256"] == item.blob_sha256
    assert leaf["actor"] == "user:1:ana"


def test_a_known_file_is_received_again_not_stored_twice(vault: Path) -> None:
    first = store(io.BytesIO(TESTIMONY), actor="cli")
    second = store(io.BytesIO(TESTIMONY), actor="cli")

    assert not second.created and second.item == first.item
    assert Item.objects.count() == 1
    assert len(blobs_under(vault)) == 1
    assert list(CustodyEntry.objects.filter(item=first.item).values_list("action", flat=True)) == [
        "received",
        "received again",
    ]
    assert not any((vault / "vault" / ".staging").iterdir())


def test_a_read_returns_the_original_and_is_logged_first(vault: Path) -> None:
    item = store(io.BytesIO(TESTIMONY), actor="cli").item
    assert b"".join(read(item, actor="user:2:bo")) == TESTIMONY
    last = CustodyEntry.objects.order_by("-index").first()
    assert last is not None and last.action == "read" and last.item == item
    assert json.loads(bytes(last.leaf))["actor"] == "user:2:bo"


def test_a_process_with_only_the_public_key_stores_but_cannot_read(
    vault: Path, settings: Any
) -> None:
    settings.VAULT_PASSPHRASE = None
    item = store(io.BytesIO(TESTIMONY), actor="intake").item
    reads_before = CustodyEntry.objects.filter(action="read").count()
    with pytest.raises(keys.KeyUnavailable, match="only the vault's public key"):
        read(item, actor="intake")
    assert CustodyEntry.objects.filter(action="read").count() == reads_before


def test_a_failing_fsync_stores_nothing(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output"):
        store(io.BytesIO(TESTIMONY), actor="cli")
    monkeypatch.undo()
    assert Item.objects.count() == 0
    assert blobs_under(vault) == []
    assert not CustodyEntry.objects.filter(action="received").exists()


def test_the_database_refuses_to_change_or_delete_custody_rows(vault: Path) -> None:
    store(io.BytesIO(TESTIMONY), actor="cli")
    for statement in (
        "UPDATE vault_custodyentry SET action = 'nothing'",
        "DELETE FROM vault_custodyentry",
        "DELETE FROM vault_checkpoint",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)


def test_entries_are_numbered_densely_and_sealed_incrementally(vault: Path) -> None:
    for n in range(5):
        store(io.BytesIO(TESTIMONY + bytes([n])), actor="cli")
    first = custody.seal()
    assert first is not None
    indexes = list(CustodyEntry.objects.values_list("index", flat=True))
    assert indexes == list(range(len(indexes)))
    assert first.size == len(indexes)
    assert custody.seal() is None  # nothing new
    store(io.BytesIO(b"one more"), actor="cli")
    second = custody.seal()
    assert second is not None and second.size == first.size + 1
    assert Checkpoint.objects.count() >= 2
