"""`docket import telegram` on a generated Telegram Desktop export, then the worker enriches
what it brought and `docket search` finds a spoken phrase and a word from a scanned page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import media
from tests.support.instance import Instance


@pytest.mark.slow
def test_an_export_is_imported_enriched_and_found(
    instance: Instance, tmp_path: Path, tmp_path_factory: Any
) -> None:
    # The demo's export (scripts/make_samples.py): a voice message, a scanned order, a PDF,
    # a file not included, a symbolic link and a path that climbs out of the folder.
    folder = media.samples().telegram_export(tmp_path)
    env = {**instance.env, "DOCKET_ENRICH_ON_STORE": "true",
           "DOCKET_MODELS_DIR": str(tmp_path_factory.getbasetemp() / "models-cli")}  # fmt: skip
    result = instance.run("import", "telegram", str(folder), "--json", env=env, check=False)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["collections"], summary["messages"], summary["stored"]) == (1, 6, 3)
    assert summary["failed"] == []
    assert {s["reason"] for s in summary["skipped"]} == {
        "not included in the export",
        "symbolic link (not followed)",
        "path leaves the export folder",
    }
    again = instance.json("import", "telegram", str(folder), "--json")
    assert (again["stored"], again["received_again"], again["messages"]) == (0, 3, 6)

    instance.run("worker", "--until-idle", env=env, timeout=600)
    status = instance.json("import", "status", str(summary["batch"]), "--json")["imports"][0]
    assert (status["items"], status["enriched"], status["percent"]) == (3, 3, 100)
    assert status["failures"] == []

    spoken = instance.json("search", "riot", "police", "midnight", "--json")["hits"]
    items = [h for h in spoken if h["type"] == "item"]
    assert len(items) == 1 and items[0]["spans"][0]["start"] is not None
    scanned = instance.json("search", "Независимости", "--json")["hits"]
    [found] = [h for h in scanned if h["type"] == "item"]
    assert [s["page"] for s in found["spans"]] == [1]
    assert "Независимости до полуночи" in found["spans"][0]["text"]
    # The message's own words find its item too.
    assert any(h["type"] == "item" for h in instance.json("search", "Stela", "--json")["hits"])
