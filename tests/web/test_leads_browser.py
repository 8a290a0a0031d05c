"""An analyst's leads in a real browser: a photo taken at the Stela during an incident of the
register (its EXIF clock with an offset and its GPS position) is imported and enriched by the
worker, the queue of leads suggests it as media of that incident, the analyst accepts it, and
the event's page then lists the photo as evidence. Screenshots go to build/test-artefacts/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import media
from tests.support.browser import ARGS, CHROMIUM
from tests.support.instance import Instance
from tests.web.test_browser import ARTEFACTS, first_login, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)"
    ),
]

make_samples = media.samples()
STELA = make_samples.PHOTOS[0]  # taken during demo-anchor-1, 130 m from the Stela


def test_an_analyst_accepts_a_photo_as_evidence_of_the_incident_it_shows(
    instance: Instance,
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    samples = tmp_path / "samples"
    make_samples.lead_samples(samples)
    incoming = tmp_path / "stela"
    incoming.mkdir()
    shutil.copy(samples / "default" / "photos" / STELA.name, incoming / STELA.name)
    made = instance.json(
        "register", "generate", "--compartment", "default", "--events", "3", "--persons", "10",
        "--json",
    )  # fmt: skip
    assert made["anchors"] == 5
    env = {**instance.env, "DOCKET_ENRICH_ON_STORE": "true"}
    instance.run("import", "files", str(incoming), "--compartment", "default", env=env)
    instance.run("worker", "--until-idle", env=env, timeout=600)
    found = json.loads(instance.run("match", "media", "--json").stdout)["matches"]
    assert [m["event_ref"] for m in found] == ["demo-anchor-1"]
    event = found[0]["event"]
    password = str(
        instance.json("users", "add", "ana", "--role", "analyst", "--compartment", "default",
                      "--json")["one_time_password"]
    )  # fmt: skip
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = first_login(browser, server, "ana", password)
        page.goto(server + "/register/events/")
        assert "Leads" in page.inner_text("nav")
        page.click("nav >> text=Leads")
        page.click("main nav >> text=Media and incidents")
        row = page.locator("article.lead").filter(has_text=STELA.name)
        text = row.inner_text()
        assert "may show" in text and "within the event's time" in text
        assert "2020-08-09 22:48 +03:00" in text and "assumed" not in text
        page.screenshot(path=str(ARTEFACTS / "leads-1-queue.png"), full_page=True)
        row.locator("button[value=accept]").click()
        page.wait_for_load_state()
        assert "Accepted" in page.inner_text("main")
        assert STELA.name not in page.inner_text("main")  # decided: out of the queue
        page.screenshot(path=str(ARTEFACTS / "leads-2-accepted.png"), full_page=True)
        page.goto(f"{server}/register/events/{event}/")
        evidence = page.locator("main h2:has-text('Evidence') + ul").inner_text()
        assert STELA.name in evidence and "Capture time and place match the event" in evidence
        page.screenshot(path=str(ARTEFACTS / "leads-3-event-evidence.png"), full_page=True)
        browser.close()
