"""What staff see of enrichment: the item page, its transcript as subtitles, the Imports page
and item hits in the register's search (only for those who may view the item)."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from docket.ingest.models import Batch, BatchItem
from tests.support import media
from tests.support.enriching import Enriching
from tests.support.personas import Team, log_in

SPOKEN = "The riot police detained forty people near the metro station."


def test_the_item_page_shows_what_enrichment_found(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "speech.wav"
    media.speech(path, SPOKEN)
    item = enriching.put(path, compartment=team.a)
    enriching.work()
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert "Transcript" in page and "detained" in page
    assert "faster-whisper" in page
    srt = client.get(f"/vault/items/{item.pk}/transcript.srt")
    assert srt["Content-Disposition"] == f'attachment; filename="item-{item.pk}.srt"'
    assert srt.content.decode().startswith("1\n00:00:00,000 --> 00:00:0")
    vtt = client.get(f"/vault/items/{item.pk}/transcript.vtt").content.decode()
    assert vtt.startswith("WEBVTT\n") and "detained" in vtt

    found = client.get("/register/search/", {"q": "detained"}).content.decode()
    assert f"/vault/items/{item.pk}/" in found
    outsider = Client()
    log_in(outsider, team.outsider)
    assert (
        f"/vault/items/{item.pk}/"
        not in outsider.get("/register/search/", {"q": "detained"}).content.decode()
    )


def test_the_imports_page_shows_progress(enriching: Enriching, team: Team, tmp_path: Path) -> None:
    from django.utils import timezone

    path = tmp_path / "photo.jpg"
    media.jpeg(path)
    item = enriching.put(path, compartment=team.a)
    batch = Batch.objects.create(source="files", label="usb", compartment=team.a, actor="cli",
                                 started_at=timezone.now(), stored=1)  # fmt: skip
    BatchItem.objects.create(batch=batch, item=item, path="usb/photo.jpg")
    client = Client()
    log_in(client, team.owner)
    before = client.get("/vault/imports/").content.decode()
    assert "0 of 1 item\n" in before and "still importing" in before
    enriching.work()
    after = client.get("/vault/imports/").content.decode()
    assert "1 of 1 item\n" in after
    outsider = Client()
    log_in(outsider, team.outsider)
    assert "usb" not in outsider.get("/vault/imports/").content.decode()


def test_an_items_page_says_where_it_came_from_before_the_text_read_in_it() -> None:
    # The vault shows the sections higher apps register, in the order they ask for.
    from docket.vault.sections import ITEM_SECTIONS

    assert [section.template for section in ITEM_SECTIONS] == [
        "enrich/_item_preview.html",
        "register/_item_record.html",
        "register/_item_media_leads.html",
        "cases/_item_verification.html",  # how the item was verified, beside what it proves
        "enrich/_item.html",
        "enrich/_item_near_duplicates.html",  # the same picture, after what enrichment found
        "ingest/_item.html",
        "enrich/_item_text.html",
        "register/_item_mentions.html",  # what the text names, after the text
    ]


def test_a_recording_without_words_says_so_and_has_no_subtitles(team: Team) -> None:
    import io

    from docket.enrich.models import Transcript
    from docket.vault.store import store

    silent = store(io.BytesIO(b"a silent recording"), actor="test", compartment=team.a).item
    Transcript.objects.create(
        item=silent, language="en", language_probability=0.3, model="whisper-base",
        device="cpu", duration_seconds=6,
    )  # fmt: skip
    unread = store(io.BytesIO(b"a picture"), actor="test", compartment=team.a).item
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{silent.pk}/").content.decode()
    assert "No speech found: whisper-base heard no words in this recording." in page
    assert "transcript.srt" not in page
    for item in (silent, unread):
        for extension in ("srt", "vtt"):
            assert client.get(f"/vault/items/{item.pk}/transcript.{extension}").status_code == 404


def test_a_clean_copy_identical_to_its_original_says_so(team: Team) -> None:
    import io

    from docket.enrich.models import Derivative
    from docket.vault.store import store

    # mat2 found nothing to remove: the "clean copy" stored is the original's own bytes.
    item = store(io.BytesIO(b"a wav with no metadata"), actor="test", compartment=team.a).item
    Derivative.objects.create(
        original=item, derived=item, kind=Derivative.Kind.CLEAN_COPY, tool="mat2"
    )
    client = Client()
    log_in(client, team.owner)
    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert "identical to this file (mat2 found nothing to remove)." in page
    assert f"of item {item.pk}." not in page, "it is not a copy of itself"
