"""A sender's report through the public form, posted by Django's test client in the test
process; a served intake (over HTTP: docket/intake/channels/web/client.py) for the tests of
the intake as it runs."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

from docket.lib.loopback import free_port, wait_until_served
from tests.support.instance import Instance

REPORT = {
    "what": "They beat us in the yard of the district police station.",
    "when": "10 August 2020, night",
    "where": "Akrestsina street, Minsk",
    "who": "Riot police, no badges",
    "injuries": "",
}


def receipt_of(response: Any) -> str:
    match = re.search(r'<p class="receipt-words" lang="\w+">([^<]+)</p>', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def send_report(client: Client, files: dict[str, bytes] | None = None, lang: str = "en") -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = dict(REPORT)
    if files:
        data["files"] = [SimpleUploadedFile(name, content) for name, content in files.items()]
    response = client.post(f"/intake/{lang}/", data)
    assert response.status_code == 200, response.content.decode()[:3000]
    return receipt_of(response)


def intake_env(instance: Instance) -> dict[str, str]:
    env = {k: v for k, v in instance.env.items() if not k.startswith("DOCKET_VAULT_PASSPHRASE")}
    env.update(
        DOCKET_RECEIPT_ARGON2_MEMORY_KIB="1024",
        DOCKET_RECEIPT_ARGON2_TIME="1",
        DOCKET_INTAKE_DISK_RESERVE_MB="0",
        DOCKET_LOG_LEVEL="DEBUG",
    )
    return env


class Served:
    def __init__(self, instance: Instance, tmp_path: Path) -> None:
        self.env = intake_env(instance)
        self.port = free_port()
        self.log = tmp_path / f"intake-{self.port}.log"

    def start(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "docket", "serve", "--intake-only",
                 "--port", str(self.port), "--workers", "2"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until_served(f"http://127.0.0.1:{self.port}/intake/en/")
        return process


def tus_create(port: int, length: int) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/intake/uploads/", b"",
                       {"Tus-Resumable": "1.0.0", "Upload-Length": str(length)})  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("Location") or ""
