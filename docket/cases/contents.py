"""What a case holds and what may be linked to it, read from the register: its acts (those it
names and those of its events), the evidence links and sources' accounts of those, each
suspect's acts and the evidence a suspect's liability can rest on, which evidence is verified,
and what is still missing.

Every save of a case's rows goes through `save()` here: it refuses a row of another
compartment (a suspect, an event, an act, an evidence link, an account) whatever the form
let through, then records the change in the history (docket.register.history).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from docket.accounts.models import User
from docket.cases import elements
from docket.cases.models import QUALIFYING, Case, Cell, Suspect, Verification
from docket.register import history
from docket.register.models import (
    Act,
    Change,
    EvidenceLink,
    Information,
    Involvement,
    Term,
)

M = TypeVar("M", bound=Model)


class ForeignRecord(ValueError):
    """A row of another compartment was to be linked to a case."""


def acts(case: Case) -> QuerySet[Act]:
    """The case's acts: those it names and every act of its events."""
    return Act.objects.filter(
        Q(pk__in=case.acts.values("pk")) | Q(event__in=case.events.values("pk")),
        compartment_id=case.compartment_id,
    ).distinct()


def incident_evidence(case: Case) -> QuerySet[EvidenceLink]:
    """Evidence links of the case's events and acts: what a matrix cell can cite."""
    return EvidenceLink.objects.filter(
        Q(event__in=case.events.values("pk")) | Q(act__in=acts(case).values("pk")),
        compartment_id=case.compartment_id,
    ).distinct()


def information(case: Case) -> QuerySet[Information]:
    """Sources' accounts of the case's events (and of the events of its acts)."""
    events = Q(event__in=case.events.values("pk")) | Q(event__acts__in=case.acts.values("pk"))
    return Information.objects.filter(events, compartment_id=case.compartment_id).distinct()


def qualifications() -> QuerySet[Term]:
    return Term.objects.filter(vocabulary__in=QUALIFYING, retired=False).order_by(
        "vocabulary", "code"
    )


def involvements(suspect: Suspect) -> QuerySet[Involvement]:
    """The suspect's involvements in the case's acts whose degree matches his mode of
    liability (committed: direct perpetrator; superior responsibility: commander…)."""
    degrees = Suspect.DEGREES.get(Suspect.Liability(suspect.liability), ())
    who = Q(person_id=suspect.person_id) if suspect.person_id else Q(unit_id=suspect.unit_id)
    return (
        Involvement.objects.filter(who, act__in=acts(suspect.case).values("pk"))
        .filter(degree__code__in=degrees)
        .select_related("act__act_type", "act__victim", "act__event", "degree")
        .order_by("act__start", "act_id")
    )


def suspect_evidence(suspect: Suspect) -> QuerySet[EvidenceLink]:
    """What a suspect's liability can rest on: the evidence of the acts he is involved in
    (and of their events as a whole), of the person himself and of his postings (for a unit:
    its members' postings and the links that put it under another)."""
    acts_of = Involvement.objects.filter(
        Q(person_id=suspect.person_id) if suspect.person_id else Q(unit_id=suspect.unit_id)
    ).values("act_id")
    if suspect.person_id:
        his = Q(person_id=suspect.person_id) | Q(membership__person_id=suspect.person_id)
    else:
        his = Q(membership__unit_id=suspect.unit_id) | Q(parent_link__unit_id=suspect.unit_id)
    events_of = Act.objects.filter(pk__in=acts_of).values("event_id")
    return EvidenceLink.objects.filter(
        Q(act__in=acts_of) | Q(event__in=events_of, act=None) | his,
        compartment_id=suspect.compartment_id,
    ).distinct()


def evidence(case: Case) -> QuerySet[EvidenceLink]:
    """Every evidence link of the case: its incidents', its suspects' and its cells'."""
    return EvidenceLink.objects.filter(
        Q(pk__in=incident_evidence(case).values("pk"))
        | Q(pk__in=case.suspects.values("evidence"))
        | Q(pk__in=case.cells.values("evidence")),
        compartment_id=case.compartment_id,
    ).distinct()


# Verification: the rule the case page states.

STEPS = tuple(Verification.Step)


@dataclass
class Checked:
    """An evidence link's verification: its steps, and whether they make it verified."""

    link: EvidenceLink
    steps: list[Verification] = field(default_factory=list)

    @property
    def missing(self) -> list[Verification.Step]:
        done = {s.step for s in self.steps}
        return [step for step in STEPS if step not in done]

    @property
    def contradicted(self) -> list[Verification.Step]:
        """Steps whose latest result contradicts the evidence."""
        latest = {s.step: s.result for s in self.steps}  # steps come oldest first
        return [step for step in STEPS if latest.get(step) == Verification.Result.CONTRADICTS]

    @property
    def verified(self) -> bool:
        """All three steps done, and the latest of none of them contradicts it."""
        return not self.missing and not self.contradicted


