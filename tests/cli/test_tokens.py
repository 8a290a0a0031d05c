"""`docket tokens`: for administrators and automation."""

from __future__ import annotations

import pytest

from tests.support.instance import Instance


@pytest.mark.slow
def test_tokens_create_list_and_revoke(instance: Instance) -> None:
    instance.run("users", "add", "bot", "--role", "analyst", "--compartment", "default")
    created = instance.json("tokens", "create", "bot", "--name", "nightly", "--days", "7", "--json")
    assert created["token"].startswith("dkt_") and created["scopes"] == [
        "items:read",
        "register:read",
    ]
    [row] = instance.json("tokens", "list", "--json")
    assert (row["username"], row["name"], row["usable"]) == ("bot", "nightly", True)
    assert created["token"] not in instance.run("tokens", "list").stdout.decode()
    instance.run("tokens", "revoke", str(created["id"]))
    assert instance.json("tokens", "list", "--json")[0]["usable"] is False
    missing = instance.run("tokens", "create", "nobody", check=False)
    assert missing.returncode == 1 and b"no active user 'nobody'" in missing.stderr
