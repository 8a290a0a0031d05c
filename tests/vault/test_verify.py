"""`verify` finds every kind of damage and names the item or entry concerned."""

from __future__ import annotations

import io
import json
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
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


def test_an_entry_far_beyond_the_end_is_named_not_filled_up_to(filled: list[Item]) -> None:
    drop_append_only_triggers()
    entry = CustodyEntry.objects.order_by("index").last()
    assert entry is not None
    CustodyEntry.objects.filter(pk=entry.pk).update(index=4 * 10**18)
    found = problems(verify())
    assert ("entry", 4 * 10**18, f"custody entry {4 * 10**18} lies beyond the log's end") in found
    assert ("log", None, f"the log state says {entry.index + 1} entries, the table has 4") in found


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


# A checkpoint kept outside (`docket verify --against`), compartments, malformed rows.


def log_head() -> str:
    """What a partner keeps: `docket log head` exactly as it prints it."""
    out = io.StringIO()
    call_command("log", "head", stdout=out)
    return out.getvalue()


def verify_command(*args: str) -> tuple[int, str, str]:
    """`docket verify ARGS` in this process: (exit status, stdout, stderr); any exception
    other than the exit itself fails the test, as a traceback would."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):  # --json writes to sys.stdout
            call_command("verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def kept_problems(report: Any) -> list[tuple[Any, str]]:
    return [(ref, message) for kind, ref, message in problems(report) if kind == "checkpoint"]


def test_a_kept_head_of_an_untouched_log_passes_also_once_the_log_has_grown(
    filled: list[Item], tmp_path: Path
) -> None:
    kept = tmp_path / "head.txt"
    kept.write_text(log_head())
    assert verify_command("--against", str(kept))[0] == 0
    store(io.BytesIO(b"a later file"), actor="cli")
    assert verify(against=kept.read_text()).ok  # not yet sealed: proved against the entries
    custody.seal()
    status, out, err = verify_command("--against", str(kept))
    assert (status, err) == (0, ""), err
    assert out.rstrip().endswith("OK")


def delete_tail(start: int) -> None:
    """A seized server's intruder removes entries from `start` on, the checkpoints that
    cover them and the items they record, lowers the log state and signs a checkpoint again
    with the key they found on the disk."""
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM vault_checkpoint WHERE size > %s", [start])
        cursor.execute(
            'SELECT DISTINCT item_id FROM vault_custodyentry WHERE "index" >= %s', [start]
        )
        gone = [row[0] for row in cursor.fetchall() if row[0] is not None]
        cursor.execute('DELETE FROM vault_custodyentry WHERE "index" >= %s', [start])
        for item in gone:
            cursor.execute("DELETE FROM vault_item WHERE id = %s", [item])
        cursor.execute("UPDATE vault_logstate SET size = %s WHERE id = 1", [start])
    custody.seal()


def test_a_deleted_tail_passes_plain_verify_but_not_the_kept_head(filled: list[Item]) -> None:
    kept = log_head()
    size = custody.head().tree_size
    last = CustodyEntry.objects.get(action="received", item=filled[-1]).index
    delete_tail(last)
    assert verify().ok, "what issue 17 describes: the database alone cannot tell"

    report = verify(against=kept)
    assert not report.ok
    [(ref, message)] = kept_problems(report)
    assert ref == size
    assert f"covers {size} entries" in message and f"only {last}" in message
    assert "deleted" in message


def test_a_rewritten_and_signed_again_history_fails_against_the_kept_head(
    filled: list[Item],
) -> None:
    kept = log_head()
    size = custody.head().tree_size
    drop_append_only_triggers()
    entry = CustodyEntry.objects.filter(action="received").order_by("index")[1]
    forged = bytes(entry.leaf).replace(b'"actor":"cli"', b'"actor":"xyz"')
    from docket.vault import merkle

    CustodyEntry.objects.filter(index=entry.index).update(
        leaf=forged, leaf_hash=merkle.leaf_hash(forged)
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM vault_checkpoint")
    custody.seal()  # the intruder signs the rewritten log with the key found on the disk
    assert verify().ok

    [(ref, message)] = kept_problems(verify(against=kept))
    assert ref == size and "rewritten" in message


def test_a_note_signed_by_another_key_fails(filled: list[Item], tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from docket.vault import notes

    head = custody.head()
    statement = notes.Checkpoint(custody.origin(), head.tree_size, head.root_hash)
    forged = tmp_path / "forged.txt"
    forged.write_text(notes.sign_checkpoint(statement, Ed25519PrivateKey.generate()))
    status, out, err = verify_command("--against", str(forged), "--json")
    assert status == 1
    [problem] = json.loads(out)["problems"]
    assert problem["kind"] == "checkpoint" and "log key" in problem["problem"]
    assert "Traceback" not in err


def test_a_file_that_is_no_signed_note_fails_with_a_checkpoint_problem(
    filled: list[Item], tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\xff\xfe not a note")
    status, _, err = verify_command("--against", str(garbage))
    assert status == 1 and "checkpoint" in err and "Traceback" not in err


def test_an_exports_checkpoint_txt_serves_as_the_kept_checkpoint(team: Any) -> None:
    from docket.accounts.models import Approval
    from docket.exports.build import build
    from docket.exports.models import Export
    from docket.lib.storage import BlobStore
    from docket.vault import age

    store(io.BytesIO(b"evidence for a court"), actor="test", compartment=team.a)
    key = age.Identity.generate()
    approval = Approval.objects.create(
        action="export", compartment=team.a, summary="export", reason="a court asked",
        requested_by=team.owner, state=Approval.State.APPROVED, decided_by=team.auditor,
    )  # fmt: skip
    export = Export.objects.create(
        compartment=team.a, approval=approval, requested_by=team.owner,
        recipient=str(key.recipient()), recipient_label="a court",
    )  # fmt: skip
    export = build(export)
    with BlobStore.default().open(export.blob) as handle:
        package = zipfile.ZipFile(io.BytesIO(b"".join(age.decrypt_chunks(handle, [key]))))
    kept = package.read("checkpoint.txt").decode()
    assert verify(against=kept).ok

    delete_tail(CustodyEntry.objects.get(action="export").index)
    assert verify().ok
    assert kept_problems(verify(against=kept))


def test_an_item_moved_to_another_compartment_by_sql_is_named(filled: list[Item]) -> None:
    from docket.accounts.models import Compartment
    from docket.vault.store import move

    elsewhere = Compartment.objects.create(name="elsewhere")
    move(filled[0], elsewhere, actor="cli")  # a move through Docket: signed, so it verifies
    assert verify().ok
    default = filled[1].compartment_id
    with connection.cursor() as cursor:
        cursor.execute("UPDATE vault_item SET compartment_id = %s WHERE id = %s",
                       [default, filled[0].pk])  # fmt: skip
        cursor.execute("UPDATE vault_item SET compartment_id = %s WHERE id = %s",
                       [elsewhere.pk, filled[2].pk])  # fmt: skip
    assert [p for p in problems(verify()) if p[0] == "compartment"] == [
        ("compartment", filled[0].pk,
         "item is in compartment 'default'; its last signed 'received' or 'moved' entry puts "
         "it in 'elsewhere'"),
        ("compartment", filled[2].pk,
         "item is in compartment 'elsewhere'; its last signed 'received' or 'moved' entry puts "
         "it in 'default'"),
    ]  # fmt: skip


def by_sql(statement: str) -> None:
    """What only SQLite allows: a value of another type in a column (PostgreSQL refuses)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps every column's type: text cannot land in a bytea column")
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(statement)


