"""Items are per (compartment, content): the same bytes in two compartments are two items with
blobs of their own, and storing a file tells nobody what another compartment holds."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from docket.accounts.models import Compartment
from docket.ingest.models import Message
from docket.vault import store as vault_store
from docket.vault.models import CustodyEntry, Item
from docket.vault.store import read, store
from tests.support.personas import Team

PHOTO = b"\xff\xd8\xff" + "Акрестина, двор РУВД, 11.08.2020".encode() * 40


def custody_of(item: Item) -> list[str]:
    return [e.leaf_text() for e in CustodyEntry.objects.filter(item=item)]


def run_import(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    """`docket import ARGS --json`, in this process; its JSON summary."""
    capsys.readouterr()
    call_command("import", *args, "--json")
    summary: dict[str, object] = json.loads(capsys.readouterr().out.splitlines()[-1])
    return summary


def test_it_stores_a_file_another_compartment_holds_as_a_new_item_with_its_own_blob(
    team: Team,
) -> None:
    owners = store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a).item

    outsiders = store(
        io.BytesIO(PHOTO), actor="user:outsider", compartment=team.b,
        details={"via": "import files", "path": "hrodna/leak-from-outsider.jpg"},
    )  # fmt: skip

    assert outsiders.created, "B is not told that A holds this file"
    theirs = Item.objects.get(pk=outsiders.item.pk)
    assert theirs.pk != owners.pk and theirs.compartment == team.b
    assert theirs.sha256 == owners.sha256
    assert theirs.blob != owners.blob and theirs.blob_sha256 != owners.blob_sha256
    assert b"".join(read(theirs, actor="test")) == PHOTO
    assert Item.objects.get(pk=owners.pk).compartment == team.a
    assert [json.loads(leaf)["action"] for leaf in custody_of(owners)[:1]] == ["received"]
    assert not any("outsider" in leaf or "hrodna" in leaf for leaf in custody_of(owners))


def test_it_receives_a_file_again_only_in_the_compartment_that_holds_it(team: Team) -> None:
    store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a)
    first = store(io.BytesIO(PHOTO), actor="user:outsider", compartment=team.b)
    again = store(io.BytesIO(PHOTO), actor="user:outsider", compartment=team.b)

    assert first.created and not again.created and again.item == first.item
    assert Item.objects.filter(compartment=team.b).count() == 1
    assert Item.objects.count() == 2
    actions = [json.loads(leaf)["action"] for leaf in custody_of(first.item)]
    assert actions == ["received", "received again"]


def test_it_refuses_a_second_item_of_the_same_content_in_one_compartment(team: Team) -> None:
    item = store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a).item
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(
            sha256=item.sha256, size=item.size, blob="00/other.age", blob_sha256="0" * 64,
            received_at=item.received_at, compartment=team.a,
        )  # fmt: skip


def test_it_counts_a_file_held_only_in_another_compartment_as_stored_on_import(
    team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "hrodna-usb"
    folder.mkdir()
    (folder / "witness-olga.jpg").write_bytes(PHOTO)
    owners = store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a).item

    summary = run_import(
        capsys, "files", str(folder), "--compartment", team.b.name, "--actor", "outsider"
    )

    assert (summary["stored"], summary["received_again"]) == (1, 0)
    theirs = Item.objects.get(compartment=team.b)
    assert theirs.sha256 == owners.sha256 and theirs.blob != owners.blob
    assert not any("witness-olga" in leaf or "outsider" in leaf for leaf in custody_of(owners))
    assert any("witness-olga" in leaf for leaf in custody_of(theirs))

    again = run_import(capsys, "files", str(folder), "--compartment", team.b.name)
    assert (again["stored"], again["received_again"]) == (0, 1)


def test_a_telegram_import_attaches_nothing_to_another_compartments_item(
    team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "ChatExport"
    (export / "photos").mkdir(parents=True)
    (export / "photos" / "photo_1.jpg").write_bytes(PHOTO)
    chat = {
        "name": "Hrodna Strike Chat", "type": "private_group", "id": 480913577,
        "messages": [{"id": 5, "type": "message", "date": "2020-08-12T10:00:00",
                      "date_unixtime": "1597226400", "from": "Mikola Informant",
                      "photo": "photos/photo_1.jpg", "text": "the yard at night"}],
    }  # fmt: skip
    (export / "result.json").write_text(json.dumps(chat))
    owners = store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a).item

    summary = run_import(capsys, "telegram", str(export), "--compartment", team.b.name)

    assert (summary["stored"], summary["received_again"]) == (1, 0)
    message = Message.objects.get()
    assert message.item is not None and message.item != owners
    assert message.item.compartment == team.b
    assert not Message.objects.filter(item=owners).exists()
    # The chat id is long enough that no hash or time in a leaf contains it by chance.
    leaked = ("Hrodna Strike Chat", "Mikola", "480913577")
    assert not any(word in leaf for leaf in custody_of(owners) for word in leaked)
    assert any("Hrodna Strike Chat" in leaf for leaf in custody_of(message.item))


def test_a_move_into_a_compartment_that_holds_the_content_moves_nothing(team: Team) -> None:
    owners = store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a).item
    theirs = store(io.BytesIO(PHOTO), actor="user:outsider", compartment=team.b).item

    with pytest.raises(vault_store.AlreadyHeld):
        vault_store.move(theirs, team.a, actor="user:admin")

    assert Item.objects.get(pk=theirs.pk).compartment == team.b
    assert Item.objects.get(pk=owners.pk).compartment == team.a
    assert not CustodyEntry.objects.filter(action="moved").exists()


def test_a_move_calls_the_moved_hooks_after_the_compartment_changes(team: Team) -> None:
    seen: list[tuple[int, str, str]] = []

    def hook(item: Item, left: Compartment) -> None:
        seen.append((item.pk, Item.objects.get(pk=item.pk).compartment.name, left.name))

    item = store(io.BytesIO(PHOTO), actor="user:owner", compartment=team.a).item
    vault_store.ON_MOVED.append(hook)
    try:
        moved = vault_store.move(item, team.b, actor="user:admin", details={"why": "test"})
    finally:
        vault_store.ON_MOVED.remove(hook)

    assert [m.pk for m in moved] == [item.pk]
    assert seen == [(item.pk, team.b.name, team.a.name)]
    [entry] = CustodyEntry.objects.filter(item=item, action="moved")
    details = json.loads(entry.leaf_text())["details"]
    assert details == {"why": "test", "from": team.a.name, "to": team.b.name}


def _derived(original: Item, data: bytes, tmp_path: Path, kind: str = "clean-copy") -> Item:
    from docket.enrich.derive import store_derivative

    path = tmp_path / f"{original.pk}-{kind}.bin"
    path.write_bytes(data)
    return store_derivative(original, path, kind, tool="test").derived


def test_a_derived_file_two_originals_share_is_copied_not_moved_and_never_leaves_a_compartment(
    team: Team, tmp_path: Path
) -> None:
    """Two photos that differ only in their metadata have one metadata-free copy. Moving the
    first must not take the copy from the second, nor moving the second take it back out of
    the first's new compartment."""
    from docket.enrich.models import Derivative

    intake = Compartment.objects.create(name="intake-shared")
    first = store(io.BytesIO(PHOTO + b"exif:serial-1"), actor="intake", compartment=intake).item
    second = store(io.BytesIO(PHOTO + b"exif:serial-2"), actor="intake", compartment=intake).item
    clean = _derived(first, PHOTO, tmp_path)
    assert _derived(second, PHOTO, tmp_path) == clean  # one item, two derivative rows

    moved = vault_store.move(first, team.a, actor="user:owner")

    assert [i.pk for i in moved] == [first.pk]
    clean.refresh_from_db()
    assert clean.compartment == intake  # the second photo still needs it
    firsts = Derivative.objects.get(original=first).derived
    assert firsts.compartment == team.a and firsts.sha256 == clean.sha256
    assert firsts.blob != clean.blob  # encrypted anew, no blob shared
    assert Derivative.objects.get(original=second).derived == clean
    assert "copied" in [e.action for e in CustodyEntry.objects.filter(item=clean)]
    assert b"".join(read(firsts, actor="test")) == PHOTO

    vault_store.move(second, team.b, actor="user:outsider")

    firsts.refresh_from_db()
    clean.refresh_from_db()
    assert firsts.compartment == team.a  # nothing of A moved by a move from another compartment
    assert clean.compartment == team.b
    assert Derivative.objects.get(original=second).derived == clean
    for derivative in Derivative.objects.select_related("original", "derived"):
        assert derivative.derived.compartment_id == derivative.original.compartment_id


def test_a_move_never_takes_an_item_of_another_compartment_along(
    team: Team, tmp_path: Path
) -> None:
    """Even a derivative row that names an item of a third compartment (an older instance's
    data) does not make a move carry that item off."""
    from docket.enrich.models import Derivative

    intake = Compartment.objects.create(name="intake-legacy")
    original = store(io.BytesIO(PHOTO + b"legacy"), actor="intake", compartment=intake).item
    theirs = store(io.BytesIO(b"thumbnail of A"), actor="enrich", compartment=team.a).item
    Derivative.objects.create(original=original, derived=theirs, kind="thumbnail", tool="test")

    moved = vault_store.move(original, team.b, actor="user:outsider")

    theirs.refresh_from_db()
    assert [i.pk for i in moved] == [original.pk]
    assert theirs.compartment == team.a
    assert not CustodyEntry.objects.filter(item=theirs, action="moved").exists()
