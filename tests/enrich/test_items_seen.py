"""Items a person can recognise: the list and the page show the file's name, type, capture
facts and a thumbnail; the page previews the item from the copies Docket made, never the
original when a copy exists; documenters give items titles, descriptions and tags that are
kept in the register's history, found by search and seen only in the item's compartment."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client
from django.utils import timezone

from docket.ingest.models import Batch, BatchItem
from docket.register.models import Change, ItemRecord
from docket.vault.models import CustodyEntry, Item
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.personas import Team, log_in


def imported(item: Item, path: str) -> None:
    """Record the item as `docket import files` does: found at PATH inside the import."""
    batch = Batch.objects.create(source="files", label="usb", compartment=item.compartment,
                                 actor="cli", started_at=timezone.now(), stored=1)  # fmt: skip
    BatchItem.objects.create(batch=batch, item=item, path=path)


def client_of(user: object) -> Client:
    client = Client()
    log_in(client, user)
    return client


def test_the_list_and_page_name_a_picture_and_show_it_from_its_copies(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    photo = tmp_path / "IMG_0417.jpg"
    media.jpeg(photo)
    item = enriching.put(photo, compartment=team.a)
    imported(item, "okrestina/night/IMG_0417.jpg")
    enriching.work()
    analyst = client_of(team.owner)

    listed = analyst.get("/vault/items/").content.decode()
    assert "IMG_0417.jpg" in listed and "image/jpeg" in listed
    assert 'title="okrestina/night/IMG_0417.jpg"' in listed
    thumbnails = re.findall(r'<img src="/vault/items/(\d+)/picture"', listed)
    assert len(thumbnails) == 1 and int(thumbnails[0]) != item.pk
    # What Docket derived (the thumbnail, the clean copy) is not listed among the originals.
    rows = re.findall(r'<a href="/vault/items/(\d+)/"', listed)
    assert rows == [str(item.pk)]
    everything = analyst.get("/vault/items/", {"show": "all"}).content.decode()
    assert f"thumbnail of item {item.pk}" in everything

    # The thumbnail is a picture Docket drew: served without a custody entry, and never the
    # original through this door.
    entries = CustodyEntry.objects.count()
    picture = analyst.get(f"/vault/items/{thumbnails[0]}/picture")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert picture["Cache-Control"] == "no-store"
    assert CustodyEntry.objects.count() == entries
    assert analyst.get(f"/vault/items/{item.pk}/picture").status_code == 404
    outsider = client_of(team.outsider)
    assert outsider.get(f"/vault/items/{thumbnails[0]}/picture").status_code == 404
    # A thumbnail's own page says what it is, and is described through its original.
    drawn = analyst.get(f"/vault/items/{thumbnails[0]}/").content.decode()
    assert f"thumbnail of item {item.pk}" in drawn
    assert "Give it a title" not in drawn and "Download the original" not in drawn

    # The page previews the metadata-free copy, not the original.
    page = analyst.get(f"/vault/items/{item.pk}/").content.decode()
    assert "<h1>IMG_0417.jpg" in page
    shown = re.findall(r'<img class="preview" src="/vault/items/(\d+)/shown"', page)
    assert len(shown) == 1
    if int(shown[0]) == item.pk:  # mat2 found nothing to remove: the page says so
        assert "came out identical" in page
    else:
        assert "Shown from the metadata-free copy" in page


def test_a_title_description_and_tags_are_kept_in_history_and_found(
    vault: Path, team: Team, tmp_path: Path
) -> None:
    from docket.vault.store import store

    video = tmp_path / "clip.mp4"
    media.mp4(video)
    with video.open("rb") as handle:
        item = store(handle, actor="test", compartment=team.a).item
    analyst = client_of(team.owner)
    page = analyst.get(f"/vault/items/{item.pk}/").content.decode()
    assert "Give it a title, a description and tags" in page
    analyst.post(f"/register/items/{item.pk}/record", {
        "title": "Akrestsina yard at night", "description": "Filmed from the fence.",
        "tags": "bodycam,  Okrestina , BODYCAM, needs translation",
    })  # fmt: skip
    record = ItemRecord.objects.get(item=item)
    assert record.tags == "bodycam, Okrestina, needs translation"
    analyst.post(f"/register/items/{item.pk}/record", {
        "title": "Okrestina yard, night of 11 August", "description": "Filmed from the fence.",
        "tags": record.tags,
    })  # fmt: skip
    changes = Change.objects.filter(model="itemrecord", object_id=item.pk).order_by("id")
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].before["title"] == "Akrestsina yard at night"
    assert changes[1].after["title"] == "Okrestina yard, night of 11 August"
    assert changes[1].compartment_id == team.a.pk and changes[1].actor_name == "owner"
    assert not CustodyEntry.objects.filter(item=item, action__contains="record").exists()

    page = analyst.get(f"/vault/items/{item.pk}/").content.decode()
    assert "<h1>Okrestina yard, night of 11 August" in page and "needs translation" in page
    # Found by title in any script, by tag, and in the item list's filters.
    for query in ("Окрестина", "okrestina yard", "bodycam"):
        found = analyst.get("/register/search/", {"q": query}).content.decode()
        assert f"/vault/items/{item.pk}/" in found, query
    by_tag = analyst.get("/vault/items/", {"tag": "Bodycam"}).content.decode()
    assert f"/vault/items/{item.pk}/" in by_tag
    assert (
        f"/vault/items/{item.pk}/"
        not in analyst.get("/vault/items/", {"tag": "body"}).content.decode()
    )
    by_words = analyst.get("/vault/items/", {"q": "fence"}).content.decode()
    assert f"/vault/items/{item.pk}/" in by_words

    # Another compartment neither sees nor changes it; the intake clerk sees it but may not
    # change the register.
    outsider = client_of(team.outsider)
    assert (
        "Okrestina yard"
        not in outsider.get("/register/search/", {"q": "okrestina yard"}).content.decode()
    )
    assert (
        outsider.get("/vault/items/", {"tag": "bodycam"})
        .content.decode()
        .count(f"/vault/items/{item.pk}/")
        == 0
    )
    refused = outsider.post(f"/register/items/{item.pk}/record", {"title": "x", "tags": ""})
    assert refused.status_code == 404
    clerk = client_of(team.teammate)
    assert "Okrestina yard" in clerk.get(f"/vault/items/{item.pk}/").content.decode()
    assert clerk.post(f"/register/items/{item.pk}/record", {"title": "x"}).status_code == 404
    assert ItemRecord.objects.get(item=item).title == "Okrestina yard, night of 11 August"


def test_an_intake_file_is_named_after_its_report_and_type(team: Team, vault: Path) -> None:
    import io

    from docket.enrich.models import FileType
    from docket.intake.models import Attachment, Submission
    from docket.vault.describe import describe
    from docket.vault.store import store

    submission = Submission.objects.create(
        compartment=team.a, channel="web", receipt_tag=0, receipt_salt=b"",
        receipt_verifier=b"", sender_key="",
    )  # fmt: skip
    items = [
        store(io.BytesIO(content), actor="test", compartment=team.a).item
        for content in (b"\xff\xd8\xff first", b"second")
    ]
    FileType.objects.create(item=items[0], mime="image/jpeg", description="", kind="picture")
    for item in items:
        Attachment.objects.create(submission=submission, item=item, size=item.size)
    facts = describe([i.pk for i in items])
    assert facts[items[0].pk].name == f"report-{submission.pk}-1.jpg"
    assert facts[items[1].pk].name == f"report-{submission.pk}-2"
    assert "report" in facts[items[0].pk].origin


def test_an_evidence_span_reads_as_it_was_given() -> None:
    from docket.register.models import EvidenceLink, clock

    cases = {
        0: "0:00",
        3.5: "0:03.5",
        133: "2:13",
        4000: "1:06:40",
        59.9996: "1:00",
        2.25: "0:02.25",
    }
    for seconds, shown in cases.items():
        assert clock(seconds) == shown, seconds
    assert EvidenceLink(start_seconds=0, end_seconds=3.5).span_text == "0:00–0:03.5"
    assert EvidenceLink(start_seconds=133).span_text == "from 2:13"
    assert EvidenceLink(page=4).span_text == "page 4"
