"""Start-up. The Telegram library takes 0.4 s to import: only the bot and the job that sends a
staff reply load it (docket/lib/telegram.py), never a process at start-up, whichever URLs it
serves. `docket serve --intake-only` is known before the settings load, which then choose the
intake's URLs and refuse the vault passphrase once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from docket import cli

LOADED = """
import importlib, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
importlib.import_module("docket.intake.channels.web.urls_only")
print([m for m in sys.modules if m.split(".")[0] == "telegram" or m == "docket.lib.telegram"])
"""


@pytest.mark.parametrize("intake_only", ["false", "true"])
def test_start_up_loads_no_telegram_library(tmp_path: Path, intake_only: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env.update(
        DOCKET_DATA_DIR=str(tmp_path / "instance"),
        DOCKET_INTAKE_ONLY=intake_only,
        DJANGO_SETTINGS_MODULE="docket.settings",
    )
    loaded = subprocess.run(
        [sys.executable, "-c", LOADED], env=env, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--intake-only"], True),
        (["serve", "--port", "8080", "--intake"], True),  # argparse takes a shortened option
        (["serve", "--with-worker"], False),
        (["intake", "telegram"], False),
    ],
)
def test_the_docket_command_tells_the_settings_of_intake_only(
    args: list[str], expected: bool
) -> None:
    assert cli._serves_intake_only(args) is expected


def test_serve_refuses_intake_only_that_the_settings_do_not_know() -> None:
    # Only a caller that goes around the `docket` command (call_command) gets here.
    with pytest.raises(CommandError, match="before the settings load"):
        call_command("serve", "--intake-only")
