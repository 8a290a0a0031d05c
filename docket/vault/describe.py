"""What the pages say of an item beyond its bytes: a name a person recognises, its type, when
and where it was made, a thumbnail, a title and tags.

The vault stores bytes and knows none of this. The apps that do register a describer in their
AppConfig.ready(): ingest (the file's name in an import, the Telegram message it came in),
intake (the report it came in), enrich (type, capture time and place, thumbnail, what it was
derived from) and register (title, description and tags). A describer takes the primary keys
of the items on a page and answers for all of them at once, so a list of fifty items costs a
few queries, not fifty times a few.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

#: pks -> {pk: {fact: value}}; a fact another describer already gave is not overwritten.
Describer = Callable[[list[int]], dict[int, dict[str, Any]]]

DESCRIBERS: list[Describer] = []


def describer(function: Describer) -> Describer:
    DESCRIBERS.append(function)
    return function


@dataclass
class Facts:
    pk: int
    #: The file's name where an import gave one, or a name made from where it came from.
    name: str = ""
    #: Where the name came from, for a tooltip (the path inside an import, a report number).
    origin: str = ""
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    mime: str = ""
    #: picture, video, audio, pdf, text, document, archive, other (by the filetype enricher).
    kind: str = ""
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    #: The pk of a small picture Docket made of the item (never the original).
    thumbnail: int | None = None
    #: The pk of the metadata-free copy to show instead of the original: the original's own
    #: pk when the copy came out identical (nothing to remove); None when there is none.
    shown_copy: int | None = None
    #: What this item was made from: {"pk": original's pk, "kind": "thumbnail", …}.
    derived_from: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        """What a person calls the item: its title, its name, or its number."""
        return self.title or self.name or gettext("item %(pk)s") % {"pk": self.pk}


def describe(pks: Iterable[int]) -> dict[int, Facts]:
    """The facts every registered describer knows of these items."""
    facts = {pk: Facts(pk) for pk in pks}
    if not facts:
        return facts
    names = {f.name for f in fields(Facts)} - {"pk"}
    for function in DESCRIBERS:
        for pk, found in function(list(facts)).items():
            known = facts[pk]
            for name, value in found.items():
                if name not in names:
                    raise KeyError(f"{function.__module__}: {name!r} is not a fact of an item")
                if value not in (None, "", []) and getattr(known, name) in (None, "", []):
                    setattr(known, name, value)
    return facts


def describe_one(pk: int) -> Facts:
    return describe([pk])[pk]


@dataclass(frozen=True)
class Scope:
    """A way to narrow the item list that a higher app knows how to apply (only originals,
    not what Docket derived from them)."""

    name: str
    label: Callable[[], str]
    narrow: Callable[[QuerySet[Any]], QuerySet[Any]]


#: The first scope is the list's default; "all" is always offered after them.
SCOPES: list[Scope] = []


def scope(name: str, label: Callable[[], str]) -> Callable[[Any], Any]:
    def decorate(narrow: Callable[[QuerySet[Any]], QuerySet[Any]]) -> Any:
        SCOPES.append(Scope(name, label, narrow))
        return narrow

    return decorate


#: A GET parameter of the item list -> how a higher app narrows the list by it (?tag=bodycam
#: and ?q=words come from the register).
FILTERS: dict[str, Callable[[QuerySet[Any], str], QuerySet[Any]]] = {}


def item_filter(name: str) -> Callable[[Any], Any]:
    def decorate(narrow: Callable[[QuerySet[Any], str], QuerySet[Any]]) -> Any:
        FILTERS[name] = narrow
        return narrow

    return decorate


#: Templates of forms that act on many items at once, registered by the apps that own the
#: actions (the register tags items and links them to an event). Each is included in the item
#: list's form, whose boxes name the chosen items `item`.
BulkForm = Callable[[Any], tuple[str, dict[str, Any]] | None]
BULK_FORMS: list[BulkForm] = []


def bulk_form(choose: BulkForm) -> BulkForm:
    """Register a function of the user that gives the template to include and what it needs
    in its context, or None when the user may not act on items this way."""
    BULK_FORMS.append(choose)
    return choose
