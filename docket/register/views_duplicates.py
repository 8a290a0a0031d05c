"""Possible duplicates of a compartment's persons, and the answers to them: same person (a
merge, undoable from the survivor's page), different people, not sure."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff_user
from docket.accounts.models import Compartment
from docket.lib import ids
from docket.register import duplicates, search
from docket.register.models import Act, Involvement, Person, PersonMerge, PersonPair

PER_PAGE = 25


def _compartments(request: HttpRequest) -> list[Compartment]:
    ids = access.compartment_ids(request.user, "register.edit")
    return list(Compartment.objects.filter(pk__in=ids).order_by("name"))


def _int(value: Any) -> int | None:
    return ids.number(value) if isinstance(value, str) else None


def _facts(ids: list[int]) -> dict[int, dict[str, Any]]:
    """What tells two persons apart or together, for each of the persons, in a few queries."""
    counted = Person.objects.filter(pk__in=ids).annotate(
        victim=Count("acts_suffered", distinct=True),
        perpetrator=Count("involvements", distinct=True),
        source=Count("information", distinct=True),
    ).prefetch_related("names", "identifiers", "memberships__unit")  # fmt: skip
    events: dict[int, set[int]] = defaultdict(set)
    for pk, event in Act.objects.filter(victim_id__in=ids).values_list("victim_id", "event_id"):
        events[pk].add(event)
    for pk, event in Involvement.objects.filter(person_id__in=ids).values_list(
        "person_id", "act__event_id"
    ):
        events[pk].add(event)
    return {
        p.pk: {
            "person": p,
            "names": [n.name for n in p.names.all()],
            "identifiers": [f"{i.kind} {i.value}" for i in p.identifiers.all()],
            "identifier_pairs": [(i.kind, i.value) for i in p.identifiers.all()],
            "born": p.birth_date.year if p.birth_date else None,
            "memberships": list(p.memberships.all()),
            "victim": p.victim,
            "perpetrator": p.perpetrator,
            "source": p.source,
            "events": len(events[p.pk]),
        }
        for p in counted
    }


@listing("register.edit")
def duplicates_page(request: HttpRequest) -> HttpResponse:
    compartments = _compartments(request)
    if not compartments:
        raise Http404("No such page.")
    wanted = _int(request.GET.get("compartment"))
    compartment = next((c for c in compartments if c.pk == wanted), compartments[0])
    audit.record(request, "person.duplicates", compartment=compartment)
    found = duplicates.candidates(compartment.pk, decided=False)
    wanted_person = _int(request.GET.get("person"))
    typed = request.GET.get("q", "").strip()[:100]
    if wanted_person is not None:
        found = [c for c in found if wanted_person in (c.a, c.b)]
    elif typed:
        hits = search.search(typed, compartments={compartment.pk}, kinds={"person"}, limit=500)
        named = {hit.id for hit in hits}
        found = [c for c in found if c.a in named or c.b in named]
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    facts = _facts([pk for c in page for pk in (c.a, c.b)])
    rows = [
        {"c": c, "a": facts[c.a], "b": facts[c.b], "apart": _apart(facts[c.a], facts[c.b])}
        for c in page
    ]
    query = {"compartment": compartment.pk, "q": typed, "person": wanted_person or ""}
    return render(
        request,
        "register/duplicates.html",
        {
            "compartment": compartment, "compartments": compartments, "page": page,
            "rows": rows, "total": len(found), "typed": typed, "person": wanted_person,
            "query": urlencode({k: v for k, v in query.items() if v}),
        },
    )  # fmt: skip


def _apart(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Identifiers of one kind with different values (two badge numbers): a sign of two
    people that the names cannot give."""
    theirs = {kind: value for kind, value in b["identifier_pairs"]}
    return [
        f"{kind}: {value} / {theirs[kind]}"
        for kind, value in a["identifier_pairs"]
        if kind in theirs and theirs[kind].strip().lower() != value.strip().lower()
    ]


def _editable_person(request: HttpRequest, pk: Any) -> Person:
    person = Person.objects.filter(pk=_int(pk) or 0).first()
    if person is None or not access.can(request.user, "register.edit", person):
        raise Http404("No such person.")
    return person


