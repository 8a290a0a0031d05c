"""Registers of persons, units and places, like the event list: found by words in any script,
sorted by name or by how many events they appear in, each with its counts of events and
evidence. Persons and units are those of the user's compartments; places are the shared
gazetteer, counted by the events the user may see."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing
from docket.register import chain, search
from docket.register.models import Act, Event, EvidenceLink, Person, Place, Unit

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


@listing("register.view")
def persons(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    audit.record(request, "person.list", details={k: v for k, v in asked.items() if v})
    compartments = access.compartment_ids(request.user, "register.view")
    people = access.visible(Person.objects.all(), request.user, "register.view")
    if asked["q"]:
        people = _matching(people, "person", asked["q"], compartments)
    if asked["sort"] == "events":
        people = people.annotate(
            n=Count("acts_suffered__event", distinct=True)
            + Count("involvements__act__event", distinct=True)
        ).order_by("-n", "display_name")
    else:
        people = people.order_by("display_name", "pk")
    page = _page(request, people)
    rows = []
    for person in page:
        acts = Act.objects.filter(Q(victim=person) | Q(involvements__person=person)).distinct()
        rows.append({
            "person": person,
            "events": acts.values("event").distinct().count(),
            "victim": person.acts_suffered.count(),
            "perpetrator": person.involvements.count(),
            "evidence": EvidenceLink.objects.filter(Q(person=person) | Q(act__in=acts))
            .distinct().count(),
        })  # fmt: skip
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
        found = found.annotate(n=Count("involvements__act__event", distinct=True)).order_by(
            "-n", "name"
        )
    else:
        found = found.order_by("name", "pk")
    page = _page(request, found)
    parents = chain.parents_today(list(page), timezone.localdate())
    rows = []
    for unit in page:
        acts = Act.objects.filter(involvements__unit=unit).distinct()
        rows.append({
            "unit": unit,
            "parents": parents.get(unit.pk, []),
            "events": acts.values("event").distinct().count(),
            "members": unit.memberships.count(),
            "evidence": EvidenceLink.objects.filter(act__in=acts).distinct().count(),
        })  # fmt: skip
    return render(request, "register/units.html", {"page": page, "rows": rows, "asked": asked})


@listing("register.view")
def places(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    audit.record(request, "place.list", details={k: v for k, v in asked.items() if v})
    seen = access.visible(Event.objects.all(), request.user, "register.view")
    found = Place.objects.select_related("parent")
    if asked["q"]:
        found = _matching(found, "place", asked["q"], set())
    if asked["kind"] in Place.Kind.values:
        found = found.filter(kind=asked["kind"])
    if asked["sort"] == "events":
        found = found.annotate(
            n=Count("events", filter=Q(events__in=seen.values("pk")), distinct=True)
        ).order_by("-n", "name_en")
    else:
        found = found.order_by("name_en", "pk")
    page = _page(request, found)
    rows = []
    for place in page:
        here = seen.filter(place=place)
        rows.append({
            "place": place,
            "events": here.count(),
            "evidence": EvidenceLink.objects.filter(
                Q(event__in=here) | Q(act__event__in=here)
            ).distinct().count(),
        })  # fmt: skip
    kinds = Place.Kind.choices
    context = {"page": page, "rows": rows, "asked": asked, "kinds": kinds}
    return render(request, "register/places.html", context)
