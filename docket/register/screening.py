"""Screening a list of names against the register's persons (docs/analysis.md, "Screening").

Policy:
- For human review only: a match says that a listed name may be a recorded person's, with the
  score and its reasons; it is never a finding that anyone listed is that person.
- Only the persons of the compartments asked for; the caller has checked that the user may
  screen them (`register.screen`).
- The list is not kept: nothing of it is written to the database or the logs, and the audit
  trail gets counts only (names, matches) per compartment. The answer is its only copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from docket.accounts.models import Compartment
from docket.analysis import names, pairs
from docket.analysis.screening import MAX_NAMES, Index, Known
from docket.analysis.screening import Match as NameMatch
from docket.register.models import Act, EvidenceLink, Involvement, Person, PersonName

#: Persons counted per query (SQLite limits the parameters of one statement).
CHUNK = 500


class TooMany(ValueError):
    """The list is longer than MAX_NAMES; the message says so in the user's language."""


@dataclass(frozen=True)
class Match:
    person: Person
    score: float
    why: tuple[str, ...]
    #: Distinct events of the acts the person suffered or took part in as a perpetrator.
    events: int
    #: Evidence links to the person or to those acts (the Persons register's count).
    evidence: int

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person.pk, "compartment": self.person.compartment.name,
            "score": self.score, "why": list(self.why), "events": self.events,
            "evidence": self.evidence,
        }  # fmt: skip


@dataclass(frozen=True)
class Screened:
    entry: pairs.Entry
    matches: tuple[Match, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.entry.id,
            "name": self.entry.name.text,
            "matches": [m.as_json() for m in self.matches],
        }


def screen(
    entries: list[pairs.Entry],
    compartments: Iterable[Compartment],
    *,
    threshold: float = names.THRESHOLD,
) -> list[Screened]:
    """The possible matches of each listed name, in the list's order.

    1. Refuse a list longer than MAX_NAMES (TooMany).
    2. Index every name of the compartments' persons: the name shown and the other names.
    3. Score each listed name against the names that share a block key.
    4. Count the events and evidence of the persons matched.
    """
    if len(entries) > MAX_NAMES:
        raise TooMany(
            gettext(
                "The list has %(count)s names; screening takes at most %(limit)s at once."
                " Split it into shorter lists."
            ) % {"count": len(entries), "limit": MAX_NAMES}
        )  # fmt: skip
    index = Index(_known([c.pk for c in compartments]), threshold)
    found = [(entry, index.matches(entry.name)) for entry in entries]
    matched = {m.person for _, matches in found for m in matches}
    persons = Person.objects.select_related("compartment").in_bulk(matched)
    events, evidence = _counts(matched)

    def counted(m: NameMatch) -> Match:
        return Match(
            persons[m.person], m.score, m.why, len(events[m.person]), len(evidence[m.person])
        )

    return [Screened(entry, tuple(counted(m) for m in matches)) for entry, matches in found]


def audit_details(results: list[Screened], compartment: Compartment) -> dict[str, int]:
    """What the audit trail keeps of a screening in one compartment: how many names were
    screened and how many matches were found there, never a name."""
    matches = sum(
        1 for s in results for m in s.matches if m.person.compartment_id == compartment.pk
    )
    return {"names": len(results), "matches": matches}


def _known(compartments: list[int]) -> Iterator[Known]:
    shown = Person.objects.filter(compartment__in=compartments).values_list("pk", "display_name")
    other = PersonName.objects.filter(person__compartment__in=compartments).values_list(
        "person_id", "name"
    )
    for rows in (shown, other):
        for person, text in rows.iterator():
            try:
                yield Known(person, names.parse(text))
            except ValueError:
                continue  # a name without letters ("№ 17") names nobody to match


def _counts(persons: set[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per person: the ids of their events, and of the evidence links to them or their acts."""
    events: dict[int, set[int]] = defaultdict(set)
    evidence: dict[int, set[int]] = defaultdict(set)
    ordered = sorted(persons)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        of_act: dict[int, set[int]] = defaultdict(set)
        suffered = Act.objects.filter(victim__in=chunk).values_list("pk", "event_id", "victim_id")
        perpetrated = Involvement.objects.filter(person__in=chunk).values_list(
            "act_id", "act__event_id", "person_id"
        )
        for rows in (suffered, perpetrated):
            for act, event, person in rows:
                of_act[act].add(person)
                events[person].add(event)
        for link, person in EvidenceLink.objects.filter(person__in=chunk).values_list(
            "pk", "person_id"
        ):
            evidence[person].add(link)
        their_acts = Act.objects.filter(Q(victim__in=chunk) | Q(involvements__person__in=chunk))
        for link, act in EvidenceLink.objects.filter(act__in=their_acts).values_list(
            "pk", "act_id"
        ):
            for person in of_act[act]:
                evidence[person].add(link)
    return events, evidence
