"""Four worker processes on one queue (PostgreSQL in CI's second run, SQLite in the first):
every job runs exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.instance import Instance
from tests.support.media import write_files

pytestmark = pytest.mark.served

COUNT_RUNS = (
    "import json; from docket.enrich.models import Run; from docket.jobs.models import Job; "
    "from docket.vault.models import CustodyEntry as C; "
    "print(json.dumps({"
    "'attempts': sorted(set(Run.objects.values_list('attempts', flat=True))), "
    "'runs': Run.objects.filter(state='done').count(), "
    "'jobs': sorted(set(Job.objects.values_list('state', flat=True))), "
    "'workers': len(set(Job.objects.values_list('claimed_by', flat=True))), "
    "'reads': C.objects.filter(action='read').count()}))"
)


def test_four_workers_run_each_job_exactly_once(instance: Instance, tmp_path: Path) -> None:
    write_files(tmp_path / "files", {f"f{n:03d}.bin": 2048 + n for n in range(120)})
    # Type detection only: each job decrypts its item once (a custody "read"), so a job run
    # twice would show as a second read and a second attempt.
    env = {**instance.env, "DOCKET_ENRICH_ON_STORE": "true", "DOCKET_ENRICHERS": "filetype"}
    instance.run("import", "files", str(tmp_path / "files"), env=env)
    instance.run("worker", "--processes", "4", "--until-idle", env=env, timeout=600)
    output = instance.run("shell", "-c", COUNT_RUNS, env=env).stdout.decode()
    found = json.loads(output.strip().splitlines()[-1])
    assert found["runs"] == 120
    assert found["attempts"] == [1]
    assert found["jobs"] == ["done"]
    assert found["reads"] == 120
    assert found["workers"] > 1, "the work was shared"
