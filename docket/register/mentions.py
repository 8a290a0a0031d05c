"""Mentions in evidence: the register's persons and units named in what items say (OCR pages,
transcripts, the Telegram message an item came with) and in events' descriptions, suggested on
the item's and the person's pages for someone to accept as an evidence link or reject
(docs/analysis.md, "Mentions in evidence"; the reading itself is docket/analysis/mentions.py).

Policy:
- A compartment's persons and units are looked for in its own items and events only.
- The worker finds them: after an item's enrichment (`register.mentions-item`), when a person
  or unit is added or renamed (`register.mentions-person`, `register.mentions-unit`) and when
  an event's description changes (`register.mentions-event`). Pages read Mention rows only:
  they read no text and open nothing sealed. Nothing in the intake compartment is read: a
  sender's material waits for triage, and is read when triage moves it.
- Indexed both ways: each compartment's surnames and unit names are filed by sound key
  (NameKey), so a text's words are looked up once; a new or renamed name finds the texts that
  may hold it through the search index, not by reading every text.
- Deciding is a person's: accepting an item's mention of a person writes an evidence link
  through the history; a decided mention stays as decided, whatever is found later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from docket.accounts.models import Compartment, User
from docket.analysis import mentions as reading
from docket.jobs import queue
from docket.register import history, search
from docket.register.models import Event, EvidenceLink, Mention, NameKey, Person, Unit
from docket.vault import store
from docket.vault.models import Item

Target = Item | Event
Subject = Person | Unit
#: NameKey rows asked for at once (SQLite binds a few hundred parameters comfortably).
CHUNK = 500


@dataclass(frozen=True)
class Passage:
    """One text of an item or event, and where it is in it."""

    place: str  # "page 2", "at 12.5", "message 7", "description": see Mention.place
    text: str
    page: int | None = None
    start: float | None = None
    end: float | None = None


#: What an item says, by the apps that read it: enrichment its pages and transcript, the
#: ingest the Telegram message it came with.
ITEM_TEXTS: list[Callable[[Item], list[Passage]]] = []


def add_item_texts(reader: Callable[[Item], list[Passage]]) -> None:
    ITEM_TEXTS.append(reader)


def _passages(target: Target) -> list[Passage]:
    if isinstance(target, Event):
        return [Passage("description", target.description)] if target.description else []
    return [passage for reader in ITEM_TEXTS for passage in reader(target)]


def _in_intake(compartment: Compartment) -> bool:
    return compartment.name == settings.INTAKE_COMPARTMENT


# The jobs, and what queues them.


def queue_item(item: Item) -> None:
    """Find mentions in an item once what it says has been read."""
    if not _in_intake(item.compartment):
        queue.enqueue("register.mentions-item", {"item": item.pk})


def look_again(subject: Subject) -> None:
    """File a person's or unit's names again and look for them in the compartment's texts."""
    kind = "person" if isinstance(subject, Person) else "unit"
    queue.enqueue(f"register.mentions-{kind}", {kind: subject.pk})


def _changed(before: dict[str, Any] | None, after: dict[str, Any], fields: Iterable[str]) -> bool:
    return any((before or {}).get(f) != after.get(f) for f in fields)


