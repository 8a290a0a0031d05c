"""`docket users` and `docket compartments`: administration from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.instance import Instance
from tests.support.media import write_files


def test_users_add_creates_a_user_with_a_role_and_a_one_time_password(instance: Instance) -> None:
    instance.run("compartments", "add", "okrestina")
    created = instance.json(
        "users", "add", "olga", "--role", "analyst", "--compartment", "okrestina", "--json"
    )
    assert created["created"] is True
    assert len(created["one_time_password"]) >= 20
    assert created["roles"] == [["okrestina", "analyst"]]

    again = instance.json(
        "users", "add", "olga", "--role", "legal", "--compartment", "default", "--json"
    )
    assert again["created"] is False and again["one_time_password"] is None
    assert again["roles"] == [["default", "legal"], ["okrestina", "analyst"]]
    listed = {row["username"]: row for row in instance.json("users", "list", "--json")}
    assert listed["olga"]["roles"] == again["roles"]


def test_users_add_names_a_missing_compartment(instance: Instance) -> None:
    result = instance.run(
        "users", "add", "olga", "--role", "analyst", "--compartment", "nowhere", check=False
    )
    assert result.returncode == 1
    assert b"docket compartments add nowhere" in result.stderr


def test_a_compartment_name_must_be_a_slug(instance: Instance) -> None:
    result = instance.run("compartments", "add", "Okrestina Centre", check=False)
    assert result.returncode == 1 and b"okrestina-centre" in result.stderr


def test_import_puts_new_items_in_the_named_compartment(instance: Instance, tmp_path: Path) -> None:
    write_files(tmp_path / "in", {"a.jpg": 100, "b.jpg": 200})
    instance.run("compartments", "add", "hrodna")
    instance.run("import", "files", str(tmp_path / "in"), "--compartment", "hrodna")
    counts = {row["name"]: row["items"] for row in instance.json("compartments", "list", "--json")}
    assert counts == {"default": 0, "hrodna": 2}
    refused = instance.run(
        "import", "files", str(tmp_path / "in"), "--compartment", "nowhere", check=False
    )
    assert refused.returncode == 1 and b"no compartment 'nowhere'" in refused.stderr


def test_unlock_and_disable(instance: Instance) -> None:
    instance.run("users", "add", "ivan")
    assert b"ivan unlocked" in instance.run("users", "unlock", "ivan").stdout
    assert b"ivan disabled" in instance.run("users", "disable", "ivan").stdout
    [row] = [
        r
        for r in json.loads(instance.run("users", "list", "--json").stdout)
        if r["username"] == "ivan"
    ]
    assert row["active"] is False
    assert b"ivan enabled" in instance.run("users", "enable", "ivan").stdout
    assert b"already" in instance.run("users", "enable", "ivan").stdout
    [row] = [r for r in instance.json("users", "list", "--json") if r["username"] == "ivan"]
    assert row["active"] is True
