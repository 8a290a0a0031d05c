"""A local RFC 3161 timestamp authority built on `openssl ts`, for the tests of
checkpoints' timestamps and of what carries them (a court bundle's timestamp.tsr)."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


@contextmanager
def authority(root: Path) -> Iterator[tuple[str, Path]]:
    """A timestamp authority with its own CA in `root`, answering RFC 3161 requests over
    HTTP; yields its URL and `root` (ca.pem, tsa.pem)."""
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
