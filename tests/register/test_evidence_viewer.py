"""Linking evidence while watching or reading it: the evidence page opens an item beside the
form, and the vault shows the original inline only to Docket's own pages, only for kinds a
browser can show safely, and logs every showing in the custody log."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from docket.accounts.models import AuditEvent
from docket.register.models import Event
from docket.vault.models import CustodyEntry, Item
from docket.vault.store import store
from tests.support.media import wav
from tests.support.personas import Team, log_in

EMBEDDED = {"HTTP_SEC_FETCH_DEST": "video", "HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def analyst(team: Team) -> Client:
    client = Client()
    log_in(client, team.owner)
    return client


def reads(item: Item) -> int:
    return CustodyEntry.objects.filter(item=item, action="read").count()


def test_the_page_opens_a_recording_beside_the_form(team: Team, analyst: Client) -> None:
    event = Event.objects.create(compartment=team.a, title="Yard")
    recording = store(io.BytesIO(wav()), actor="t", compartment=team.a).item
    theirs = store(io.BytesIO(wav(seconds=2)), actor="t", compartment=team.b).item
    page = analyst.get(f"/register/events/{event.pk}/evidence/new?item={recording.pk}")
    html = page.content.decode()
    assert (
        f'<video id="recording" controls preload="none" src="/vault/items/{recording.pk}/shown"'
        in html
    )
    assert f'value="{recording.pk}"' in html  # the form's item field, filled in
    assert reads(recording) == 0  # nothing is decrypted until someone presses play
    other = analyst.get(f"/register/events/{event.pk}/evidence/new?item={theirs.pk}")
    assert f"/vault/items/{theirs.pk}/shown" not in other.content.decode()
    as_document = analyst.get(
        f"/register/events/{event.pk}/evidence/new?item={recording.pk}&as=document"
    ).content.decode()
    assert f'<iframe class="document" src="/vault/items/{recording.pk}/shown"' in as_document


def test_the_vault_shows_a_recording_to_its_page_and_logs_the_read(
    team: Team, analyst: Client
) -> None:
    data = wav()
    recording = store(io.BytesIO(data), actor="t", compartment=team.a).item
    shown = analyst.get(f"/vault/items/{recording.pk}/shown", **EMBEDDED)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == data
    assert shown["Content-Type"] == "audio/wav" and shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Security-Policy"].startswith("sandbox;")
    assert shown["Content-Disposition"] == f'inline; filename="item-{recording.pk}.wav"'
    assert reads(recording) == 1
    assert AuditEvent.objects.filter(action="item.show", actor=team.owner).count() == 1


def test_the_vault_refuses_links_other_sites_and_kinds_it_cannot_show_safely(
    team: Team, analyst: Client
) -> None:
    recording = store(io.BytesIO(wav()), actor="t", compartment=team.a).item
    followed = analyst.get(
        f"/vault/items/{recording.pk}/shown",
        HTTP_SEC_FETCH_DEST="document", HTTP_SEC_FETCH_SITE="same-origin",
    )  # fmt: skip
    assert followed.status_code == 403
    elsewhere = analyst.get(
        f"/vault/items/{recording.pk}/shown",
        HTTP_SEC_FETCH_DEST="video", HTTP_SEC_FETCH_SITE="cross-site",
    )  # fmt: skip
    assert elsewhere.status_code == 403 and reads(recording) == 0
    page = store(io.BytesIO(b"<html><script>alert(1)</script>"), actor="t", compartment=team.a)
    refused = analyst.get(f"/vault/items/{page.item.pk}/shown", **EMBEDDED)
    assert refused.status_code == 415 and b"script" not in refused.content
    pdf = store(io.BytesIO(b"%PDF-1.4\n%fake"), actor="t", compartment=team.a).item
    document = analyst.get(f"/vault/items/{pdf.pk}/shown", HTTP_SEC_FETCH_DEST="iframe")
    assert document["Content-Type"] == "application/pdf"
    assert "frame-ancestors 'self'" in document["Content-Security-Policy"]
    assert document["X-Frame-Options"] == "SAMEORIGIN"


def test_a_player_seeks_with_byte_ranges_and_each_is_a_logged_read(
    team: Team, analyst: Client
) -> None:
    data = wav(seconds=20)  # more than one 64 KiB age chunk
    recording = store(io.BytesIO(data), actor="t", compartment=team.a).item
    url = f"/vault/items/{recording.pk}/shown"
    part = analyst.get(url, HTTP_RANGE="bytes=70000-70099", **EMBEDDED)
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 70000-70099/{len(data)}"
    assert b"".join(part.streaming_content) == data[70000:70100]
    tail = analyst.get(url, HTTP_RANGE="bytes=-10", **EMBEDDED)
    assert b"".join(tail.streaming_content) == data[-10:]
    rest = analyst.get(url, HTTP_RANGE="bytes=300000-", **EMBEDDED)
    assert b"".join(rest.streaming_content) == data[300000:] and rest["Accept-Ranges"] == "bytes"
    assert reads(recording) == 3  # one per range served
    past = analyst.get(url, HTTP_RANGE=f"bytes={len(data)}-", **EMBEDDED)
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{len(data)}"
    assert reads(recording) == 3  # nothing served, nothing decrypted: no read


def test_it_refuses_an_inverted_range_with_416_and_logs_no_read(
    team: Team, analyst: Client
) -> None:
    """The owner's player (or anything else in their browser) asking for bytes 500 to 100 gets
    416 and the item's custody log stays as it was: no read of nothing is recorded."""
    data = wav(seconds=2)
    recording = store(io.BytesIO(data), actor="t", compartment=team.a).item
    url = f"/vault/items/{recording.pk}/shown"
    entries = CustodyEntry.objects.filter(item=recording).count()
    shows = AuditEvent.objects.filter(action="item.show").count()
    for asked in ("bytes=500-100", "bytes=1-0", f"bytes={len(data) - 1}-{len(data) - 2}"):
        refused = analyst.get(url, HTTP_RANGE=asked, **EMBEDDED)
        assert refused.status_code == 416, asked
        assert refused["Content-Range"] == f"bytes */{len(data)}"
        assert refused.content == b""
    assert CustodyEntry.objects.filter(item=recording).count() == entries
    assert AuditEvent.objects.filter(action="item.show").count() == shows
    # A header that is not a byte range at all is ignored, as RFC 9110 says: the whole file.
    for malformed in ("bytes=abc-5", "bytes=\u00b2-5", "bytes=-"):
        whole = analyst.get(url, HTTP_RANGE=malformed, **EMBEDDED)
        assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert reads(recording) == 3