@listing("register.edit", methods=("POST",))
def decide(request: HttpRequest) -> HttpResponseBase:
    """same-a / same-b (merge into a or b), different, unsure: one pair's answer."""
    user = staff_user(request)
    a = _editable_person(request, request.POST.get("a"))
    b = _editable_person(request, request.POST.get("b"))
    if a.compartment_id != b.compartment_id or a.pk == b.pk:
        raise Http404("No such pair.")
    answer = request.POST.get("answer", "")
    back = reverse("register:duplicates") + f"?compartment={a.compartment_id}"
    if request.POST.get("page"):
        back += f"&page={_int(request.POST['page']) or 1}"
    if answer in ("same-a", "same-b"):
        survivor, merged = (a, b) if answer == "same-a" else (b, a)
        merged_name = merged.display_name
        done = duplicates.merge(survivor, merged, actor=user)
        audit.record(request, "person.merge", survivor, details={"merged": done.merged_id})
        messages.success(
            request,
            gettext("%(merged)s is now part of %(survivor)s. Un-merge below if it was a mistake.")
            % {"merged": merged_name, "survivor": survivor.display_name},
        )
        return redirect("register:person", pk=survivor.pk)
    if answer not in (PersonPair.Decision.DIFFERENT, PersonPair.Decision.UNSURE):
        messages.error(request, gettext("Choose an answer."))
        return redirect(back)
    duplicates.decide(a, b, answer, request.POST.get("note", "").strip()[:2000], actor=user)
    if answer == PersonPair.Decision.DIFFERENT:
        messages.success(
            request,
            gettext("Noted: %(a)s and %(b)s are different people; the pair is not suggested again.")
            % {"a": a.display_name, "b": b.display_name},
        )
    else:
        messages.success(request, gettext("Noted as not sure; the pair stays on the list."))
    return redirect(back)


def _merge_of(request: HttpRequest) -> PersonMerge:
    merge = PersonMerge.objects.filter(pk=_int(request.POST.get("merge")) or 0).first()
    if merge is None or merge.compartment_id not in access.compartment_ids(
        request.user, "register.edit"
    ):
        raise Http404("No such merge.")
    return merge


@listing("register.edit", methods=("POST",))
def unmerge(request: HttpRequest) -> HttpResponseBase:
    user = staff_user(request)
    merge = _merge_of(request)
    if merge.undone_at is not None:
        messages.error(request, gettext("This merge has been undone already."))
        return redirect("register:duplicates")
    if merge.survivor is None:
        messages.error(
            request, gettext("The record this person was merged into has been deleted since.")
        )
        return redirect("register:duplicates")
    back = duplicates.unmerge(merge, actor=user)
    audit.record(request, "person.unmerge", back, details={"survivor": merge.survivor_id})
    messages.success(
        request,
        gettext("%(merged)s is a person of their own again, with what they had at the merge.")
        % {"merged": back.display_name},
    )
    return redirect("register:person", pk=back.pk)


@listing("register.edit", methods=("POST",))
def reassign(request: HttpRequest) -> HttpResponseBase:
    """Move rows linked to the survivor while merged to the restored person."""
    user = staff_user(request)
    editable = access.compartment_ids(request.user, "register.edit")
    moved, back = 0, None
    for chosen in request.POST.getlist("row"):
        merge_pk, _, rest = chosen.partition(":")
        label, _, pk = rest.rpartition(":")
        merge = PersonMerge.objects.filter(pk=_int(merge_pk) or 0).first()
        if merge is None or merge.compartment_id not in editable or _int(pk) is None:
            raise Http404("No such row.")
        try:
            duplicates.reassign(merge, label, ids.number(pk) or 0, actor=user)
        except ValueError:
            raise Http404("No such row.") from None
        moved, back = moved + 1, merge.merged_id
    if back is None:
        messages.error(request, gettext("Tick what to move."))
        person = _int(request.POST.get("person"))
        if person is not None and Person.objects.filter(pk=person).exists():
            return redirect("register:person", pk=person)
        return redirect("register:persons")
    messages.success(request, gettext("Moved: %(n)d.") % {"n": moved})
    return redirect("register:person", pk=back)
