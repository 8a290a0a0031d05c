"""The intake in a real browser (Debian's Chromium through Playwright), against
`docket serve --intake-only`: with JavaScript off a sender reports with a file and comes back
with the receipt to read a reply; with JavaScript on, a 200 MB file uploads in parts, survives
a dropped connection, and arrives intact in the vault. No request leaves 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import ARGS, CHROMIUM
from tests.support.instance import PASSPHRASE, Instance
from tests.support.intake import Served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)"
    ),
]


@pytest.fixture
def intake_server(instance: Instance, tmp_path: Path) -> Iterator[tuple[Served, str]]:
    served = Served(instance, tmp_path)
    process = served.start()
    yield served, f"http://127.0.0.1:{served.port}"
    process.terminate()
    process.wait(timeout=30)


def staff_env(served: Served) -> dict[str, str]:
    return {**served.env, "DOCKET_VAULT_PASSPHRASE": PASSPHRASE}


def test_without_javascript_a_sender_reports_and_reads_the_reply(
    instance: Instance, intake_server: tuple[Served, str], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    served, base = intake_server
    photo = tmp_path / "IMG_20200810_0214.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(30_000))
    hosts: set[str] = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        page.goto(base + "/intake/")
        page.fill("#id_what", "They took us from the square to Akrestsina and beat us.")
        page.fill("#id_where", "Minsk")
        page.set_input_files("#id_files", str(photo))
        page.click("main button[type=submit]")
        receipt = page.inner_text(".receipt-words")
        assert len(receipt.split()) == 8
        assert "shown only once" in page.inner_text("main")
        assert not context.cookies()

        # A documenter answers from the inbox (here through the same function the inbox calls).
        instance.run(
            "shell", "-c",
            "from docket.intake.models import Submission; from docket.intake import conversation;"
            "from docket.accounts.models import User;"
            "u = User.objects.create_user('clerk');"
            "conversation.reply(Submission.objects.get(), 'Thank you. Were you hurt?', by=u)",
            env=staff_env(served),
        )  # fmt: skip

        page.goto(base + "/intake/en/return")
        page.fill("#id_receipt", receipt)
        page.click("main button[type=submit]")
        text = page.inner_text("main")
        assert "Thank you. Were you hurt?" in text
        assert "Akrestsina and beat us" in text and "1 file received" in text
        page.fill("#id_text", "Bruises on my back; a doctor wrote it down.")
        page.click("main button[type=submit]")
        assert "Sent." in page.inner_text("main")
        assert not context.cookies()
        browser.close()
    assert hosts == {base.split("/")[2]}


def test_with_javascript_200_mb_upload_survives_a_dropped_connection(
    instance: Instance, intake_server: tuple[Served, str], tmp_path: Path
) -> None:
    from playwright.sync_api import Route, sync_playwright

    served, base = intake_server
    video = tmp_path / "bodycam.mp4"
    digest = hashlib.sha256()
    with video.open("wb") as out:
        for _ in range(200):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            out.write(block)
    hosts: set[str] = set()
    patches: list[int] = []

    def cut_once(route: Route) -> None:
        patches.append(1)
        if len(patches) == 6:  # the sixth part: the connection drops mid-upload
            route.abort("connectionreset")
        else:
            route.continue_()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        page.route("**/intake/uploads/*", lambda route: cut_once(route)
                   if route.request.method == "PATCH" else route.continue_())  # fmt: skip
        page.goto(base + "/intake/en/")
        page.fill("#id_what", "Body camera footage of the detention, 9 August.")
        page.set_input_files("#id_files", str(video))
        page.click("main button[type=submit]")
        page.wait_for_selector(".receipt-words", timeout=240_000)
        receipt = page.inner_text(".receipt-words")
        assert len(receipt.split()) == 8
        assert "1 file was received" in page.inner_text("main")
        browser.close()
    assert len(patches) >= 26  # 25 parts of 8 MiB, one of them sent twice
    assert hosts == {base.split("/")[2]}

    # A worker with the key puts the parts together as one original.
    instance.run("worker", "--until-idle", env=staff_env(served), timeout=300)
    listed = instance.run("dumpdata", "vault.item").stdout.decode()
    assert digest.hexdigest() in listed
    found = subprocess.run(
        ["grep", "-rl", "Body camera", str(instance.root)], capture_output=True
    ).stdout
    assert not found  # the description exists only sealed


def test_in_a_flood_the_browser_pays_with_work_and_no_javascript_is_no_worse_off(
    instance: Instance, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    served = Served(instance, tmp_path)
    served.env.update(DOCKET_INTAKE_POW_BITS="12", DOCKET_INTAKE_SUBMISSIONS_PER_HOUR="1")
    process = served.start()
    base = f"http://127.0.0.1:{served.port}/intake/en/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # The first report (no JavaScript, no proof) spends the hour's budget; then two
            # browsers with JavaScript pass the spent budget, each with its own proof.
            for javascript in (False, True, True):
                page = browser.new_context(java_script_enabled=javascript).new_page()
                page.goto(base)
                page.fill("#id_what", "Riot police beat people at the Pushkinskaya metro.")
                if javascript:  # the page works on its proof in the background
                    page.wait_for_function(
                        "document.querySelector('input[name=pow]').value !== ''", timeout=60_000
                    )
                page.click("main button[type=submit]")
                assert len(page.inner_text(".receipt-words").split()) == 8
            # Without JavaScript, no proof: the same refusal as with proof of work off.
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(base)
            page.fill("#id_what", "A second report without JavaScript.")
            page.click("main button[type=submit]")
            assert "Too many reports are arriving right now" in page.inner_text("main")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_in_a_flood_of_uploads_the_browser_sends_its_file_with_the_form(
    instance: Instance, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    from docket.intake.channels.web.client import submit
    from tests.support.intake import tus_create

    served = Served(instance, tmp_path)
    served.env.update(
        DOCKET_INTAKE_POW_BITS="12",
        DOCKET_INTAKE_SUBMISSIONS_PER_HOUR="1",
        DOCKET_INTAKE_UPLOADS_PER_HOUR="1",
    )
    process = served.start()
    photo = tmp_path / "IMG_0412.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(40_000))
    try:
        # A flooder spends the hour's uploads and the hour's reports.
        assert tus_create(served.port, 10)[0] == 201
        assert tus_create(served.port, 10)[0] == 429
        assert submit(served.port, "flood", b"x")[1] is not None
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context().new_page()
            page.goto(f"http://127.0.0.1:{served.port}/intake/en/")
            page.fill("#id_what", "Photo of the bus that took them to Okrestina.")
            page.set_input_files("#id_files", str(photo))
            page.wait_for_function(
                "document.querySelector('input[name=pow]').value !== ''", timeout=60_000
            )
            page.click("main button[type=submit]")
            page.wait_for_selector(".receipt-words", timeout=60_000)
            assert len(page.inner_text(".receipt-words").split()) == 8
            assert "1 file was received" in page.inner_text("main")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    listed = instance.run("dumpdata", "vault.item").stdout.decode()
    assert hashlib.sha256(photo.read_bytes()).hexdigest() in listed
