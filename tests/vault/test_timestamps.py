"""RFC 3161 timestamps of checkpoints, from a local authority built on `openssl ts`."""

from __future__ import annotations

import http.server
import io
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docket.lib import tsa
from docket.vault import custody
from docket.vault.models import Timestamp
from docket.vault.store import store
from docket.vault.verify import verify

TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = {dir}/serial
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ req ]
distinguished_name = dn
[ dn ]
[ tsa_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A timestamp authority with its own CA, answering RFC 3161 requests over HTTP."""
    root = tmp_path_factory.mktemp("tsa")
    (root / "tsa.cnf").write_text(TSA_CONFIG.format(dir=root))
    (root / "serial").write_text("01\n")
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ed25519",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Test Root",
        "-days",
        "2",
        cwd=root,
    )
    openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/CN=Test TSA",
        cwd=root,
    )
    openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
            "2", "-out", "tsa.pem", "-days", "2", "-extfile", "tsa.cnf", "-extensions", "tsa_ext",
            cwd=root)  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.headers["Content-Type"] == "application/timestamp-query"
            reply = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(root / "tsa.cnf"), "-queryfile",
                 "/dev/stdin", "-out", "/dev/stdout"],
                input=query, capture_output=True, check=True,
            ).stdout  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", root
    server.shutdown()


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
