"""Leads: what the machine suggests and an analyst decides — media that may show an incident,
the same picture from several sources, two persons who may be one, a name found in a text.

Each kind lives with the data it is about and says here how it is listed and decided; the
queue (docket/leads, above every app that suggests) shows every kind of one compartment in one
place. A kind registers itself when its app is ready (`register(Kind(...))` in the app's
`ready()`), so the register does not import the apps that suggest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Kind:
    #: In URLs and the queue's filter: "media", "near-duplicates", "persons", "mentions".
    key: str
    label: str | Promise
    #: The permission (docket.accounts.access) needed to see and decide this kind's leads.
    permission: str
    #: compartment id -> how many leads wait for a decision there.
    count: Callable[[int], int]
    #: (compartment id, how many at most) -> the undecided leads, best first. Each lead is any
    #: object with `ref` (a string: what `get` takes) and `compartment_id`; `template` renders it.
    pending: Callable[[int, int], Sequence[Any]]
    #: The lead's reference as its row's form sends it (its pk, or "12-34" for a pair of
    #: persons) -> the lead, or None. The caller checks its compartment.
    get: Callable[[str], Any | None]
    #: (lead, accept?, user) -> True when this call decided it, False when someone had already.
    #: Both decisions are kept in the record's history with who and when.
    decide: Callable[[Any, bool, Any], bool]
    #: One lead as a row of the queue; the context holds `lead`, `kind` and `may_decide`, and
    #: the row includes "leads/_decide.html" for its buttons.
    template: str
    #: What "accept" does, for the button: "Accept as evidence", "Same person"…
    accept_label: str | Promise = ""
    #: Before rows are shown: one call with all of them, to fetch what they show in bulk.
    prepare: Callable[[Sequence[Any]], None] | None = None
    #: What the page says after an accept: "Accepted: the item is now evidence of the event."
    accepted: str | Promise = ""
    #: The URL name of a page of their own, if they have one (the groups of the same picture,
    #: the possible duplicates with every answer), linked from the queue.
    page: str = ""


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def pending_counts(compartment_id: int, user: Any) -> dict[str, int]:
    """How many leads of each kind wait in one compartment, for the kinds the user may decide
    there (a kind whose count is not known cheaply now says -1)."""
    from docket.accounts import access

    return {
        key: kind.count(compartment_id)
        for key, kind in KINDS.items()
        if compartment_id in access.compartment_ids(user, kind.permission)
    }
