"""A day's work in Chromium, as three people do it: the intake clerk triages a report with a
picture (previewed from Docket's copy, answered, accepted into the case's compartment); the
analyst records an incident, choosing a person already recorded, corrects the act and links
the report's picture found by its name, and uploads files from their disk through a dropped
connection; the lawyer exports the event list, and the analyst
imports it back into the compartment, which changes nothing. Screenshots of each step go to
build/test-artefacts/day-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docket.lib.loopback import free_port, wait_until_served
from tests.support.browser import ARGS, CHROMIUM
from tests.support.instance import Instance
from tests.support.media import jpeg
from tests.web.test_browser import ARTEFACTS, first_login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def working(instance: Instance, sandbox_dir: Path) -> Instance:
    """The instance with enrichment on, as a real one runs: the worker types each file and
    draws its thumbnail and metadata-free copy (the other enrichers are tested elsewhere)."""
    env = {**instance.env, "DOCKET_ENRICH_ON_STORE": "true", "DOCKET_SANDBOX_DIR": str(sandbox_dir),
           "DOCKET_ENRICHERS": "filetype,thumbnails,clean"}  # fmt: skip
    return Instance(instance.root, env)


@pytest.fixture
def served(working: Instance) -> Iterator[str]:
    port = free_port()
    process = working.popen("serve", "--port", str(port), "--workers", "1", "--with-worker")
    base = f"http://127.0.0.1:{port}"
    wait_until_served(base + "/accounts/login/")
    yield base
    process.terminate()
    process.wait(timeout=30)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"day-{name}.png"), full_page=True)


def until(page: Any, selector: str, tries: int = 120) -> None:
    """Reload until a worker's result shows (a thumbnail, a copy)."""
    for _ in range(tries):
        if page.locator(selector).count():
            return
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError(f"{selector} never appeared on {page.url}: {page.inner_text('main')}")


def pick(page: Any, field: str, typed: str, expected: str) -> None:
    """Type part of a name as a documenter does and take the suggestion the server offers."""
    page.fill(field, typed)
    option = f"datalist#names-{field.removeprefix('#id_')} option[value='{expected}']"
    page.wait_for_selector(option, state="attached", timeout=10_000)
    page.fill(field, expected)