def test_a_leaf_stored_as_text_is_a_malformed_row_not_a_crash(filled: list[Item]) -> None:
    by_sql('UPDATE vault_custodyentry SET leaf = CAST(leaf AS TEXT) WHERE "index" = 2')
    report = verify()
    assert ("malformed", 2, "custody entry 2: the leaf is text, not bytes") in problems(report)
    status, _, err = verify_command()
    assert status == 1
    assert "malformed 2: custody entry 2: the leaf is text, not bytes" in err


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        # Bytes cast to text are not UTF-8: the sqlite3 module itself cannot read them as text.
        ('UPDATE vault_custodyentry SET leaf_hash = CAST(leaf_hash AS TEXT) WHERE "index" = 3',
         "custody entry 3: the leaf_hash is text, not bytes"),
        ("UPDATE vault_checkpoint SET root_hash = hex(root_hash)",
         "the root_hash is text, not bytes"),
        ("UPDATE vault_checkpoint SET note = CAST(note AS BLOB)", "the note is bytes, not text"),
        ("UPDATE vault_item SET size = 'ten'", "the size is text, not a number"),
        ("UPDATE vault_logstate SET origin = x'ff00'",
         "the log state: the origin is bytes, not text"),
    ],
)  # fmt: skip
def test_other_malformed_rows_are_named_too(
    filled: list[Item], statement: str, message: str
) -> None:
    by_sql(statement)
    status, out, err = verify_command("--json")
    assert status == 1 and "Traceback" not in err
    report = json.loads(out)
    found = [p["problem"] for p in report["problems"] if p["kind"] == "malformed"]
    assert found and all(message in m for m in found), found
    assert report["stray_blobs"] == 0
