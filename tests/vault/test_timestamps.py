"""RFC 3161 timestamps of checkpoints, from a local authority built on `openssl ts`."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docket.lib import tsa
from docket.vault import custody
from docket.vault.models import Timestamp
from docket.vault.store import store
from docket.vault.verify import verify
from tests.support.tsa import authority as tsa_authority


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with tsa_authority(tmp_path_factory.mktemp("tsa")) as served:
        yield served


def test_each_checkpoint_gets_a_token_that_openssl_verifies(
    vault: Path, settings: Any, authority: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = authority
    settings.TSA_URL = url
    store(io.BytesIO(b"a leaked order"), actor="cli")
    checkpoint = custody.seal()
    assert checkpoint is not None
    stamp = Timestamp.objects.get(checkpoint=checkpoint)
    assert stamp.authority == url
    (tmp_path / "token.der").write_bytes(bytes(stamp.token))
    (tmp_path / "note.txt").write_bytes(checkpoint.note.encode())
    result = subprocess.run(
        ["openssl", "ts", "-verify", "-token_in", "-in", str(tmp_path / "token.der"), "-data",
         str(tmp_path / "note.txt"), "-CAfile", str(root / "ca.pem"), "-untrusted",
         str(root / "tsa.pem")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout
    assert verify().ok


def test_an_unreachable_authority_does_not_stop_sealing(
    vault: Path, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.TSA_URL = "http://127.0.0.1:9/tsa"
    store(io.BytesIO(b"another file"), actor="cli")
    checkpoint = custody.seal()
    assert checkpoint is not None
    assert not Timestamp.objects.filter(checkpoint=checkpoint).exists()
    assert "timestamp authority failed" in caplog.text


def test_a_token_for_another_note_is_refused(authority: tuple[str, Path]) -> None:
    url, _ = authority
    token = tsa.request_timestamp(url, b"checkpoint text")
    assert (
        tsa.token_info(token).digest != tsa.token_info(tsa.request_timestamp(url, b"other")).digest
    )
