"""Every staff page in a real browser (Debian's Chromium through Playwright): logged in through
the real password and authenticator pages, no request leaves 127.0.0.1, no Content-Security-
Policy violation is reported, and every page answers 200."""

from __future__ import annotations

import re
import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from docket.accounts import totp
from tests.conftest import Instance, write_files

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(instance: Instance, tmp_path: Path) -> Iterator[str]:
    write_files(tmp_path / "in", {"photo.jpg": 5000, "video.mp4": 20000})
    instance.run("import", "files", str(tmp_path / "in"))
    port = free_port()
    process = instance.popen("serve", "--port", str(port), "--workers", "1", "--with-worker")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2)  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)


def staff_pages() -> list[str]:
    """The GET page of every declared staff, list and object route (the same walk as the
    authorization matrix), objects filled in with the instance's first item."""
    from tests.test_authorization_matrix import declared, routes

    pages = []
    for route, pattern in routes():
        access = declared(pattern)
        if access and access.kind in ("staff", "list", "object") and "GET" in access.methods:
            pages.append(route.replace("<int:pk>", "1"))
    return pages


def test_every_staff_page_stays_on_loopback_with_no_csp_violation(
    instance: Instance, server: str
) -> None:
    from playwright.sync_api import sync_playwright

    created = instance.json(
        "users",
        "add",
        "olga",
        "--superuser",
        "--role",
        "admin",
        "--compartment",
        "default",
        "--json",
    )
    password = created["one_time_password"]
    pages = staff_pages()
    assert "/vault/items/1/" in pages and "/accounts/audit/" in pages

    hosts: set[str] = set()
    violations: list[str] = []
    statuses: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Content Security Policy violation: ' + e.violatedDirective))"
        )

        page.goto(server + "/accounts/login/")
        page.fill("#id_username", "olga")
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        secret = re.sub(r"\s", "", page.inner_text("code.secret"))
        page.fill("#id_code", totp.code_at(secret, time.time()))
        page.click("main button[type=submit]")
        assert page.locator(".codes li").count() == 10  # recovery codes, shown once
        page.click("text=I have saved them")
        page.fill("#id_old_password", password)
        page.fill("#id_new_password1", "olga's own long passphrase")
        page.fill("#id_new_password2", "olga's own long passphrase")
        page.click("main button[type=submit]")
        page.wait_for_load_state()

        for path in pages:
            response = page.goto(server + path)
            assert response is not None
            statuses[path] = response.status
        browser.close()

    assert statuses == dict.fromkeys(pages, 200), statuses
    assert hosts == {server.split("/")[2]}
    assert violations == []