def test_a_clerk_an_analyst_and_a_lawyer_work_a_day(
    working: Instance, served: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    def add(name: str, role: str, compartment: str) -> str:
        made = working.json("users", "add", name, "--role", role, "--compartment", compartment,
                             "--json")  # fmt: skip
        return str(made.get("one_time_password", ""))

    working.run("compartments", "add", "intake")
    clerk = add("clerk", "intake", "intake")
    add("clerk", "intake", "default")  # accepts reports into the case's compartment
    analyst = add("analyst", "analyst", "default")
    lawyer = add("lawyer", "legal", "default")
    picture = tmp_path / "yard.jpg"
    jpeg(picture)
    working.run("intake", "submit", "--language", "en", "--file", str(picture),
                 "They beat us in the yard of Akrestsina on the night of 11 August.")  # fmt: skip
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        # The clerk: the queue, the report, its picture, a reply, accepted into the case.
        page = first_login(browser, served, "clerk", clerk)
        assert page.url.endswith("/inbox/")  # the intake role starts at the inbox
        assert "They beat us in the yard" in page.inner_text("main")
        shot(page, "clerk-inbox")
        page.click("table a >> text=/^\\d+$/")
        until(page, "table.items img")  # the thumbnail a worker drew, never the original
        assert re.search(r"report-\d+-1\.jpg", page.inner_text("table.items"))
        shot(page, "clerk-submission")
        page.click("table.items td a")
        until(page, "main img[src*='/shown']")  # the preview, from the metadata-free copy
        shot(page, "clerk-preview")
        page.go_back()
        page.fill("#id_text", "Thank you. Were you held in the yard or in a cell?")
        page.click("text=Send reply")
        assert "Answered" in page.inner_text("h1")
        page.select_option("#id_compartment", label="default")
        page.click("main button:text-is('Accept')")
        assert "Accepted into default" in page.inner_text("main")
        shot(page, "clerk-accepted")

        # The analyst: an incident, a victim chosen among those recorded, a correction,
        # the report's picture found by its name.
        page = first_login(browser, served, "analyst", analyst)
        page.goto(served + "/register/events/")
        page.click("text=New event")
        page.fill("#id_title", "Beatings in the yard of Okrestina (fictional)")
        page.fill("#id_start", "2020-08-11 23:40")
        page.select_option("#id_start_precision", "exact")
        page.click("main button[type=submit]")
        page.wait_for_url("**/acts/new")
        event_url = page.url.removesuffix("acts/new")
        page.fill("#id_victim", "Алесь Дзяржынскі (выдуманы)")
        page.check("#id_victim_new")
        page.select_option("#id_act_type", label="— Beating")
        page.click("main button[type=submit] >> nth=0")
        page.wait_for_url(event_url)
        # A second act against the same man: typed in Latin, picked from what is recorded.
        page.goto(event_url + "acts/new")
        pick(page, "#id_victim", "Ales Dziarzhy", "Алесь Дзяржынскі (выдуманы)")
        page.select_option("#id_act_type", label="— Beating")
        shot(page, "analyst-picks-a-person")
        page.click("main button[type=submit] >> nth=0")
        page.wait_for_url(event_url)
        assert page.locator("table.acts tbody tr").count() == 2
        assert page.inner_text("main").count("Алесь Дзяржынскі") >= 2
        from_browser = working.json("search", "Dziarzhynski", "--json")["hits"]
        assert len([h for h in from_browser if h["type"] == "person"]) == 1  # nobody twice
        page.click("table.acts a:text-is('Correct') >> nth=0")
        page.fill("#id_notes", "beaten with batons by two officers")
        page.click("main button[type=submit] >> text=Save")
        page.wait_for_url(event_url)
        assert "beaten with batons by two officers" in page.inner_text("table.history")
        page.goto(event_url + "evidence/new")
        page.fill("input[name=find]", "report")  # by its name, never by its number
        page.press("input[name=find]", "Enter")
        page.click("table.found a >> text=/report-\\d+-1\\.jpg/")
        page.fill("#id_annotation", "the yard, photographed by the sender")
        page.click("main button[type=submit] >> text=Save")
        page.wait_for_url(event_url)
        assert "the yard, photographed by the sender" in page.inner_text("main")
        shot(page, "analyst-event")
        # Files from the analyst's disk, uploaded through a dropped connection: the first part
        # of the larger one is cut off on its way and the page goes on from where the server
        # says; both end as items named as on the disk.
        big = tmp_path / "bodycam 0810.mp4"
        big.write_bytes(b"\x00" * (9 * 1024 * 1024 + 17))  # two parts of the page's 8 MiB
        small = tmp_path / "witness statement.txt"
        small.write_text("We were taken to the yard at Akrestsina.\n")
        cut: list[str] = []

        def drop_first_part(route: Any) -> None:
            if not cut:
                cut.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/vault/upload/part*", drop_first_part)
        page.goto(served + "/vault/items/")
        page.click("text=Upload files")
        page.set_input_files("input[type=file]", [str(big), str(small)])
        page.click("#upload button[type=submit]")
        page.wait_for_selector("#progress li:nth-child(2).done", timeout=60_000)
        ARTEFACTS.joinpath("upload.png").write_bytes(page.screenshot(full_page=True))
        assert cut and page.inner_text("#progress").count("stored") == 2
        page.click("#progress li:first-child a")
        assert "bodycam 0810.mp4" in page.inner_text("main")
        # Both tagged at once from the list.
        page.goto(served + "/vault/items/")
        for name in ("bodycam 0810.mp4", "witness statement.txt"):
            page.check(f"input[aria-label='Choose {name}']")
        page.fill("input[name=tags]", "uploaded, 11 August")
        page.click("button:text-is('Tag them')")
        page.wait_for_selector("text=2 items tagged.")
        analysts_page = page

        # The lawyer: the event list, downloaded as CSV.
        page = first_login(browser, served, "lawyer", lawyer)
        assert page.url.endswith("/exports/")  # the legal role starts at the exports
        page.goto(served + "/register/events/")
        with page.expect_download() as download:
            page.click("a:text-is('CSV')")
        exported = tmp_path / "events.csv"
        download.value.save_as(exported)
        assert "Beatings in the yard of Okrestina" in exported.read_text(encoding="utf-8-sig")
        shot(page, "lawyer-events")
        lawyers_page = page

        # The analyst imports the lawyer's file back: nothing is created or changed.
        page = analysts_page
        page.goto(served + "/register/import/")
        page.select_option("#id_compartment", label="default")
        page.set_input_files("#id_file", str(exported))
        page.uncheck("input[name=dry_run]")
        page.click("main button[type=submit]")
        report = page.inner_text("main")
        assert "0 events created, 0 events updated, 0 acts created, 2 acts already there" in report
        shot(page, "analyst-reimported")

        # Names from a partner's list of victims: one is a person already recorded, in
        # Latin; two are one man in two scripts. The check lists the first; the duplicates
        # page shows the others, merged and un-merged.
        victims = tmp_path / "victims.csv"
        victims.write_text(
            "event_ref,event_title,event_start,act_type,victim\n"
            "p1,Detentions at the Stela (fictional),2020-08-09,10.10,Ales Dziarzhynski\n"
            "p1,Detentions at the Stela (fictional),2020-08-09,10.10,Іван Церцель (выдуманы)\n"
            "p1,Detentions at the Stela (fictional),2020-08-09,10.10,Ivan Tsertsel\n",
            encoding="utf-8",
        )
        page.goto(served + "/register/import/")
        page.select_option("#id_compartment", label="default")
        page.set_input_files("#id_file", str(victims))
        page.click("main button[type=submit]")
        checked = page.inner_text("main")
        assert "May be the same as someone already here" in checked
        assert "Алесь Дзяржынскі (выдуманы)" in checked
        shot(page, "analyst-may-be-known")
        page.set_input_files("#id_file", str(victims))
        page.uncheck("input[name=dry_run]")
        page.click("main button[type=submit]")
        assert "3 acts created" in page.inner_text("main")
        page.goto(served + "/register/persons/")
        page.click("h1 a:text-is('Possible duplicates')")
        listed = page.inner_text("main")
        assert "Ivan Tsertsel" in listed and "Ales Dziarzhynski" in listed
        shot(page, "analyst-duplicates")
        pair = page.locator("section.pair", has_text="Ivan Tsertsel")
        pair.locator("button", has_text="“Іван Церцель (выдуманы)”").click()
        page.wait_for_selector("text=Merged into this record")
        assert "Ivan Tsertsel" in page.inner_text("h1 + .facts")  # now one of his names
        shot(page, "analyst-merged")
        page.click("button:text-is('Un-merge')")
        page.wait_for_selector("h1:has-text('Ivan Tsertsel')")
        assert "a person of their own again" in page.inner_text("main")
        shot(page, "analyst-unmerged")
        assert len(working.json("persons", "duplicates", "--compartment", "default", "--json")[
            "pairs"]) == 2  # fmt: skip

        # The lawyer screens a partner's list against the register: for review, not a verdict.
        page = lawyers_page
        page.goto(served + "/register/screen/")
        page.fill("textarea[name=names]", "TSERTSEL Ivan\nMaria Kalesnikava")
        page.click("main button[type=submit]")
        screened = page.inner_text("main")
        assert "Іван Церцель (выдуманы)" in screened and "human review" in screened.lower()
        shot(page, "lawyer-screening")
        browser.close()
    found = working.json("search", "statement", "--json")["hits"]
    assert any(hit["label"].startswith("witness statement.txt") for hit in found), found
