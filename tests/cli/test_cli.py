"""The `docket` command as users and outside checks drive it (the contract of the issue)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from docket.vault import merkle, notes
from tests.support.instance import Instance
from tests.support.media import write_files


def test_init_creates_keys_and_running_it_again_changes_nothing(instance: Instance) -> None:
    keys = instance.root / "keys"
    before = {p.name: p.read_bytes() for p in keys.iterdir()}
    assert {"vault.pub", "vault-identity.age", "log-signing.key", "secret-key"} <= set(before)
    assert stat.S_IMODE((keys / "vault-identity.age").stat().st_mode) == 0o600
    assert b"AGE-SECRET-KEY" not in before["vault-identity.age"]  # kept only encrypted

    again = instance.run("init").stdout.decode()
    assert "already initialised" in again
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == before


def test_init_without_a_passphrase_says_what_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(tmp_path / "new")
    if os.environ.get("DOCKET_DATABASE_URL"):
        env["DOCKET_DATABASE_URL"] = "sqlite:///" + str(tmp_path / "new.sqlite3")
    result = Instance(tmp_path, env).run("init", check=False)
    assert result.returncode != 0
    assert b"DOCKET_VAULT_PASSPHRASE" in result.stderr
    assert not (tmp_path / "new").exists(), "nothing is made before the passphrase is known"


def test_import_prints_one_line_per_durable_item_and_is_idempotent(
    instance: Instance, tmp_path: Path
) -> None:
    made = write_files(tmp_path / "in", {"a.jpg": 1000, "sub/b.mp4": 300_000, "sub/c.pdf": 5})
    lines = [
        json.loads(line)
        for line in instance.run(
            "import", "files", str(tmp_path / "in"), "--jsonl"
        ).stdout.splitlines()
    ]
    assert len(lines) == 3
    by_path = {Path(line["path"]).relative_to(tmp_path / "in").as_posix(): line for line in lines}
    for name, data in made.items():
        assert by_path[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert isinstance(by_path[name]["item"], int)

    summary = instance.json("import", "files", str(tmp_path / "in"), "--json")
    assert summary["stored"] == 0 and summary["received_again"] == 3 and summary["failed"] == []
    vault = instance.root / "vault"
    assert len(list(vault.rglob("*.age"))) == 3


def test_cat_writes_the_original_bytes(instance: Instance, tmp_path: Path) -> None:
    made = write_files(tmp_path / "in", {"video.mp4": 2_500_000})
    [line] = instance.run("import", "files", str(tmp_path / "in"), "--jsonl").stdout.splitlines()
    item = json.loads(line)["item"]
    assert instance.run("cat", str(item)).stdout == made["video.mp4"]
    missing = instance.run("cat", "999999", check=False)
    assert missing.returncode != 0 and b"no item 999999" in missing.stderr


def test_a_public_key_only_process_imports_but_cannot_cat(
    instance: Instance, tmp_path: Path
) -> None:
    write_files(tmp_path / "in", {"leak.wav": 4000})
    public_only = {k: v for k, v in instance.env.items() if k != "DOCKET_VAULT_PASSPHRASE"}
    (instance.root / "keys" / "vault-identity.age").rename(tmp_path / "identity-kept-offline.age")
    lines = instance.run("import", "files", str(tmp_path / "in"), "--jsonl", env=public_only).stdout
    item = json.loads(lines)["item"]
    result = instance.run("cat", str(item), check=False, env=public_only)
    assert result.returncode == 1
    assert b"only the vault's public key and cannot decrypt" in result.stderr
    assert result.stdout == b""


def test_verify_reports_json_and_fails_naming_a_damaged_item(
    instance: Instance, tmp_path: Path
) -> None:
    write_files(tmp_path / "in", {"one": 10_000, "two": 20_000})
    lines = instance.run("import", "files", str(tmp_path / "in"), "--jsonl").stdout.splitlines()
    report = instance.json("verify", "--json")
    assert report["ok"] is True and report["items"] == 2 and report["problems"] == []
    assert report["entries"] >= 3

    [blob] = [p for p in (instance.root / "vault").rglob("*.age") if p.stat().st_size > 20_000]
    blob.write_bytes(blob.read_bytes()[:-1] + b"\x00")
    result = instance.run("verify", "--json", check=False)
    assert result.returncode == 1
    damaged = json.loads(result.stdout)
    assert damaged["ok"] is False
    second = json.loads(lines[1])["item"]
    assert [(p["kind"], p["id"]) for p in damaged["problems"]] == [("item", second)]


@pytest.mark.slow
def test_log_head_proof_and_consistency_check_out_with_the_offline_module(
    instance: Instance, tmp_path: Path
) -> None:
    write_files(tmp_path / "a", {"1": 100, "2": 200})
    instance.run("import", "files", str(tmp_path / "a"))
    first = instance.json("log", "head", "--json")
    write_files(tmp_path / "b", {"3": 300, "4": 400, "5": 500}, seed=2)
    instance.run("import", "files", str(tmp_path / "b"))
    head = instance.json("log", "head", "--json")

    assert set(head) == {"tree_size", "root_hash", "checkpoint", "public_key"}
    public = base64.b64decode(head["public_key"])
    assert len(public) == 32
    origin = head["checkpoint"].split("\n")[0]
    stated = notes.verify_checkpoint(head["checkpoint"], origin, public)
    assert stated.size == head["tree_size"] and stated.root_hash.hex() == head["root_hash"]

    # The first entry, one in the middle and the last (the proofs' arithmetic for every size
    # and index is tested in tests/vault/test_merkle.py).
    for index in sorted({0, head["tree_size"] // 2, head["tree_size"] - 1}):
        proof = instance.json("log", "proof", "--entry", str(index), "--json")
        assert proof["leaf_index"] == index and proof["tree_size"] == head["tree_size"]
        leaf = base64.b64decode(proof["leaf"])
        assert json.loads(leaf)["index"] == index
        merkle.verify_inclusion(
            index,
            proof["tree_size"],
            merkle.leaf_hash(leaf),
            [bytes.fromhex(p) for p in proof["path"]],
            bytes.fromhex(head["root_hash"]),
        )

    consistency = instance.json("log", "consistency", "--from", str(first["tree_size"]), "--json")
    assert consistency["first"] == first["tree_size"]
    assert consistency["second"] == head["tree_size"]
    merkle.verify_consistency(
        first["tree_size"],
        head["tree_size"],
        [bytes.fromhex(p) for p in consistency["path"]],
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(head["root_hash"]),
    )
    beyond = instance.run("log", "proof", "--entry", "100000", check=False)
    assert beyond.returncode != 0 and b"not covered" in beyond.stderr


@pytest.mark.slow
def test_log_head_is_the_checkpoint_a_partner_keeps_and_verify_checks_against(
    instance: Instance, tmp_path: Path
) -> None:
    write_files(tmp_path / "a", {"1": 100, "2": 200})
    instance.run("import", "files", str(tmp_path / "a"))
    kept = tmp_path / "head.txt"  # docket log head > head.txt
    kept.write_bytes(instance.run("log", "head").stdout)
    assert kept.read_text() == instance.json("log", "head", "--json")["checkpoint"]
    write_files(tmp_path / "b", {"3": 300}, seed=2)
    instance.run("import", "files", str(tmp_path / "b"))
    assert instance.json("verify", "--json", "--against", str(kept))["ok"] is True

    forged = tmp_path / "forged.txt"  # another size under the same signature
    origin, size, rest = kept.read_text().split("\n", 2)
    forged.write_text(f"{origin}\n{int(size) + 9}\n{rest}")
    result = instance.run("verify", "--json", "--against", str(forged), check=False)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert [p["kind"] for p in json.loads(result.stdout)["problems"]] == ["checkpoint"]
    missing = instance.run("verify", "--against", str(tmp_path / "nowhere"), check=False)
    assert missing.returncode == 1 and b"cannot read the kept checkpoint" in missing.stderr
    assert b"Traceback" not in missing.stderr


def test_a_read_is_logged_in_custody(instance: Instance, tmp_path: Path) -> None:
    write_files(tmp_path / "in", {"photo.png": 5000})
    item = json.loads(instance.run("import", "files", str(tmp_path / "in"), "--jsonl").stdout)[
        "item"
    ]
    before = instance.json("verify", "--json")["entries"]
    instance.run("cat", str(item))
    instance.run("log", "seal")
    head = instance.json("log", "head", "--json")
    assert head["tree_size"] == before + 1
    proof = instance.json("log", "proof", "--entry", str(before), "--json")
    leaf = json.loads(base64.b64decode(proof["leaf"]))
    assert (leaf["action"], leaf["item"], leaf["actor"]) == ("read", item, "cli")


def test_import_reports_unreadable_files_and_skips_links(
    instance: Instance, tmp_path: Path
) -> None:
    write_files(tmp_path / "in", {"ok.txt": 10})
    (tmp_path / "in" / "link").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "in" / "fifo")
    summary = json.loads(
        instance.run(
            "import", "files", str(tmp_path / "in"), str(tmp_path / "nope"), "--json", check=False
        ).stdout
    )
    assert summary["stored"] == 1
    assert [f["path"] for f in summary["failed"]] == [str(tmp_path / "nope")]
    assert sorted(Path(s["path"]).name for s in summary["skipped"]) == ["fifo", "link"]


def test_the_command_lists_its_verbs_and_runs_django_commands(instance: Instance) -> None:
    usage = instance.run("--help").stdout.decode()
    for verb in ("init", "import", "cat", "verify", "log", "serve", "worker", "bench"):
        assert f"  {verb} " in usage
    assert b"No changes detected" in instance.run("makemigrations", "--check", "--dry-run").stdout


def test_concurrent_imports_keep_the_log_dense_and_store_shared_files_once(
    instance: Instance, tmp_path: Path
) -> None:
    shared = write_files(tmp_path / "shared", {f"s{n}": 20_000 for n in range(10)}, seed=5)
    for side in ("left", "right"):
        write_files(
            tmp_path / side, {f"{side}{n}": 30_000 for n in range(15)}, seed=hash(side) % 1000
        )
        for name, data in shared.items():
            (tmp_path / side / name).write_bytes(data)
    processes = [
        instance.popen("import", "files", str(tmp_path / side), "--json")
        for side in ("left", "right")
    ]
    summaries = [json.loads(p.communicate()[0]) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert sum(s["stored"] for s in summaries) == 40
    assert sum(s["received_again"] for s in summaries) == 10
    report = instance.json("verify", "--json")
    assert report["ok"], report["problems"]
    assert report["items"] == 40


def test_commands_on_an_uninitialised_instance_say_to_run_init(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(tmp_path / "never-initialised")
    if os.environ.get("DOCKET_DATABASE_URL"):
        env["DOCKET_DATABASE_URL"] = os.environ["DOCKET_DATABASE_URL"] + "_never_created"
    for command in (["verify"], ["cat", "1"], ["log", "head"]):
        result = Instance(tmp_path, env).run(*command, check=False)
        assert result.returncode == 2, command
        assert b"docket init" in result.stderr and b"Traceback" not in result.stderr


def test_it_skips_telegram_messages_whose_date_is_out_of_range_and_imports_the_rest(
    instance: Instance, tmp_path: Path
) -> None:
    """A hostile or damaged export's dates (year 99999, a negative or huge unix time) cost
    only their own messages, each named with its reason, never the whole import."""
    export = tmp_path / "ChatExport"
    (export / "files").mkdir(parents=True)
    (export / "files" / "note.txt").write_bytes(b"kept although its message is not")

    def message(number: int, **fields: object) -> dict[str, object]:
        return {"id": number, "type": "message", "from": "Minsk Witness", "text": f"m{number}",
                "date": "2020-08-10T23:15:00", "date_unixtime": "1597090500", **fields}  # fmt: skip

    bad = {
        2: {"date_unixtime": "100000000000000000"},  # past any platform's time_t
        3: {"date_unixtime": "253402300800"},  # the year 10000
        4: {"date_unixtime": "-86400"},  # before 1970
        5: {"date_unixtime": None, "date": "99999-01-01T00:00:00"},
        6: {"date_unixtime": None, "date": "0001-01-01T00:00:00"},
        7: {"date_unixtime": None, "date": "9999-12-31T23:59:59"},
        8: {"date_unixtime": "soon"},
        9: {"date_unixtime": "4102444800", "file": "files/note.txt"},  # 2100, not yet sent
    }
    messages = [message(1), *(message(n, **f) for n, f in bad.items()), message(10)]
    chat = {"name": "Minsk Witness", "type": "public_channel", "id": 42, "messages": messages}
    (export / "result.json").write_text(json.dumps(chat), encoding="utf-8")

    result = instance.run("import", "telegram", str(export), "--json", check=False)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["messages"], summary["stored"], summary["failed"]) == (2, 1, [])
    skipped = {s["path"]: s["reason"] for s in summary["skipped"]}
    assert sorted(skipped) == [f"Minsk Witness/{n}" for n in sorted(bad)]
    assert all("date" in reason for reason in skipped.values())
    again = instance.json("import", "telegram", str(export), "--json")
    assert (again["messages"], again["stored"], again["received_again"]) == (2, 0, 1)
