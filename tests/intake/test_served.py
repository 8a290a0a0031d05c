"""The intake as it runs in production: `docket serve --intake-only`, without the vault
passphrase, on loopback. It keeps no trace of who sent what, cannot decrypt, and loses no
acknowledged report when killed."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docket.intake.channels.web.client import multipart, submit
from tests.support.instance import PASSPHRASE, Instance
from tests.support.intake import Served, tus_create

pytestmark = pytest.mark.served

UA = "TraceMe-Agent/7.7 (distinctive)"
ADDRESS = "203.0.113.77"
FILE_NAME = "secret-name-4f2a.jpg"


@pytest.fixture
def served(instance: Instance, tmp_path: Path) -> Iterator[Served]:
    yield Served(instance, tmp_path)


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body, {**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_it_keeps_no_address_agent_or_file_name_anywhere(
    instance: Instance, served: Served
) -> None:
    process = served.start()
    revealing = {"User-Agent": UA, "X-Forwarded-For": ADDRESS, "X-Real-IP": ADDRESS,
                 "Forwarded": f"for={ADDRESS}"}  # fmt: skip
    try:
        body, content_type = multipart(
            {"what": "Beaten at the station"}, b"\xff\xd8\xff" + b"7" * 9000
        )
        body = body.replace(b'filename="evidence.bin"', f'filename="{FILE_NAME}"'.encode())
        status, page = post(
            served.port, "/intake/en/", body, {**revealing, "Content-Type": content_type}
        )
        assert status == 200 and b"receipt-words" in page
        # Errors too: a page that does not exist, a broken upload, a refused cross-site post.
        post(served.port, "/intake/nowhere/deeper", b"", revealing)
        post(served.port, "/intake/uploads/", b"", revealing)
        post(served.port, "/intake/en/", b"what=x", {**revealing, "Sec-Fetch-Site": "cross-site",
             "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)

    dump = instance.run("dumpdata", "--natural-foreign").stdout
    places = [(served.log, served.log.read_bytes()), (Path("dumpdata"), dump)]
    places += [(p, p.read_bytes()) for p in instance.root.rglob("*") if p.is_file()]
    for path, content in places:
        for secret in (UA.encode(), ADDRESS.encode(), FILE_NAME.encode(), b"Beaten at the station"):
            assert secret not in content, f"{secret!r} found in {path}"
    assert b"intake.submission" in dump  # the report is there, sealed


def test_the_intake_process_cannot_decrypt(instance: Instance, served: Served) -> None:
    with_key = {**served.env, "DOCKET_VAULT_PASSPHRASE": "the staff passphrase"}
    refused = subprocess.run(
        [sys.executable, "-m", "docket", "serve", "--intake-only", "--port", str(served.port)],
        env=with_key, capture_output=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0
    assert b"must not hold the vault passphrase" in refused.stderr

    process = served.start()
    try:
        _, receipt = submit(served.port, "A report", b"%PDF-1.4 the directive")
        assert receipt is not None
        for path in ("/inbox/", "/vault/items/1/", "/api/register/events/", "/accounts/login/"):
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
            connection.request("GET", path)
            assert connection.getresponse().status == 404, path
            connection.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    # Even its code paths that decrypt refuse: the process has no key and is told it must not.
    cat = instance.run("cat", "1", check=False, env={**served.env, "DOCKET_INTAKE_ONLY": "true"})
    assert cat.returncode != 0 and b"never decrypts" in cat.stderr
    # The staff side, with the passphrase, reads the same item.
    assert instance.run("cat", "1").stdout == b"%PDF-1.4 the directive"


def test_a_sigkill_loses_no_acknowledged_report_and_uploads_resume(
    instance: Instance, served: Served, tmp_path: Path
) -> None:
    process = served.start()
    acknowledged: list[dict[str, str]] = []
    stop = threading.Event()

    def sender(number: int) -> None:
        sent = 0
        while not stop.is_set():
            payload = os.urandom(40_000 + number * 1000 + sent)
            _, receipt = submit(served.port, f"sender {number} report {sent}", payload)
            if receipt is not None:
                acknowledged.append(
                    {"receipt": receipt, "sha256": hashlib.sha256(payload).hexdigest()}
                )
            sent += 1

    # A resumable upload half done when the server dies.
    data = os.urandom(3 * 300_000)
    status, location = tus_create(served.port, len(data))
    assert status == 201
    assert tus_patch(served.port, location, 0, data[:300_000]) == 204

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Kill the whole server (master and workers) mid-flight.
    for pid in [*children(process.pid), process.pid]:
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(acknowledged) >= 15

    check = tmp_path / "acknowledged.json"
    check.write_text(json.dumps(acknowledged))
    staff = {**served.env, "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}  # same receipt cost, and the key
    verified = json.loads(instance.run("bench", "intake", "--check", str(check), env=staff).stdout)
    assert verified["verified"] == len(acknowledged)
    instance.run("verify")  # every blob and the custody log hold (exits non-zero otherwise)

    # The upload resumes where its last whole part ended, and becomes an intact item.
    process = served.start()
    try:
        offset = tus_offset(served.port, location)
        assert offset == 300_000
        assert tus_patch(served.port, location, offset, data[offset:600_000]) == 204
        assert tus_patch(served.port, location, 600_000, data[600_000:]) == 204
        body, content_type = multipart(
            {"what": "the rest", "upload": location.rsplit("/", 1)[1]}, b""
        )
        body = body.replace(b'; filename="evidence.bin"', b"")  # a form without a file
        status, page = post(served.port, "/intake/en/", body, {"Content-Type": content_type})
        assert status == 200, page[:500]
    finally:
        process.terminate()
        process.wait(timeout=30)
    instance.run("worker", "--until-idle")  # assembles the three parts with the key
    digest = hashlib.sha256(data).hexdigest()
    listed = instance.run("dumpdata", "vault.item").stdout.decode()
    assert digest in listed


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def tus_patch(port: int, location: str, offset: int, data: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("PATCH", location, data, {
        "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream", "Content-Length": str(len(data)),
    })  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def tus_offset(port: int, location: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("HEAD", location, headers={"Tus-Resumable": "1.0.0"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return int(response.getheader("Upload-Offset") or -1)


def test_concurrent_uploads_cannot_together_pass_the_outstanding_cap(
    instance: Instance, served: Served
) -> None:
    # Eight senders ask at the same moment, across the server's worker processes, for room
    # that only one of them fits: the reservation is checked and made under one lock.
    served.env.update(DOCKET_INTAKE_OUTSTANDING_MB="1")
    process = served.start()
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def creator() -> None:
        barrier.wait()
        statuses.append(tus_create(served.port, 600_000)[0])

    try:
        threads = [threading.Thread(target=creator) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert sorted(statuses) == [201] + [507] * 7
    listed = json.loads(instance.run("dumpdata", "intake.upload").stdout)
    assert [row["fields"]["length"] for row in listed] == [600_000]
