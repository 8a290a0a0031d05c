"""The register's own leads in the one queue: two persons who may be one (duplicates.py) and
a person or unit named in a text (mentions.py). Each is decided as on its own page, and kept
in the history the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from docket.lib import ids
from docket.register import duplicates, mentions
from docket.register.leads import Kind, register
from docket.register.models import Mention, Person, PersonPair
from docket.vault.describe import describe


@dataclass
class PersonsLead:
    """A pair of the matcher's (or one a form or an import recorded), not yet decided."""

    a: int
    b: int
    compartment_id: int
    score: float
    why: tuple[str, ...]
    unsure: bool = False
    #: Filled by `_prepare_pairs`: what the duplicates page shows of each side.
    facts: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.a}-{self.b}"

    @property
    def side_a(self) -> dict[str, Any] | None:
        return self.facts.get(self.a)

    @property
    def side_b(self) -> dict[str, Any] | None:
        return self.facts.get(self.b)


def _pairs_pending(compartment_id: int, limit: int) -> list[PersonsLead]:
    found = duplicates.candidates(compartment_id, decided=False)
    return [
        PersonsLead(c.a, c.b, compartment_id, c.score, c.why, c.decision == "unsure")
        for c in found[:limit]
    ]


def _pairs_count(compartment_id: int) -> int:
    known = duplicates.cached_count(compartment_id)
    return -1 if known is None else known


def _prepare_pairs(leads: Sequence[Any]) -> None:
    from docket.register.views_duplicates import _facts

    facts = _facts([pk for lead in leads for pk in (lead.a, lead.b)])
    for lead in leads:
        lead.facts = facts


def _pair(ref: str) -> PersonsLead | None:
    a_text, _sep, b_text = ref.partition("-")
    first, second = ids.pk(a_text), ids.pk(b_text)
    if first is None or second is None:
        return None
    a, b = sorted((first, second))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=(a, b))}
    if len(persons) != 2 or persons[a].compartment_id != persons[b].compartment_id:
        return None
    return PersonsLead(a, b, persons[a].compartment_id, 0.0, ())


def _decide_pair(lead: PersonsLead, accept: bool, user: Any) -> bool:
    """Accept merges the later record into the earlier (the button says which is kept; the
    duplicates page lets one choose); reject notes "different people". A pair decided or
    merged meanwhile is left as it is."""
    persons = {p.pk: p for p in Person.objects.filter(pk__in=(lead.a, lead.b))}
    if len(persons) != 2:
        return False
    decided = PersonPair.objects.filter(
        a_id=lead.a, b_id=lead.b, decision=PersonPair.Decision.DIFFERENT
    ).exists()
    if decided:
        return False
    if accept:
        duplicates.merge(persons[lead.a], persons[lead.b], actor=user)
    else:
        duplicates.decide(
            persons[lead.a], persons[lead.b], PersonPair.Decision.DIFFERENT, "", actor=user
        )
    return True


def _mentions_pending_rows(compartment_id: int) -> Any:
    """Suggested mentions in the compartment's own items and events (as the person's page)."""
    from django.db.models import F, Q

    return Mention.objects.filter(
        compartment_id=compartment_id, status=Mention.Status.SUGGESTED
    ).filter(Q(item__compartment_id=F("compartment_id")) | Q(event__isnull=False))


def _mentions_pending(compartment_id: int, limit: int) -> list[Mention]:
    rows = _mentions_pending_rows(compartment_id).select_related("person", "unit", "event")
    return list(rows.order_by("-score", "id")[:limit])


def _prepare_mentions(leads: Sequence[Any]) -> None:
    facts = describe(m.item_id for m in leads if m.item_id)
    for mention in leads:
        mention.facts = facts.get(mention.item_id) if mention.item_id else None


def _mention(ref: str) -> Mention | None:
    return Mention.objects.filter(pk=ids.pk(ref) or 0).first()


def _decide_mention(mention: Mention, accept: bool, user: Any) -> bool:
    decided = mentions.decide(mention, accept=accept, user=user)
    return (
        decided.decided_by_id == user.pk and (decided.status == Mention.Status.ACCEPTED) == accept
    )


PERSONS = Kind(
    key="persons",
    label=_("Possible duplicate persons"),
    permission="register.edit",
    count=_pairs_count,
    pending=_pairs_pending,
    get=_pair,
    decide=_decide_pair,
    template="leads/_persons.html",
    accept_label=_("Same person"),
    accepted=_("Merged: the later record is now part of the earlier one (un-merge on its page)."),
    prepare=_prepare_pairs,
    page="register:duplicates",
)
MENTIONS = Kind(
    key="mentions",
    label=_("Mentions"),
    permission="register.edit",
    count=lambda compartment_id: _mentions_pending_rows(compartment_id).count(),
    pending=_mentions_pending,
    get=_mention,
    decide=_decide_mention,
    template="leads/_mention.html",
    accept_label=_("Accept"),
    accepted=_("Accepted: an item's mention of a person is now evidence about them."),
    prepare=_prepare_mentions,
)


def connect() -> None:
    register(PERSONS)
    register(MENTIONS)