def _saved(obj: Model, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """A person or unit added or renamed, an event's description changed: look again."""
    if isinstance(obj, Person) and _changed(before, after, ("display_name", "names")):
        look_again(obj)
    elif isinstance(obj, Unit) and _changed(before, after, ("name", "other_names")):
        look_again(obj)
    elif isinstance(obj, Event) and _changed(before, after, ("description",)):
        queue.enqueue("register.mentions-event", {"event": obj.pk})


def _moved(item: Item, source: Compartment) -> None:
    """A moved item meets its new compartment's persons: what was suggested or rejected in
    the old one goes (an accepted mention stays, with its evidence link, in the old one)."""
    Mention.objects.filter(item=item).exclude(status=Mention.Status.ACCEPTED).delete()
    queue_item(item)


history.ON_SAVED.append(_saved)
store.ON_MOVED.append(_moved)


@queue.register("register.mentions-item")
def _item_job(payload: dict[str, Any]) -> None:
    item = Item.objects.select_related("compartment").filter(pk=payload["item"]).first()
    if item is not None:
        scan(item)


@queue.register("register.mentions-event")
def _event_job(payload: dict[str, Any]) -> None:
    event = Event.objects.filter(pk=payload["event"]).first()
    if event is not None:
        scan(event)


@queue.register("register.mentions-person")
def _person_job(payload: dict[str, Any]) -> None:
    person = Person.objects.filter(pk=payload["person"]).first()
    if person is not None:
        look_for(person)


@queue.register("register.mentions-unit")
def _unit_job(payload: dict[str, Any]) -> None:
    unit = Unit.objects.filter(pk=payload["unit"]).first()
    if unit is not None:
        look_for(unit)


# Filing names, and finding them.


def _who(subject: Subject) -> tuple[str, int]:
    return ("person" if isinstance(subject, Person) else "unit", subject.pk)


def _add(index: reading.Index, subject: Subject) -> None:
    if isinstance(subject, Person):
        written = [subject.display_name, *subject.names.values_list("name", flat=True)]
        index.add_person(_who(subject), written)
    else:
        index.add_unit(_who(subject), [subject.name, *subject.other_names.splitlines()])


def file_names(subject: Subject) -> reading.Index:
    """(Re)file a person's or unit's names under their keys; returns them as an index."""
    index = reading.Index()
    _add(index, subject)
    kind = _who(subject)[0]
    NameKey.objects.filter(**{kind: subject}).delete()
    NameKey.objects.bulk_create(
        NameKey(compartment_id=subject.compartment_id, key=key, **{kind: subject})
        for key in sorted(index.keys())
    )
    return index


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _index_for(compartment_id: int, texts: list[str]) -> reading.Index:
    """The compartment's persons and units whose filed keys the texts' words look up."""
    wanted = sorted({key for text in texts for key in reading.lookup_keys(text)})
    persons: set[int] = set()
    units: set[int] = set()
    for chunk in _chunks(wanted):
        rows = NameKey.objects.filter(compartment_id=compartment_id, key__in=chunk)
        for person_id, unit_id in rows.values_list("person_id", "unit_id"):
            (persons if person_id else units).add(person_id or unit_id)
    index = reading.Index()
    for person in Person.objects.filter(pk__in=persons, compartment_id=compartment_id):
        _add(index, person)
    for unit in Unit.objects.filter(pk__in=units, compartment_id=compartment_id):
        _add(index, unit)
    return index


@dataclass(frozen=True)
class _Seen:
    target: Target
    passage: Passage
    found: reading.Found


def _found_in(target: Target, index: reading.Index) -> list[_Seen]:
    return [
        _Seen(target, passage, hit)
        for passage in _passages(target)
        for hit in index.find(passage.text)
    ]


def scan(target: Target) -> int:
    """Find the compartment's persons and units in an item's texts or an event's description;
    returns how many suggestions it has now."""
    if isinstance(target, Item) and _in_intake(target.compartment):
        return 0
    passages = _passages(target)
    index = _index_for(target.compartment_id, [p.text for p in passages])
    kind = "item" if isinstance(target, Item) else "event"
    return _record(Mention.objects.filter(**{kind: target}), _found_in(target, index))


def look_for(subject: Subject) -> int:
    """File a person's or unit's names and find them in the compartment's items and events
    that the search index says may hold them; returns how many texts it read."""
    index = file_names(subject)
    targets = list(_may_name(subject.compartment_id, index.terms()))
    seen = [s for target in targets for s in _found_in(target, index)]
    kind, pk = _who(subject)
    _record(Mention.objects.filter(**{f"{kind}_id": pk}), seen)
    return len(targets)


def _may_name(compartment_id: int, terms: Iterable[str]) -> Iterator[Target]:
    """The items and events of the compartment whose words the search index matches with a
    surname or unit name (by skeleton prefix: case endings only add letters)."""
    found: dict[str, set[int]] = {"item": set(), "event": set()}
    for term in terms:
        entries = search.matching(term, compartments={compartment_id}).filter(
            kind__in=found, compartment_id=compartment_id
        )
        for kind, pk in entries.values_list("kind", "object_id"):
            found[kind].add(pk)
    items = Item.objects.filter(pk__in=found["item"], compartment_id=compartment_id)
    yield from items.select_related("compartment").order_by("pk")
    yield from Event.objects.filter(pk__in=found["event"], compartment_id=compartment_id)


#: A mention's identity: its item or event, its person or unit, and its place there.
Identity = tuple[str, int, tuple[str, int], str]


def _identity_of(mention: Mention) -> Identity:
    target = ("item", mention.item_id) if mention.item_id else ("event", mention.event_id)
    who = ("person", mention.person_id) if mention.person_id else ("unit", mention.unit_id)
    return (target[0], int(target[1] or 0), (who[0], int(who[1] or 0)), mention.place)


def _identity(one: _Seen) -> Identity:
    kind = "item" if isinstance(one.target, Item) else "event"
    return (kind, one.target.pk, cast(tuple[str, int], one.found.who), one.passage.place)


def _record(scope: QuerySet[Mention], seen: list[_Seen]) -> int:
    """Make the suggestions within `scope` what was found: new ones added, those found again
    updated, those no longer found removed; accepted and rejected ones are left as decided.
    Returns how many suggestions the scope holds now."""
    with transaction.atomic():
        existing = {_identity_of(m): m for m in scope}
        kept: set[Identity] = set()
        for one in sorted(seen, key=lambda s: -s.found.score):
            identity = _identity(one)
            if identity in kept:
                continue  # one mention per name and place: the best
            kept.add(identity)
            mention = existing.get(identity) or _new(one, identity)
            if mention.status == Mention.Status.SUGGESTED:
                _fill(mention, one)
                mention.save()
        stale = [m.pk for i, m in existing.items() if i not in kept]
        Mention.objects.filter(pk__in=stale, status=Mention.Status.SUGGESTED).delete()
        return scope.filter(status=Mention.Status.SUGGESTED).count()


def _new(one: _Seen, identity: Identity) -> Mention:
    kind, _, (subject, pk), place = identity
    return Mention(
        compartment_id=one.target.compartment_id,
        **{kind: one.target, f"{subject}_id": pk},
        place=place,
        page=one.passage.page,
        start_seconds=one.passage.start,
        end_seconds=one.passage.end,
    )


def _fill(mention: Mention, one: _Seen) -> None:
    found, text = one.found, one.passage.text
    mention.char_start, mention.char_end = found.start, found.end
    mention.words = found.words[:300]
    mention.snippet = reading.snippet(text, found.start, found.end)
    mention.score = found.score


def rescan(compartment: Compartment) -> dict[str, int]:
    """File every name of a compartment again and read all its items and events (after a
    bulk load that bypassed the jobs, or a change to the method)."""
    persons = Person.objects.filter(compartment=compartment)
    units = Unit.objects.filter(compartment=compartment)
    items = Item.objects.filter(compartment=compartment).select_related("compartment")
    events = Event.objects.filter(compartment=compartment)
    # Read in full before writing: an open read over SQLite would hold a lock that the
    # writes, and a worker or server writing meanwhile, then wait on ("database is locked").
    subjects: list[Subject] = [*persons, *units]
    targets: list[Target] = [*items, *events]
    for subject in subjects:
        file_names(subject)
    for target in targets:
        scan(target)
    suggested = Mention.objects.filter(compartment=compartment, status=Mention.Status.SUGGESTED)
    return {
        "persons": persons.count(), "units": units.count(), "items": items.count(),
        "events": events.count(), "suggested": suggested.count(),
    }  # fmt: skip


# Deciding.


def decide(mention: Mention, *, accept: bool, user: User) -> Mention:
    """Accept (an item's mention of a person becomes an evidence link with its span) or reject
    a suggestion; both are kept in the history with who decided. A mention decided already
    stays as it was (two people pressing at once)."""
    with transaction.atomic():
        mention = Mention.objects.select_for_update().get(pk=mention.pk)
        if mention.status != Mention.Status.SUGGESTED:
            return mention
        if accept and mention.item_id and mention.person_id:
            mention.evidence = history.save(
                EvidenceLink(
                    compartment_id=mention.compartment_id, item_id=mention.item_id,
                    person_id=mention.person_id, page=mention.page,
                    start_seconds=mention.start_seconds, end_seconds=mention.end_seconds,
                    annotation=f"“{mention.snippet}”",
                ),
                actor=user,
            )  # fmt: skip
        mention.status = Mention.Status.ACCEPTED if accept else Mention.Status.REJECTED
        mention.decided_by, mention.decided_at = user, timezone.now()
        history.save(mention, actor=user)
    return mention
