"""A server seized switched off: with DOCKET_DATABASE_KEY the SQLite file, its write-ahead log
and its journal hold none of the register's words; without the key it does not open, with a
wrong one it says so; `docket db encrypt` converts a plain database and `docket db rekey`
changes the key. Always on SQLite, whichever database the rest of the suite runs on."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.support.instance import PASSPHRASE, Instance

KEY = "a database key for the tests"
VICTIM = "Zmitser Kanarejka-Vyxwq"
PERPETRATOR = "Ofitser Qwzrtyplk"
WORDS = "kneeling in the courtyard beside the orange gate zqxj"


def embedded(root: Path, **extra: str) -> Instance:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env.update(
        DOCKET_DATA_DIR=str(root),
        DOCKET_VAULT_PASSPHRASE=PASSPHRASE,
        DOCKET_ENRICH_ON_STORE="false",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return Instance(root, env)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A plain and an encrypted instance, initialised once for this module's tests."""
    made = {}
    for name, extra in (("plain", {}), ("keyed", {"DOCKET_DATABASE_KEY": KEY})):
        root = tmp_path_factory.mktemp(name) / "instance"
        embedded(root, **extra).run("init", "--scrypt-work-factor", "10")
        made[name] = root
    return made


def copy_of(template: Path, root: Path, **extra: str) -> Instance:
    shutil.copytree(template, root)
    return embedded(root, **extra)


def register_rows(path: Path) -> Path:
    path.write_text(
        "event_ref,event_title,event_start,event_precision,place,place_detail,"
        "violation_status,act_type,methods,injuries,victim,perpetrator,badge_number,unit,"
        "degree,confidence,notes\n"
        f"canary-1,{WORDS},2020-08-11 22:30,exact,facility.okrestina,yard,20,20.30,20,80,"
        f"{VICTIM},{PERPETRATOR},0417,,10,alleged,{WORDS}\n",
        encoding="utf-8",
    )
    return path


def files_at_rest(root: Path) -> bytes:
    """Every byte of the database, its WAL and its journal as a seized disk holds them."""
    names = ("docket.sqlite3", "docket.sqlite3-wal", "docket.sqlite3-journal")
    return b"".join((root / n).read_bytes() for n in names if (root / n).exists())


def canaries(data: bytes) -> list[str]:
    found = []
    for text in (VICTIM, PERPETRATOR, "orange gate zqxj"):
        for encoding in ("utf-8", "utf-16-le"):
            if text.encode(encoding) in data:
                found.append(text)
    return found


@pytest.mark.slow
def test_with_a_key_the_register_is_nowhere_in_clear(tmp_path: Path) -> None:
    root = tmp_path / "instance"
    docket = embedded(root, DOCKET_DATABASE_KEY=KEY)
    docket.run("init", "--scrypt-work-factor", "10")
    docket.run(
        "import", "csv", str(register_rows(tmp_path / "rows.csv")), "--compartment", "default"
    )
    # While the server runs (the WAL not yet folded in) and after.
    hits = docket.json("search", "Kanarejka", "--json")["hits"]
    assert [h["type"] for h in hits] == ["person"]
    assert canaries(files_at_rest(root)) == []
    assert not files_at_rest(root).startswith(b"SQLite format 3")

    no_key = embedded(root)
    refused = no_key.run("users", "list", check=False)
    assert refused.returncode != 0 and VICTIM.encode() not in refused.stderr
    wrong = embedded(root, DOCKET_DATABASE_KEY="not the key at all")
    refused = wrong.run("users", "list", check=False)
    assert refused.returncode == 2
    assert b"DOCKET_DATABASE_KEY does not open" in refused.stderr


@pytest.mark.slow
def test_a_plain_database_is_encrypted_and_rekeyed(
    tmp_path: Path, templates: dict[str, Path]
) -> None:
    root = tmp_path / "instance"
    plain = copy_of(templates["plain"], root)
    plain.run(
        "import", "csv", str(register_rows(tmp_path / "rows.csv")), "--compartment", "default"
    )
    assert canaries(files_at_rest(root)), "the test can fail: a plain database shows them"

    keyed = embedded(root, DOCKET_DATABASE_KEY=KEY)
    refused = keyed.run("users", "list", check=False)
    assert refused.returncode == 2 and b"docket db encrypt" in refused.stderr
    assert b"is encrypted" in keyed.run("db", "encrypt").stdout
    assert canaries(files_at_rest(root)) == []
    assert b"nothing to do" in keyed.run("db", "encrypt", "--if-plain").stdout
    assert [h["type"] for h in keyed.json("search", "Kanarejka", "--json")["hits"]] == ["person"]
    assert keyed.run("verify").returncode == 0

    new_key = tmp_path / "new-key"
    new_key.write_text("the next key, longer than twelve\n")
    keyed.run("db", "rekey", "--new-key-file", str(new_key))
    assert keyed.run("users", "list", check=False).returncode == 2, "the old key opens nothing"
    rekeyed = embedded(root, DOCKET_DATABASE_KEY_FILE=str(new_key))
    assert [h["type"] for h in rekeyed.json("search", "Kanarejka", "--json")["hits"]] == ["person"]
    assert canaries(files_at_rest(root)) == []


def test_check_deploy_warns_about_a_plain_database(
    tmp_path: Path, templates: dict[str, Path]
) -> None:
    plain = copy_of(templates["plain"], tmp_path / "instance")
    said = plain.run("check", "--deploy", check=False)
    assert b"docket.W002" in said.stderr + said.stdout
    keyed = copy_of(templates["keyed"], tmp_path / "other", DOCKET_DATABASE_KEY=KEY)
    said = keyed.run("check", "--deploy", check=False)
    assert b"docket.W002" not in said.stderr + said.stdout


def _wait_until_held(lock: Path, seconds: float = 60) -> None:
    """Until another process holds the database's lock (the worker has opened it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lock.exists():
            with lock.open("rb") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return
                fcntl.flock(handle, fcntl.LOCK_UN)
        time.sleep(0.1)
    raise AssertionError("the worker never opened the database")


@pytest.mark.served
def test_the_database_is_not_converted_under_a_running_process(
    tmp_path: Path, templates: dict[str, Path]
) -> None:
    """A worker that has the database open would go on writing to the old file, and what it
    wrote would be lost: `docket db` refuses while any process has it open."""
    root = tmp_path / "instance"
    docket = copy_of(
        templates["keyed"], root, DOCKET_DATABASE_KEY=KEY, DOCKET_WORKER_POLL_SECONDS="1"
    )
    new_key = tmp_path / "new-key"
    new_key.write_text("the next key, longer than twelve\n")
    worker = docket.popen("worker")
    try:
        _wait_until_held(root / "docket.sqlite3.lock")
        refused = docket.run("db", "rekey", "--new-key-file", str(new_key), check=False)
        assert refused.returncode == 1 and b"open in another process" in refused.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    docket.run("db", "rekey", "--new-key-file", str(new_key))


def test_a_key_too_short_to_mean_anything_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty-key"
    empty.write_text("\n")
    refused = embedded(tmp_path / "instance", DOCKET_DATABASE_KEY_FILE=str(empty)).run(
        "init", "--scrypt-work-factor", "10", check=False
    )
    assert refused.returncode == 2 and b"shorter than 12 characters" in refused.stderr
    assert not (tmp_path / "instance" / "docket.sqlite3").exists()