def checked(links: Iterable[EvidenceLink]) -> list[Checked]:
    found = {link.pk: Checked(link) for link in links}
    for step in Verification.objects.filter(evidence__in=list(found)).select_related("done_by"):
        found[step.evidence_id].steps.append(step)
    return list(found.values())


# What is missing.


@dataclass
class Missing:
    elements: list[tuple[Term, elements.Element, str]]  # qualification, element, status
    incidents: list[Model]  # events and acts with no evidence link
    unverified: list[Checked]
    suspects: list[Suspect]

    def __len__(self) -> int:
        return len(self.elements) + len(self.incidents) + len(self.unverified) + len(self.suspects)


def statuses(case: Case) -> dict[tuple[int, str], Cell]:
    return {(c.qualification_id, c.element): c for c in case.cells.all()}


def missing(case: Case) -> Missing:
    cells = statuses(case)
    gaps = []
    for term in case.qualifications.order_by("vocabulary", "code"):
        for element in elements.of(term):
            cell = cells.get((term.pk, element.code))
            status = cell.status if cell else Cell.Status.NONE
            if status in (Cell.Status.NONE, Cell.Status.CONTESTED):
                gaps.append((term, element, status))
    bare: list[Model] = [
        *case.events.filter(evidence__isnull=True, compartment_id=case.compartment_id).order_by(
            "start", "pk"
        ),
        *acts(case).filter(evidence__isnull=True).select_related("act_type", "victim"),
    ]
    unverified = [c for c in checked(evidence(case).select_related("item")) if not c.verified]
    mine = Q(person__compartment_id=case.compartment_id) | Q(
        unit__compartment_id=case.compartment_id
    )
    alone = [
        s for s in case.suspects.filter(mine).select_related("person", "unit")
        if not s.evidence.filter(compartment_id=case.compartment_id).exists()
    ]  # fmt: skip
    return Missing(gaps, bare, unverified, alone)


# Saving, with the compartment rule.


def _same_compartment(case_compartment: int, rows: Iterable[Any]) -> None:
    for row in rows:
        if isinstance(row, Term):
            if row.vocabulary not in QUALIFYING:
                raise ForeignRecord(f"term {row.pk} is not a qualification")
        elif row is not None and row.compartment_id != case_compartment:
            raise ForeignRecord(f"{type(row).__name__} {row.pk} is of another compartment")


def save(obj: M, *, actor: User | None, m2m: dict[str, Iterable[Any]] | None = None) -> M:
    """Save a case or one of its rows through the history, refusing anything of another
    compartment than the case's: the row itself, what it names, what it links to."""
    m2m_lists = {name: list(values) for name, values in (m2m or {}).items()}
    case = obj if isinstance(obj, Case) else getattr(obj, "case", None)
    compartment = obj.compartment_id  # type: ignore[attr-defined]
    if case is not None and case.compartment_id != compartment:
        raise ForeignRecord("a case's rows are of the case's compartment")
    named = [
        getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if f.is_relation and f.name not in ("compartment", "case") and f.value_from_object(obj)
    ]
    _same_compartment(compartment, [n for n in named if hasattr(n, "compartment_id")])
    for values in m2m_lists.values():
        _same_compartment(compartment, [v for v in values if isinstance(v, Model)])
        if any(not isinstance(v, Model) for v in values):
            raise TypeError("pass rows, not ids, so their compartment can be checked")
    return history.save(obj, actor=actor, m2m=m2m_lists)


# History.

#: How a case's rows are named in the pages' history.
MODELS: dict[str, type[Model]] = {
    "case": Case, "suspect": Suspect, "cell": Cell, "verification": Verification,
}  # fmt: skip


def changes(case: Case) -> QuerySet[Change]:
    """The changes of the case, its suspects, its cells and the verification steps of its
    evidence, newest first."""
    links = sorted(evidence(case).values_list("pk", flat=True))
    verifications = set(
        Verification.objects.filter(evidence__in=links).values_list("pk", flat=True)
    ) | set(
        Change.objects.filter(model="verification", compartment_id=case.compartment_id)
        .filter(Q(before__evidence_id__in=links) | Q(after__evidence_id__in=links))
        .values_list("object_id", flat=True)
    )
    of = Q(model="case", object_id=case.pk) | Q(model="verification", object_id__in=verifications)
    for side in ("before", "after"):
        of |= Q(model__in=("suspect", "cell"), **{f"{side}__case_id": case.pk})
    return (
        Change.objects.filter(compartment_id=case.compartment_id).filter(of).order_by("-at", "-id")
    )
