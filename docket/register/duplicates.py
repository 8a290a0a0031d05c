"""Persons of one compartment who may be one, and what the people who know decide about them:
merge (undoable), different people (never suggested again), not sure (kept, with a note).

The pairs come from the name matcher (docket/analysis), over every name a person has; they
are worked out when asked for, since a compartment's persons change all day, and only
decisions and the pairs a form or an import recorded are stored. Nothing here ever pairs
persons of two compartments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from docket.accounts.models import User
from docket.analysis import names, pairs
from docket.register import history, mentions, search
from docket.register.models import (
    Change,
    NameKey,
    Person,
    PersonMerge,
    PersonName,
    PersonPair,
    Record,
)


def _entries(persons: Iterable[tuple[int, str]]) -> list[pairs.Entry]:
    entries = []
    for pk, text in persons:
        try:
            entries.append(pairs.Entry(str(pk), names.parse(text)))
        except ValueError:  # an empty name: nothing to compare
            continue
    return entries


def entries_of(compartment_id: int) -> list[pairs.Entry]:
    """Every name of the compartment's persons, by person id (the shown name first)."""
    shown = Person.objects.filter(compartment_id=compartment_id).values_list("pk", "display_name")
    other = PersonName.objects.filter(person__compartment_id=compartment_id).values_list(
        "person_id", "name"
    )
    return _entries(sorted(shown) + sorted(other))


def index_of(compartment_id: int) -> pairs.Index:
    return pairs.Index(entries_of(compartment_id))


@dataclass(frozen=True)
class Similar:
    person: int
    score: float
    why: tuple[str, ...]


def similar(index: pairs.Index, text: str, *, limit: int = 5) -> list[Similar]:
    """The persons of an index who may be the person named `text`, best first."""
    try:
        name = names.parse(text)
    except ValueError:
        return []
    found = index.matches(name)[:limit]
    return [Similar(int(pk), score.value, score.why) for pk, score in found]


def record(compartment_id: int, a: int, b: int, score: float, why: Iterable[str]) -> None:
    """Keep a pair for review (a new person who looked like one already known)."""
    first, second = sorted((a, b))
    PersonPair.objects.get_or_create(
        a_id=first, b_id=second,
        defaults={"compartment_id": compartment_id, "score": score, "why": list(why)},
    )  # fmt: skip


@dataclass
class Candidate:
    a: int
    b: int
    score: float
    why: tuple[str, ...]
    decision: str = ""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "a": self.a, "b": self.b, "score": round(self.score, 4),
            "why": list(self.why), "decision": self.decision or None,
        }  # fmt: skip


#: compartment -> (what its persons' names were, the matcher's pairs of them): scoring a
#: compartment of 10,000 persons takes seconds, and the page is asked for many times between
#: two changes of a name. Kept in this process's memory only (the reasons hold names).
_FOUND: dict[int, tuple[tuple[Any, ...], list[pairs.Pair]]] = {}


def _version(compartment_id: int) -> tuple[Any, ...]:
    from django.db.models import Count, Max

    persons = Person.objects.filter(compartment_id=compartment_id).aggregate(
        n=Count("pk"), last=Max("updated_at"), top=Max("pk")
    )
    other = PersonName.objects.filter(person__compartment_id=compartment_id).aggregate(
        n=Count("pk"), top=Max("pk")
    )
    return (persons["n"], persons["last"], persons["top"], other["n"], other["top"])


