"""Trails a person can read: custody entries and audit actions in words, in three languages,
with the signed entry one click away; counts in the right plural form."""

from __future__ import annotations

import io
import json
import re

from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import ngettext

from docket.ingest.models import Batch, BatchItem
from docket.vault.models import CustodyEntry
from docket.vault.store import store
from tests.support.personas import Team, log_in


def test_custody_entries_read_as_sentences_with_the_leaf_beside(team: Team, vault: object) -> None:
    item = store(io.BytesIO(b"testimony"), actor="cli", compartment=team.a).item
    batch = Batch.objects.create(source="files", label="usb", compartment=team.a, actor="cli",
                                 started_at=timezone.now(), stored=1)  # fmt: skip
    BatchItem.objects.create(batch=batch, item=item, path="usb/testimony.txt")
    client = Client()
    log_in(client, team.owner)
    client.post(f"/vault/items/{item.pk}/original")  # a read, logged in custody

    page = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert f"the command line received testimony.txt (item {item.pk})" in page
    assert f"owner read testimony.txt (item {item.pk})" in page
    leaf = json.loads(CustodyEntry.objects.filter(item=item, action="read").get().leaf_text())
    assert leaf["actor"].endswith(":owner")
    assert "the signed entry" in page and "&quot;action&quot;:&quot;read&quot;" in page
    log = client.get("/vault/log/").content.decode()
    assert f"owner read testimony.txt (item {item.pk})" in log

    client.post("/language/", {"language": "be", "next": "/"})
    in_belarusian = client.get(f"/vault/items/{item.pk}/").content.decode()
    assert f"owner прачытаў(-ла) testimony.txt (матэрыял {item.pk})" in in_belarusian


def test_the_audit_trail_says_what_each_action_was(team: Team, vault: object) -> None:
    item = store(io.BytesIO(b"a leaked directive"), actor="cli", compartment=team.a).item
    owner = Client()
    log_in(owner, team.owner)
    owner.get(f"/vault/items/{item.pk}/")
    auditor = Client()
    log_in(auditor, team.auditor)
    trail = auditor.get("/accounts/audit/").content.decode()
    assert re.search(r'title="item.view">viewed an item</a>', trail)
    only = auditor.get("/accounts/audit/", {"action": "item.view"}).content.decode()
    assert "listed items" not in only


def test_counts_take_the_plural_their_language_needs() -> None:
    rows = {"en": {1: "1 row", 3: "3 rows"},
            "be": {1: "1 радок", 3: "3 радкі", 5: "5 радкоў", 21: "21 радок"},
            "ru": {1: "1 строка", 3: "3 строки", 5: "5 строк", 22: "22 строки"}}  # fmt: skip
    for language, cases in rows.items():
        with translation.override(language):
            for n, shown in cases.items():
                assert ngettext("%(rows)s row", "%(rows)s rows", n) % {"rows": n} == shown
