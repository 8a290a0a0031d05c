"""The set-up scripts: what `make` does on a machine that lacks packages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_a_non_root_user_gets_the_one_apt_get_line() -> None:
    # A dpkg-query that knows no package stands in for a bare machine. The shim lives where
    # the unprivileged user can reach it (pytest's tmp_path is private to root).
    import shutil
    import tempfile

    shim = Path(tempfile.mkdtemp(prefix="docket-shim-"))
    shim.chmod(0o755)
    (shim / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    (shim / "dpkg-query").chmod(0o755)
    path = f"{shim}:{os.environ['PATH']}"
    command = ["env", f"PATH={path}", "sh", str(ROOT / "scripts" / "debian-packages.sh")]
    if os.geteuid() == 0:
        if subprocess.run(["which", "runuser"], capture_output=True).returncode != 0:
            pytest.skip("needs runuser to drop root")
        command = ["runuser", "-u", "nobody", "--", *command]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    finally:
        shutil.rmtree(shim)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "apt-get" in line]
    assert len(lines) == 1
    assert lines[0].split()[:4] == ["sudo", "apt-get", "install", "-y"]
    assert "age" in lines[0].split()
