"""Registers of persons, units and places, like the event list: found by words in any script,
sorted by name or by how many events they appear in, each with its counts of events and
evidence. Persons and units are those of the user's compartments; places are the shared
gazetteer, counted by the events the user may see."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing
from docket.register import chain, search, tally
from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Involvement,
    Membership,
    Person,
    Place,
    Tally,
    Unit,
)

SORTS = ("name", "events")


def _asked(request: HttpRequest) -> dict[str, str]:
    asked = {k: request.GET.get(k, "").strip()[:200] for k in ("q", "sort", "kind")}
    asked["sort"] = asked["sort"] if asked["sort"] in SORTS else "name"
    return asked


def _matching(objects: QuerySet[Any], kind: str, text: str, compartments: set[int]) -> Any:
    found = search.matching(text, compartments=compartments).filter(kind=kind)
    return objects.filter(pk__in=found.values("object_id"))


def _page(request: HttpRequest, objects: QuerySet[Any]) -> Any:
    return Paginator(objects, 50).get_page(request.GET.get("page"))


def _by_events(
    request: HttpRequest, found: QuerySet[Any], kind: str, compartments: set[int], text: str
) -> tuple[Any, list[Any]]:
    """Persons or units, most events first, then by name: the page of ids read in order from
    the tallies (docket/register/tally.py), or, for the few a search found, from theirs."""
    ids, counted_at = tally.ranked(kind, compartments)
    if text:
        ids = ids.filter(object_id__in=found.values("pk"))
    page = _page(request, ids)
    page.counted_at = counted_at  # the order misses changes made since then: the page says so
    by_id = found.select_related("compartment").in_bulk(list(page))
    return page, [by_id[pk] for pk in page if pk in by_id]


@listing("register.view")
def persons(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    audit.record(request, "person.list", details={k: v for k, v in asked.items() if v})
    compartments = access.compartment_ids(request.user, "register.view")
    people = access.visible(Person.objects.all(), request.user, "register.view")
    if asked["q"]:
        people = _matching(people, "person", asked["q"], compartments)
    if asked["sort"] == "events":
        page, shown = _by_events(request, people, Tally.Kind.PERSON, compartments, asked["q"])
    else:
        page = _page(request, people.order_by("display_name", "pk"))
        shown = list(page)
    rows = _person_rows(shown)
    context = {
        "page": page, "rows": rows, "asked": asked, "heading": gettext("Persons"),
        "can_edit": bool(access.compartment_ids(request.user, "register.edit")),
    }  # fmt: skip
    return render(request, "register/persons.html", context)


@listing("register.view")
def units(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    audit.record(request, "unit.list", details={k: v for k, v in asked.items() if v})
    compartments = access.compartment_ids(request.user, "register.view")
    found = access.visible(Unit.objects.all(), request.user, "register.view")
    if asked["q"]:
        found = _matching(found, "unit", asked["q"], compartments)
    if asked["sort"] == "events":
        page, shown = _by_events(request, found, Tally.Kind.UNIT, compartments, asked["q"])
    else:
        page = _page(request, found.order_by("name", "pk"))
        shown = list(page)
    parents = chain.parents_today(shown, timezone.localdate())
    rows = _unit_rows(shown, parents)
    return render(request, "register/units.html", {"page": page, "rows": rows, "asked": asked})


@listing("register.view")
def places(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    audit.record(request, "place.list", details={k: v for k, v in asked.items() if v})
    compartments = access.compartment_ids(request.user, "register.view")
    found = Place.objects.select_related("parent")
    if asked["q"]:
        found = _matching(found, "place", asked["q"], set())
    if asked["kind"] in Place.Kind.values:
        found = found.filter(kind=asked["kind"])
    if asked["sort"] == "events":
        # The gazetteer is small: its places sorted here by the events counted per place.
        counts = _events_per_place(compartments)
        ordered = sorted(found, key=lambda p: (-counts.get(p.pk, 0), p.name_en, p.pk))
        page = _page(request, ordered)  # type: ignore[arg-type]
        rows = _place_rows(list(page), compartments, counts)
    else:
        page = _page(request, found.order_by("name_en", "pk"))
        shown = list(page)
        rows = _place_rows(shown, compartments, _events_per_place(compartments, shown))
    kinds = Place.Kind.choices
    context = {"page": page, "rows": rows, "asked": asked, "kinds": kinds}
    return render(request, "register/places.html", context)


# The counts of a page's rows: a few grouped queries for the whole page, not four per row
# (on PostgreSQL "acts where the person is the victim or took part" per row meant scanning
# every act, since an OR across a join uses no index).


def _person_rows(people: list[Person]) -> list[dict[str, Any]]:
    ids = [p.pk for p in people]
    acts: dict[int, set[int]] = defaultdict(set)  # person -> acts they suffered or took part in
    events: dict[int, set[int]] = defaultdict(set)
    victim: Counter[int] = Counter()
    perpetrator: Counter[int] = Counter()
    suffered = Act.objects.filter(victim_id__in=ids).values_list("victim_id", "pk", "event_id")
    for person, act, event in suffered:
        acts[person].add(act)
        events[person].add(event)
        victim[person] += 1
    took_part = Involvement.objects.filter(person_id__in=ids).values_list(
        "person_id", "act_id", "act__event_id"
    )
    for person, act, event in took_part:
        acts[person].add(act)
        events[person].add(event)
        perpetrator[person] += 1
    evidence = _links_by_act(acts, Q(person_id__in=ids), "person_id")
    return [
        {"person": p, "events": len(events[p.pk]), "victim": victim[p.pk],
         "perpetrator": perpetrator[p.pk], "evidence": len(evidence[p.pk])}
        for p in people
    ]  # fmt: skip


def _unit_rows(units: list[Unit], parents: dict[int, Any]) -> list[dict[str, Any]]:
    """A unit takes part in thousands of acts: its events are read from the tallies
    (docket/register/tally.py) when they are current, else counted in the database, joined,
    like its members and evidence."""
    ids = [u.pk for u in units]
    events = tally.events_of_units(ids, {u.compartment_id for u in units})
    if events is None:  # a change not counted yet: counted here, joined
        events = dict(
            Involvement.objects.filter(unit_id__in=ids).values("unit_id")
            .annotate(n=Count("act__event_id", distinct=True)).values_list("unit_id", "n")
        )  # fmt: skip
    members = dict(
        Membership.objects.filter(unit_id__in=ids).values("unit_id").annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )  # fmt: skip
    evidence: dict[int, set[int]] = defaultdict(set)
    links = EvidenceLink.objects.filter(act__involvements__unit_id__in=ids).values_list(
        "pk", "act__involvements__unit_id"
    )
    for link, unit in links:
        evidence[unit].add(link)
    return [
        {"unit": u, "parents": parents.get(u.pk, []), "events": events.get(u.pk, 0),
         "members": members.get(u.pk, 0), "evidence": len(evidence[u.pk])}
        for u in units
    ]  # fmt: skip


def _links_by_act(
    acts: dict[int, set[int]], direct: Q | None, direct_field: str
) -> dict[int, set[int]]:
    """owner -> the evidence links on its acts (and, with `direct`, those on itself)."""
    owners_of: dict[int, list[int]] = defaultdict(list)
    for owner, owned in acts.items():
        for act in owned:
            owners_of[act].append(owner)
    wanted = Q(act_id__in=list(owners_of))
    if direct is not None:
        wanted |= direct
    fields = ["pk", "act_id", *([direct_field] if direct_field else [])]
    found: dict[int, set[int]] = defaultdict(set)
    for link, act, *owner in EvidenceLink.objects.filter(wanted).values_list(*fields):
        for one in owners_of.get(act, []):
            found[one].add(link)
        if owner and owner[0] is not None:
            found[owner[0]].add(link)
    return found


def _events_per_place(compartments: set[int], places: list[Place] | None = None) -> dict[int, int]:
    """place -> the events of these compartments there (of every place, or of `places`)."""
    events = Event.objects.filter(compartment_id__in=compartments)
    if places is not None:
        events = events.filter(place_id__in=[p.pk for p in places])
    counted = events.order_by().values("place_id").annotate(n=Count("pk"))
    return dict(counted.values_list("place_id", "n"))


def _place_rows(
    places: list[Place], compartments: set[int], events: dict[int, int]
) -> list[dict[str, Any]]:
    """Each place's events, and its evidence (links on its events and on their acts, each
    link once): from the tallies when they are current, else counted here."""
    ids = [p.pk for p in places]
    evidence = tally.evidence_at(ids, compartments)
    if evidence is None:  # a change not counted yet (docket/register/tally.py): counted here
        evidence = _evidence_per_place(ids, compartments)
    return [
        {"place": p, "events": events.get(p.pk, 0), "evidence": evidence.get(p.pk, 0)}
        for p in places
    ]


def _evidence_per_place(ids: list[int], compartments: set[int]) -> dict[int, int]:
    on_events = (
        EvidenceLink.objects.filter(event__place_id__in=ids, event__compartment_id__in=compartments)
        .values("event__place_id").annotate(n=Count("pk")).values_list("event__place_id", "n")
    )  # fmt: skip
    # A link on an act and on its event too is counted once, with the event.
    on_acts = (
        EvidenceLink.objects.filter(
            act__event__place_id__in=ids, act__event__compartment_id__in=compartments
        )
        .exclude(event__compartment_id__in=compartments, event__place_id=F("act__event__place_id"))
        .values("act__event__place_id").annotate(n=Count("pk"))
        .values_list("act__event__place_id", "n")
    )  # fmt: skip
    evidence: Counter[int] = Counter()
    for place, n in [*on_events, *on_acts]:
        evidence[place] += n
    return evidence
