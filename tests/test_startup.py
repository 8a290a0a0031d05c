"""No web, CLI or intake process loads a heavy library when it starts: the enrichment registry
reads only the enrichers' declarations, and an implementation (numpy, pdqhash, libmagic,
faster-whisper) is imported the first time a worker runs it; the Telegram library (0.4 s) only
by the bot and the job that sends a staff reply (docket/lib/telegram.py). Each process here is
a real one, started as Docket starts it, and reports what it has imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.instance import Instance

#: What must wait for a worker's first job: the enrichers' libraries and the Telegram bot's.
HEAVY = (
    "numpy", "pdqhash", "magic", "faster_whisper", "ctranslate2", "PIL", "telegram",
    "followthemoney",
)  # fmt: skip

#: Runs `docket ARGS…` as `python -m docket` does, then names the heavy modules it imported.
CLI = """
import atexit, json, sys
heavy = json.loads(sys.argv[1])
atexit.register(lambda: print("LOADED", json.dumps([m for m in heavy if m in sys.modules])))
from docket.cli import main
main(sys.argv[2:])
"""

#: The web process: the WSGI application, every URL's view, pages through the request path.
WEB = """
import json, sys
from docket.wsgi import application
from django.test import Client
from django.urls import get_resolver
get_resolver().url_patterns
client = Client(HTTP_HOST="localhost")
for path in ("/", "/accounts/login/", "/intake/", "/vault/", "/api/"):
    status = client.get(path).status_code
    assert status < 500, (path, status)
print("LOADED", json.dumps([m for m in json.loads(sys.argv[1]) if m in sys.modules]))
"""


def loaded(instance: Instance, code: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(HEAVY), *args],
        env=instance.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOADED ")]
    assert lines, done.stderr
    found: list[str] = json.loads(lines[-1].removeprefix("LOADED "))
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["help"],
        ["intake", "--help"],
        ["import", "--help"],
        ["worker", "--help"],
        ["serve", "--help"],
    ],
)
def test_a_command_starts_without_the_heavy_libraries(instance: Instance, args: list[str]) -> None:
    assert loaded(instance, CLI, *args) == []


@pytest.mark.parametrize("intake_only", [False, True])
def test_the_web_starts_and_serves_pages_without_the_heavy_libraries(
    instance: Instance, intake_only: bool
) -> None:
    # The staff site, and the public intake's own process (which holds no passphrase).
    if intake_only:
        env = {k: v for k, v in instance.env.items() if k != "DOCKET_VAULT_PASSPHRASE"}
        instance = Instance(instance.root, {**env, "DOCKET_INTAKE_ONLY": "true"})
    assert loaded(instance, WEB) == []


def test_an_enricher_loads_its_implementation_the_first_time_it_runs(instance: Instance) -> None:
    # The declarations need neither Django's settings nor its app registry; an implementation
    # (which writes rows) needs both.
    code = """
import sys
from docket.enrich import registry
names = [e.DECLARATION.name for e in [registry.FIRST, *registry.ENRICHERS]]
assert names == [
    "filetype", "metadata", "thumbnails", "pdq", "ocr", "text", "speech", "clean"
], names
assert [e.DECLARATION.name for e in registry.ENRICHERS if e.DECLARATION.searchable] == [
    "ocr", "text", "speech"
]
assert registry.FIRST.DECLARATION.searchable
before = [m for m in sys.modules if m.endswith(".implementation")]
assert "numpy" not in sys.modules and not before, before
import django
django.setup()
assert callable(registry.by_name("pdq").implementation.enrich)
assert "numpy" in sys.modules and "pdqhash" in sys.modules
"""
    env = {**instance.env, "DJANGO_SETTINGS_MODULE": "docket.settings"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def test_every_check_of_docket_runs_before_each_command() -> None:
    # A command runs only the checks whose tags it names (docket/lib/commands.py): a check of
    # Docket's without its tag would silently never run outside `docket check` and `serve`.
    from django.core.checks.registry import registry

    from docket.lib.commands import CHECKS_TAG

    ours = [
        check
        for check in registry.get_checks(include_deployment_checks=True)
        if check.__module__.startswith("docket.")
    ]
    assert len(ours) >= 5
    assert [c.__name__ for c in ours if CHECKS_TAG not in c.tags] == []
