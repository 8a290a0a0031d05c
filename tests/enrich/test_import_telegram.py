"""`docket import telegram` on a generated Telegram Desktop export, then the worker enriches
what it brought and `docket search` finds a spoken phrase and a word from a scanned page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests import media
from tests.conftest import Instance

SPOKEN = "The commander ordered the riot police to clear the square before midnight."
SCANNED = "ПРИКАЗ 17\nОчистить площадь Независимости до полуночи"


def export(root: Path) -> Path:
    """A channel's export in the format Telegram Desktop writes (result.json + media folders)."""
    folder = root / "ChatExport_2020-08-12"
    (folder / "voice_messages").mkdir(parents=True)
    (folder / "photos").mkdir()
    (folder / "files").mkdir()
    media.voice(folder / "voice_messages" / "audio_1@10-08-2020_23-15-00.ogg", SPOKEN)
    media.page(folder / "photos" / "photo_2@10-08-2020_23-20-00.png", SCANNED)
    (folder / "files" / "directive.pdf").write_bytes(media.pdf("Directive on mass events"))
    (folder / "files" / "link").symlink_to("/etc/passwd")
    messages: list[dict[str, Any]] = [
        {"id": 1, "type": "service", "date": "2020-08-10T20:00:00", "date_unixtime": "1597078800",
         "actor": "Minsk Witness", "action": "create_channel", "title": "Minsk Witness",
         "text": "", "text_entities": []},
        {"id": 2, "type": "message", "date": "2020-08-10T23:15:00", "date_unixtime": "1597090500",
         "from": "Minsk Witness", "from_id": "channel1234567890",
         "file": "voice_messages/audio_1@10-08-2020_23-15-00.ogg", "media_type": "voice_message",
         "mime_type": "audio/ogg", "duration_seconds": 5,
         "text": "Recorded near the Stela",
         "text_entities": [{"type": "plain", "text": "Recorded near the Stela"}]},
        {"id": 3, "type": "message", "date": "2020-08-10T23:20:00", "date_unixtime": "1597090800",
         "from": "Minsk Witness", "from_id": "channel1234567890",
         "forwarded_from": "Leaks Belarus",
         "photo": "photos/photo_2@10-08-2020_23-20-00.png", "width": 1700, "height": 900,
         "text": ["The order, ", {"type": "bold", "text": "scanned"}],
         "text_entities": [{"type": "plain", "text": "The order, "},
                           {"type": "bold", "text": "scanned"}]},
        {"id": 4, "type": "message", "date": "2020-08-11T09:00:00", "date_unixtime": "1597125600",
         "from": "Minsk Witness", "from_id": "channel1234567890",
         "file": "(File not included. Change data exporting settings to download.)",
         "media_type": "video_file", "text": "Too large", "text_entities": []},
        {"id": 5, "type": "message", "date": "2020-08-11T09:05:00", "date_unixtime": "1597136700",
         "from": "Minsk Witness", "from_id": "channel1234567890", "file": "files/directive.pdf",
         "mime_type": "application/pdf", "text": "", "text_entities": []},
        {"id": 6, "type": "message", "date": "2020-08-11T09:06:00", "date_unixtime": "1597136760",
         "from": "Minsk Witness", "from_id": "channel1234567890", "file": "files/link",
         "text": "", "text_entities": []},
        {"id": 7, "type": "message", "date": "2020-08-11T09:07:00", "date_unixtime": "1597136820",
         "from": "Minsk Witness", "from_id": "channel1234567890", "file": "../../etc/hostname",
         "text": "", "text_entities": []},
    ]  # fmt: skip
    result = {"name": "Minsk Witness", "type": "public_channel", "id": 1234567890,
              "messages": messages}  # fmt: skip
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return folder


def test_an_export_is_imported_enriched_and_found(
    instance: Instance, tmp_path: Path, tmp_path_factory: Any
) -> None:
    folder = export(tmp_path)
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
