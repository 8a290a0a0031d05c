"""Sections that higher apps add to an item's page (what enrichment found, the Telegram
message an item came in). The vault shows an item without knowing them: each app registers
its section in its AppConfig.ready(), with its place on the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docket.vault.models import Item


@dataclass(frozen=True)
class ItemSection:
    template: str
    #: The template's context for one item and the user looking at it; shown only to those
    #: who may view the item.
    context: Callable[[Item, Any], dict[str, Any]]
    #: Where on the page, top first.
    order: int


ITEM_SECTIONS: list[ItemSection] = []


Context = Callable[[Item, Any], dict[str, Any]]


def item_section(template: str, *, order: int) -> Callable[[Context], Context]:
    """Register a function returning a section's context for an item's page."""

    def decorate(context: Context) -> Context:
        ITEM_SECTIONS.append(ItemSection(template, context, order))
        ITEM_SECTIONS.sort(key=lambda section: section.order)
        return context

    return decorate


def sections_of(item: Item, user: Any) -> dict[str, Any]:
    """The context of every registered section for this user, and their templates in order."""
    context: dict[str, Any] = {"section_templates": [s.template for s in ITEM_SECTIONS]}
    for section in ITEM_SECTIONS:
        found = section.context(item, user)
        clash = set(found) & set(context)
        assert not clash, f"{section.template} would hide {sorted(clash)} of another section"
        context.update(found)
    return context
