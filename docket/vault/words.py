"""Custody entries in words, for the pages: "olga read IMG_0417.jpg (item 17)". The leaf, the
bytes the log's signatures cover, stays one click away; these words are made from it and
from what the pages call the item (docket/vault/describe.py), never stored."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.vault.describe import describe
from docket.vault.models import CustodyEntry

#: action -> sentence; %(actor)s did it, %(item)s is the item, %(to)s/%(from)s compartments.
SENTENCES = {
    "received": _("%(actor)s received %(item)s"),
    "received again": _("%(actor)s received %(item)s again (stored once)"),
    "read": _("%(actor)s read %(item)s"),
    "derived": _("%(actor)s made a %(kind)s of %(item)s"),
    "copied": _("%(actor)s stored %(item)s, made from another item"),
    "moved": _("%(actor)s moved %(item)s from %(from)s to %(to)s"),
    "detached": _("%(actor)s detached %(item)s"),
    "export": _("%(actor)s exported %(item)s"),
    "log initialised": _("%(actor)s started the custody log"),
}

#: Actors that are parts of Docket rather than people.
ACTORS = {
    "enrich": _("enrichment"),
    "intake": _("the public intake"),
    "cli": _("the command line"),
    "docket init": _("docket init"),
}


#: What enrichment derives, as the pages name it.
KINDS = {
    "thumbnail": _("thumbnail"), "keyframe": _("keyframe"), "contact-sheet": _("contact sheet"),
    "clean-copy": _("metadata-free copy"), "page-image": _("page image"),
}  # fmt: skip


def actor_name(actor: str) -> str:
    """'user:3:olga' -> 'olga'; Docket's own parts by what they are."""
    if actor.startswith("user:"):
        return actor.split(":", 2)[-1]
    return str(ACTORS.get(actor, actor))


@dataclass
class Worded:
    entry: CustodyEntry
    sentence: str


def in_words(entries: Iterable[CustodyEntry]) -> list[Worded]:
    entries = list(entries)
    facts = describe({e.item_id for e in entries if e.item_id is not None})
    worded = []
    for entry in entries:
        leaf: dict[str, Any] = json.loads(entry.leaf_text())
        details = leaf.get("details") or {}
        item = ""
        if entry.item_id is not None:
            known = facts[entry.item_id]
            named = known.title or known.name
            item = (
                gettext("%(label)s (item %(pk)s)") % {"label": named, "pk": entry.item_id}
                if named
                else gettext("item %(pk)s") % {"pk": entry.item_id}
            )
        values = {
            "actor": actor_name(str(leaf.get("actor", ""))),
            "item": item,
            "kind": str(KINDS.get(details.get("kind", ""), gettext("derived file"))),
            "from": details.get("from", "?"),
            "to": details.get("to", "?"),
        }
        sentence = SENTENCES.get(entry.action)
        shown = str(sentence) % values if sentence else f"{values['actor']}: {entry.action} {item}"
        worded.append(Worded(entry, shown))
    return worded