def _found(compartment_id: int) -> list[pairs.Pair]:
    version = _version(compartment_id)
    cached = _FOUND.get(compartment_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    found = pairs.pairs(entries_of(compartment_id))
    _FOUND[compartment_id] = (version, found)
    return found


#: compartment -> (the names' version and the answers' stamp, how many pairs wait): the
#: menu shows the count on every page, and a compartment may hold tens of thousands of pairs.
_COUNTED: dict[int, tuple[tuple[Any, ...], int]] = {}


def cached_count(compartment_id: int) -> int | None:
    """How many pairs wait for an answer, when the matcher's pairs are known for the names as
    they are now, else None (the menu's count of leads does not start a matcher's run of
    seconds). Counted again only when a name or an answer has changed."""
    from django.db.models import Count, Max

    cached = _FOUND.get(compartment_id)
    if cached is None or cached[0] != _version(compartment_id):
        return None
    answers = PersonPair.objects.filter(compartment_id=compartment_id).aggregate(
        n=Count("pk"), top=Max("pk"), last=Max("decided_at")
    )
    key = (cached[0], answers["n"], answers["top"], answers["last"])
    counted = _COUNTED.get(compartment_id)
    if counted is not None and counted[0] == key:
        return counted[1]
    waiting = len(candidates(compartment_id, decided=False))
    _COUNTED[compartment_id] = (key, waiting)
    return waiting


def candidates(compartment_id: int, *, decided: bool = True) -> list[Candidate]:
    """The compartment's pairs that may be one person, best first: the matcher's and the
    recorded ones, with their decisions (`decided=False` leaves out "different people")."""
    result: dict[tuple[int, int], Candidate] = {
        (int(p.a), int(p.b)): Candidate(int(p.a), int(p.b), p.score, p.why)
        for p in _found(compartment_id)
    }
    for pair in PersonPair.objects.filter(compartment_id=compartment_id):
        known = result.get((pair.a_id, pair.b_id))
        if known is None:
            known = Candidate(pair.a_id, pair.b_id, pair.score or 0.0, tuple(pair.why))
            result[(pair.a_id, pair.b_id)] = known
        known.decision, known.note = pair.decision, pair.note
    shown = [c for c in result.values() if decided or c.decision != PersonPair.Decision.DIFFERENT]
    return sorted(shown, key=lambda c: (-c.score, c.a, c.b))


def decide(a: Person, b: Person, decision: str, note: str, *, actor: User | None) -> PersonPair:
    """Remember that two persons are different people, or that it is not yet known."""
    if a.compartment_id != b.compartment_id or a.pk == b.pk:
        raise ValueError("a pair is two persons of one compartment")
    first, second = sorted((a, b), key=lambda p: p.pk)
    pair = PersonPair.objects.filter(a=first, b=second).first() or PersonPair(
        compartment_id=a.compartment_id, a=first, b=second
    )
    if pair.score is None:
        score = max(
            (names.score(x, y) for x in _names(first) for y in _names(second)),
            key=lambda s: s.value, default=names.Score(0.0, ()),
        )  # fmt: skip
        pair.score, pair.why = score.value, list(score.why)
    pair.decision, pair.note = decision, note
    pair.decided_by, pair.decided_at = actor, timezone.now()
    return history.save(pair, actor=actor)


def _names(person: Person) -> list[names.Name]:
    texts = [person.display_name, *person.names.values_list("name", flat=True)]
    return [entry.name for entry in _entries((person.pk, t) for t in texts)]


def decided_about(person: Person) -> list[PersonPair]:
    """The pairs of this person someone has decided on (shown on the person's page)."""
    return list(
        PersonPair.objects.filter(Q(a=person) | Q(b=person))
        .exclude(decision="")
        .select_related("a", "b", "decided_by")
        .order_by("-decided_at")
    )


# --- merging ----------------------------------------------------------------------------

#: Relations to a person that do not move with them: answers about pairs (kept in the merge
#: and given back by an un-merge) and the names index, which is filed again for both.
_KEPT = {PersonPair, NameKey}
#: Fields of the survivor a merge fills from the merged person when the survivor has none.
_FILLED = {"gender": Person.Gender.UNKNOWN, "birth_date": None, "notes": ""}


def _links() -> list[tuple[type[Model], str]]:
    """Every (model, foreign key) that points at a person, other apps' included."""
    return [
        (rel.related_model, rel.field.name)
        for rel in Person._meta.related_objects
        if not rel.many_to_many
        and isinstance(rel.related_model, type)
        and rel.related_model not in _KEPT
    ]


def _label(model: type[Model], field: str) -> str:
    return f"{model._meta.label_lower}.{field}"


def _repoint(
    model: type[Model], field: str, pks: list[int], to: Person, actor: User | None
) -> None:
    """Point rows at another person, each in the register's history where it keeps one. A
    row the other person has already (a mention of both at one place) is not moved twice:
    the copy is dropped, and the names index, filed again, finds it afresh."""
    rows = model._default_manager.filter(pk__in=pks)
    if issubclass(model, Record):
        for row in rows:
            setattr(row, field, to)
            history.save(row, actor=actor)
        return
    for row in rows:
        setattr(row, field, to)
        try:
            with transaction.atomic():
                row.save(update_fields=[field])
        except IntegrityError:
            row.delete()


@transaction.atomic
def merge(survivor: Person, merged: Person, *, actor: User | None) -> PersonMerge:
    """One person from two: the merged person's names, identifiers, roles, memberships and
    evidence move to the survivor, and the merged person is deleted (in the history, as
    they were). `unmerge` undoes it."""
    if survivor.compartment_id != merged.compartment_id or survivor.pk == merged.pk:
        raise ValueError("a merge is of two persons of one compartment")
    moved: dict[str, list[int]] = {}
    for model, field in _links():
        pks = list(model._default_manager.filter(**{field: merged}).values_list("pk", flat=True))
        if pks:
            moved[_label(model, field)] = pks
    decided = [
        {"other": p.b_id if p.a_id == merged.pk else p.a_id, "score": p.score, "why": p.why,
         "decision": p.decision, "note": p.note, "decided_by": p.decided_by_id,
         "decided_at": p.decided_at.isoformat() if p.decided_at else None}
        for p in PersonPair.objects.filter(Q(a=merged) | Q(b=merged)).exclude(decision="")
        if survivor.pk not in (p.a_id, p.b_id)
    ]  # fmt: skip
    added_groups = sorted(
        set(merged.groups.values_list("pk", flat=True))
        - set(survivor.groups.values_list("pk", flat=True))
    )
    filled = {}
    for field, empty in _FILLED.items():
        if getattr(survivor, field) == empty and getattr(merged, field) != empty:
            value = getattr(merged, field)
            filled[field] = value.isoformat() if hasattr(value, "isoformat") else value
            setattr(survivor, field, value)
    if "birth_date" in filled:
        survivor.birth_precision = merged.birth_precision
        filled["birth_precision"] = merged.birth_precision
    added_names: list[int] = []

    def take_names(saved: Person) -> None:
        PersonName.objects.filter(person=merged).update(person=saved)
        merged.identifiers.update(person=saved)
        known = {n.lower() for n in saved.names.values_list("name", flat=True)}
        if merged.display_name.lower() not in known | {saved.display_name.lower()}:
            script = (
                "Cyrl" if any("\u0400" <= c <= "\u04ff" for c in merged.display_name) else "Latn"
            )
            added_names.append(
                PersonName.objects.create(person=saved, name=merged.display_name, script=script).pk
            )

    for label, pks in moved.items():
        model_label, field = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        if model not in (PersonName, apps.get_model("register", "PersonIdentifier")):
            _repoint(model, field, pks, survivor, actor)
    history.save(
        survivor, actor=actor,
        m2m={"groups": [*survivor.groups.values_list("pk", flat=True), *added_groups]},
        related=take_names,
    )  # fmt: skip
    merged_pk, merged_name = merged.pk, merged.display_name
    history.delete(merged, actor=actor)
    deletion = Change.objects.filter(model="person", object_id=merged_pk, action="delete").latest(
        "id"
    )
    search.index(survivor)
    mentions.look_again(survivor)
    return PersonMerge.objects.create(
        compartment_id=survivor.compartment_id, survivor=survivor, merged_id=merged_pk,
        merged_name=merged_name, deletion=deletion, moved=moved, added_names=added_names,
        added_groups=added_groups, filled=filled, pairs=decided, at=timezone.now(), by=actor,
    )  # fmt: skip


@transaction.atomic
def unmerge(merge: PersonMerge, *, actor: User | None) -> Person:
    """Both persons again, as they were at the merge: the merged person comes back with its
    own id and every row that moved, unless it has been moved elsewhere since. Rows linked
    to the survivor while merged stay with it, listed in `merge.since` for reassigning."""
    if merge.undone_at is not None or merge.survivor is None:
        raise ValueError("this merge has been undone, or its survivor deleted")
    survivor = merge.survivor
    restored = history.restore(merge.deletion, actor=actor)
    back = next(
        (p for p in restored if isinstance(p, Person) and p.pk == merge.merged_id), None
    ) or Person.objects.get(pk=merge.merged_id)
    for label, pks in merge.moved.items():
        model_label, field = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        still = list(
            model._default_manager.filter(pk__in=pks, **{field: survivor}).values_list(
                "pk", flat=True
            )
        )
        _repoint(model, field, still, back, actor)
    PersonName.objects.filter(pk__in=merge.added_names, person=survivor).delete()
    for field, value in merge.filled.items():
        current = getattr(survivor, field)
        current = current.isoformat() if hasattr(current, "isoformat") else current
        if current == value and field in _FILLED:
            setattr(survivor, field, _FILLED[field])
            if field == "birth_date":
                survivor.birth_precision = Person._meta.get_field("birth_precision").default
    kept_groups = set(survivor.groups.values_list("pk", flat=True)) - set(merge.added_groups)
    history.save(survivor, actor=actor, m2m={"groups": sorted(kept_groups)})
    for kept in merge.pairs:
        if Person.objects.filter(pk=kept["other"]).exists():
            first, second = sorted((back.pk, kept["other"]))
            PersonPair.objects.update_or_create(
                a_id=first, b_id=second,
                defaults={
                    "compartment_id": back.compartment_id, "score": kept["score"],
                    "why": kept["why"], "decision": kept["decision"], "note": kept["note"],
                    "decided_by_id": kept["decided_by"], "decided_at": kept["decided_at"],
                },
            )  # fmt: skip
    merge.since = [
        [_label(model, field), pk]
        for model, field in _links()
        if issubclass(model, Record)
        for pk in model._default_manager.filter(
            **{field: survivor, "created_at__gt": merge.at}
        ).values_list("pk", flat=True)
    ]
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save()
    search.index(survivor)
    search.index(back)
    mentions.look_again(survivor)
    mentions.look_again(back)
    return back


def added_while_merged(person: Person) -> list[dict[str, Any]]:
    """Rows linked to the survivor while this person was merged into it, still there: for
    the restored person's page, to reassign the ones that were about them."""
    found = []
    for merge in PersonMerge.objects.filter(merged_id=person.pk).exclude(undone_at=None):
        for label, pk in merge.since:
            model_label, field = label.rsplit(".", 1)
            row = (
                apps.get_model(model_label)
                ._default_manager.filter(pk=pk, **{f"{field}_id": merge.survivor_id})
                .first()
            )
            if row is not None:
                event = getattr(row, "event", None) or getattr(
                    getattr(row, "act", None), "event", None
                )
                found.append({"value": f"{merge.pk}:{label}:{pk}", "row": row, "event": event,
                              "kind": row._meta.verbose_name})  # fmt: skip
    return found


def reassign(merge: PersonMerge, label: str, pk: int, *, actor: User | None) -> None:
    """Move one row listed after an un-merge from the survivor to the restored person."""
    if [label, pk] not in merge.since or merge.survivor_id is None:
        raise ValueError("not a row added while merged")
    model_label, field = label.rsplit(".", 1)
    back = Person.objects.get(pk=merge.merged_id)
    model = apps.get_model(model_label)
    if model._default_manager.filter(pk=pk, **{f"{field}_id": merge.survivor_id}).exists():
        _repoint(model, field, [pk], back, actor)
