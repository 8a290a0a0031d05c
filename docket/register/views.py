"""The register's staff pages: events with filters and counts per facet, the who-did-what-
to-whom of an event at a glance, a person's roles across events, a unit's members over time.

Access as everywhere (docket/accounts/access.py): `register.view` to see, `register.edit` to
change, 404 outside one's compartments. Reads and searches are audited; changes go through
docket/register/history.py, which keeps the row before and after.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, of_object, staff_user
from docket.lib import ids, zones
from docket.register import (
    chain,
    duplicates,
    history,
    saved,
    search,
    trail,
    views_media_leads,
    views_mentions,
)
from docket.register.filters import choices as filter_choices
from docket.register.filters import facets, filtered_events
from docket.register.forms import (
    ActForm,
    EventForm,
    EvidenceForm,
    InformationForm,
    MembershipForm,
    ParentLinkForm,
    PersonForm,
    UnitForm,
)
from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Information,
    Involvement,
    Membership,
    ParentLink,
    Person,
    PersonIdentifier,
    PersonName,
    Precision,
    SavedSearch,
    Term,
    Unit,
    clock,
)
from docket.register.records import add_badge, person_named, serving, unit_named
from docket.vault.describe import describe, describe_one


def _form_page(request: HttpRequest, form: BaseForm, heading: str, **extra: Any) -> HttpResponse:
    """The register's one generic form page: a heading, the fields, Save."""
    return render(request, "register/form.html", {"form": form, "heading": heading, **extra})


def _editing(record: Event | Person | Unit) -> str:
    return gettext("Edit: %(title)s") % {"title": record}


@listing("register.view")
def event_list(request: HttpRequest) -> HttpResponse:
    events, params = filtered_events(request)
    audit.record(request, "event.list", details={k: v for k, v in params.items() if v})
    counts = facets(
        events,
        compartments=access.compartment_ids(request.user, "register.view"),
        narrowed=any(params.values()),
    )
    paginator = Paginator(
        events.select_related("place", "violation_status").order_by("-start", "-id"), 50
    )
    paginator.count = counts["total"]  # counted with the facets: not a second time
    page = paginator.get_page(request.GET.get("page"))
    # Acts are counted for the 50 events shown, not for every event the filters leave.
    acts = dict(
        Act.objects.filter(event_id__in=[e.pk for e in page])
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    )
    for event in page:
        event.act_count = acts.get(event.pk, 0)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "register/events.html",
        {
            "page": page,
            "filters": params,
            "facets": counts,
            "query": query.urlencode(),
            "can_edit": bool(access.compartment_ids(request.user, "register.edit")),
            "filter_choices": filter_choices(),
            "statuses": Term.objects.filter(vocabulary="violation_status", retired=False),
            **saved.context(request, SavedSearch.Page.EVENTS),
        },
    )


@listing("register.edit", methods=("POST",))
def events_bulk(request: HttpRequest) -> HttpResponseBase:
    """Set the violation status of the events chosen in the list: one history entry per event
    changed; events the user may not edit are left as they are."""
    user = staff_user(request)
    wanted = [n for pk in request.POST.getlist("event") if (n := ids.pk(pk)) is not None]
    events = list(
        access.visible(Event.objects.filter(pk__in=wanted), user, "register.edit").order_by("pk")
    )
    back = f"{reverse('register:events')}?{request.POST.get('query', '')}"
    status_pk = request.POST.get("status", "")
    status = Term.objects.filter(
        vocabulary="violation_status", retired=False, pk=ids.pk(status_pk) or 0
    ).first()
    if not events:
        messages.error(request, gettext("Choose at least one event you may edit."))
        return redirect(back)
    if status is None and status_pk != "none":  # "none": back to not assessed, on purpose
        messages.error(request, gettext("Choose a status from the list."))
        return redirect(back)
    changed = 0
    with transaction.atomic():
        for event in events:
            if event.violation_status_id == (status.pk if status else None):
                continue
            event.violation_status = status
            history.save(event, actor=user)
            changed += 1
    messages.success(
        request,
        ngettext(
            "%(count)s event now has the status “%(status)s”.",
            "%(count)s events now have the status “%(status)s”.",
            changed,
        )
        % {"count": changed, "status": status.shown if status else gettext("not assessed")},
    )
    if len(wanted) > len(events):
        messages.warning(
            request,
            ngettext(
                "%(count)s chosen event was left as it was.",
                "%(count)s chosen events were left as they were.",
                len(wanted) - len(events),
            )
            % {"count": len(wanted) - len(events)},
        )
    return redirect(back)


@listing("register.edit", methods=("GET", "POST"))
def event_new(request: HttpRequest) -> HttpResponseBase:
    return _event_form(request, None)


@of_object("register.view", Event)
def event_detail(request: HttpRequest, event: Event) -> HttpResponse:
    audit.record(request, "event.view", event)
    acts = (
        event.acts.select_related("victim", "act_type", "detained_at")
        .prefetch_related(
            "methods",
            "injuries",
            "involvements__person",
            "involvements__unit",
            "involvements__degree",
        )
        .order_by("start", "id")
    )
    return render(
        request,
        "register/event.html",
        {
            "event": event,
            "acts": acts,
            "information": event.information.select_related(
                "source", "connection", "reliability", "credibility"
            ),
            "evidence": _with_facts(
                list(event.evidence.select_related("item", "act__act_type", "act__victim"))
            ),
            "changes": trail.history_of(event),
            "deleted": trail.deleted_from(event),
            "can_edit": access.can(request.user, "register.edit", event),
            "chains": _chains(event),
            **views_mentions.of_event(event, request.user),
            **views_media_leads.of_event(event, request.user),
        },
    )


def _chains(event: Event) -> list[tuple[Unit, list[chain.Level]]]:
    """The chain of command, at the event's date, of each unit its acts are attributed to
    (superior responsibility, Rome Statute art. 28): none when the date is unknown."""
    if event.start is None:
        return []
    day = zones.local(event.start).date()
    units = Unit.objects.filter(involvements__act__event=event).distinct().order_by("name")
    return [(unit, chain.chain_at(unit, day)) for unit in units]


@of_object("register.edit", Event, methods=("GET", "POST"))
def event_edit(request: HttpRequest, event: Event) -> HttpResponseBase:
    return _event_form(request, event)


def _event_form(request: HttpRequest, event: Event | None) -> HttpResponseBase:
    """A new event (then on to its first act) or a change to one, with history either way."""
    user = staff_user(request)
    form = EventForm(request.POST or None, instance=event, user=user)
    if request.method == "POST" and form.is_valid():
        saved = history.save(
            form.save(commit=False), actor=user,
            m2m={"categories": form.cleaned_data["categories"]},
        )  # fmt: skip
        if event is None:
            messages.success(
                request, gettext("Event recorded. Now add what was done, and to whom.")
            )
            return redirect("register:act_new", pk=saved.pk)
        messages.success(request, gettext("Saved."))
        return redirect("register:event", pk=saved.pk)
    # A map to pick the event's own point on (the shipped outline; tiles only from the
    # instance's own server).
    return _form_page(
        request, form, _editing(event) if event else gettext("New event"),
        map_pick=True, tiles=settings.MAP_TILES or "",
    )  # fmt: skip


@of_object("register.edit", Event, methods=("GET", "POST"))
def act_new(request: HttpRequest, event: Event) -> HttpResponseBase:
    user = staff_user(request)
    form = ActForm(
        request.POST or None,
        compartment_id=event.compartment_id,
        initial={"start": event.start},  # an act happens within its event
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            act = history.save(
                Act(
                    event=event, compartment_id=event.compartment_id,
                    victim=person_named(data["victim"], event.compartment_id, user),
                    act_type=data["act_type"],
                    start=data["start"], detained_at=data["detained_at"], notes=data["notes"],
                ),
                actor=user,
                m2m={"methods": data["methods"], "injuries": data["injuries"]},
            )  # fmt: skip
            perpetrator = person_named(data["perpetrator"], event.compartment_id, user)
            add_badge(perpetrator, data["badge_number"])
            unit = unit_named(data["unit"], event.compartment_id, user)
            serving(perpetrator, unit, data["badge_number"], act.start or event.start, user)
            if perpetrator is not None or unit is not None:
                history.save(
                    Involvement(
                        act=act, compartment_id=event.compartment_id, person=perpetrator,
                        unit=unit, degree=data["degree"], confidence=data["confidence"],
                    ),
                    actor=user,
                )  # fmt: skip
        messages.success(request, gettext("Act recorded."))
        if "another" in request.POST:
            return redirect("register:act_new", pk=event.pk)
        return redirect("register:event", pk=event.pk)
    return render(
        request, "register/act_form.html", {"form": form, "event": event, "names": event.pk}
    )


@of_object("register.edit", Event)
def names(request: HttpRequest, event: Event) -> HttpResponse:
    """The persons (or units) of the event's compartment whose names match what is typed, in
    any script, for the forms' pickers: names only, as JSON."""
    kind = "unit" if request.GET.get("kind") == "unit" else "person"
    typed = request.GET.get("q", "").strip()[:100]
    hits = (
        search.search(typed, compartments={event.compartment_id}, kinds={kind}, limit=10)
        if len(typed) >= 2
        else []
    )
    return JsonResponse({"names": [hit.label for hit in hits]})


@of_object("register.edit", Event, methods=("GET", "POST"))
def evidence_new(request: HttpRequest, event: Event) -> HttpResponseBase:
    """Link a vault item of the same compartment to the event or an act, with a span."""
    heading = gettext("Evidence for: %(title)s") % {"title": event.title}
    return _evidence_page(
        request, event, EvidenceLink(compartment_id=event.compartment_id, event=event), heading,
        reverse("register:event", args=[event.pk]),
    )  # fmt: skip


@of_object("register.edit", Membership, methods=("GET", "POST"))
def membership_evidence_new(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """Link an item as evidence of a posting (who held it, when, in command or not): an
    order, a court file, a video in which an officer is named."""
    link = EvidenceLink(compartment_id=membership.compartment_id, membership=membership)
    heading = gettext("Evidence of the posting: %(membership)s") % {"membership": membership}
    back = reverse("register:unit", args=[membership.unit_id])
    return _evidence_page(request, None, link, heading, back)


@of_object("register.edit", ParentLink, methods=("GET", "POST"))
def parent_link_evidence_new(request: HttpRequest, parent_link: ParentLink) -> HttpResponseBase:
    """Link an item as evidence that a unit was under another (an order, a press release)."""
    link = EvidenceLink(compartment_id=parent_link.compartment_id, parent_link=parent_link)
    heading = gettext("Evidence that %(link)s") % {"link": parent_link}
    back = reverse("register:unit", args=[parent_link.unit_id])
    return _evidence_page(request, None, link, heading, back)


def _evidence_page(
    request: HttpRequest, event: Event | None, link: EvidenceLink, heading: str, back: str
) -> HttpResponseBase:
    """The evidence form: find an item of the compartment, open it beside the form, mark the
    span, save `link` (of the event or an act of it, a posting, a parent link) with it."""
    from docket.vault.models import Item

    user = staff_user(request)
    items = access.visible(
        Item.objects.filter(compartment_id=link.compartment_id), user, "item.view"
    )
    # ?item=N opens the item beside the form: play the recording and mark the span, or read
    # the document and note the page.
    wanted = request.GET.get("item", "")
    opened = items.filter(pk=ids.pk(wanted)).first() if ids.pk(wanted) is not None else None
    initial: dict[str, Any] = {"item": opened.pk} if opened else {}
    # Find the item by its name, title, tags or the words read in it.
    finding = request.GET.get("find", "").strip()[:200]
    found = list(_found_items(items, finding)[:20]) if finding else []
    facts = describe([i.pk for i in found] + ([opened.pk] if opened else []))
    # A page or a transcript segment found by search comes with its span.
    for name in ("page", "start", "end"):
        value = request.GET.get(name, "")
        if value and len(value) < 20:
            initial[name] = value
    form = EvidenceForm(request.POST or None, event=event, items=items, initial=initial)
    if request.method == "POST" and not opened and ids.pk(form.data.get("item", "")) is not None:
        # Opened again after a failed save, so the viewer shows what was chosen.
        opened = items.filter(pk=ids.pk(form.data["item"])).first()
        facts = describe([opened.pk]) if opened else {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        link.item, link.act = data["item"], data.get("act")
        link.start_seconds, link.end_seconds = data["start"], data["end"]
        link.page, link.annotation = data["page"], data["annotation"]
        history.save(link, actor=user)
        messages.success(
            request,
            gettext("%(item)s linked as evidence.") % {"item": describe_one(data["item"].pk).label},
        )
        return redirect(back)
    return render(
        request,
        "register/evidence_form.html",
        {
            "form": form,
            "heading": heading,
            "event": event,
            "opened": opened,
            "opened_facts": facts.get(opened.pk) if opened else None,
            "finding": finding,
            "found": [(item, facts[item.pk]) for item in found],
            "as_document": request.GET.get("as") == "document",
            "can_read": opened is not None and access.can(user, "item.read_original", opened),
        },
    )


def _with_facts(links: list[EvidenceLink]) -> list[tuple[EvidenceLink, Any]]:
    """Evidence links with what the pages call their items (name, title, thumbnail)."""
    facts = describe(link.item_id for link in links)
    return [(link, facts[link.item_id]) for link in links]


def _found_items(items: Any, text: str) -> Any:
    """The items among `items` that search finds for `text` (name, title, tags, words read in
    them; any script), best first; "17" or "#17" also opens item 17."""
    number = ids.pk(text.lstrip("#"))
    if number is not None:
        return items.filter(pk=number)
    hits = search.search(text, compartments=None, kinds={"item"}, limit=100)
    order = [hit.id for hit in hits]
    chosen = {item.pk: item for item in items.filter(pk__in=order)}
    return [chosen[pk] for pk in order if pk in chosen]


@of_object("register.edit", Event, methods=("GET", "POST"))
def information_new(request: HttpRequest, event: Event) -> HttpResponseBase:
    user = staff_user(request)
    form = InformationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        history.save(
            Information(
                compartment_id=event.compartment_id, event=event,
                source=person_named(data["source"], event.compartment_id, user),
                connection=data["connection"], reliability=data["reliability"],
                credibility=data["credibility"], received_on=data["received_on"],
                summary=data["summary"],
            ),
            actor=user,
        )  # fmt: skip
        messages.success(request, gettext("Account recorded."))
        return redirect("register:event", pk=event.pk)
    heading = gettext("A source's account of: %(title)s") % {"title": event.title}
    return _form_page(request, form, heading)


@of_object("register.view", Person)
def person_detail(request: HttpRequest, person: Person) -> HttpResponse:
    audit.record(request, "person.view", person)
    return render(
        request,
        "register/person.html",
        {
            "person": person,
            "suffered": person.acts_suffered.select_related("event", "act_type").order_by(
                "event__start"
            ),
            "involvements": person.involvements.select_related(
                "act__event", "act__act_type", "act__victim", "degree", "unit"
            ).order_by("act__event__start"),
            "information": person.information.select_related("event", "connection"),
            "memberships": person.memberships.select_related("unit").order_by("start"),
            "changes": [trail.Row(change, []) for change in history.of(person)],
            "can_edit": access.can(request.user, "register.edit", person),
            "also_written": _distinct_names(person),
            "merges": person.merges.filter(undone_at=None).select_related("by"),
            "decided": duplicates.decided_about(person),
            "added_while_merged": duplicates.added_while_merged(person),
            **views_mentions.of_subject(person, request.user),
        },
    )


def _distinct_names(person: Person) -> list[PersonName]:
    """A person's other names, each once (two records merged may have had the same)."""
    seen: dict[str, PersonName] = {}
    for name in person.names.all():
        seen.setdefault(" ".join(name.name.lower().split()), name)
    return list(seen.values())


@of_object("register.edit", Person, methods=("GET", "POST"))
def person_edit(request: HttpRequest, person: Person) -> HttpResponseBase:
    user = staff_user(request)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def replace_names(saved: Person) -> None:
            saved.names.all().delete()
            PersonName.objects.bulk_create(
                PersonName(person=saved, name=n, script=s, language=lang)
                for n, s, lang in data["other_names"]
            )
            saved.identifiers.all().delete()
            PersonIdentifier.objects.bulk_create(
                PersonIdentifier(person=saved, kind=k, value=v) for k, v in data["identifiers"]
            )

        saved = history.save(
            form.save(commit=False), actor=user, m2m={"groups": data["groups"]},
            related=replace_names,
        )  # fmt: skip
        search.index(saved)  # names changed after the save that indexed it
        messages.success(request, gettext("Saved."))
        return redirect("register:person", pk=saved.pk)
    return _form_page(request, form, _editing(person))


@of_object("register.edit", Unit, methods=("GET", "POST"))
def unit_edit(request: HttpRequest, unit: Unit) -> HttpResponseBase:
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        history.save(form.save(commit=False), actor=staff_user(request))
        messages.success(request, gettext("Saved."))
        return redirect("register:unit", pk=unit.pk)
    return _form_page(request, form, _editing(unit))


@of_object("register.edit", Unit, methods=("GET", "POST"))
def membership_new(request: HttpRequest, unit: Unit) -> HttpResponseBase:
    """Someone served in the unit: from when to when, rank, position, badge number."""
    user = staff_user(request)
    form = MembershipForm(request.POST or None, compartment_id=unit.compartment_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            person = person_named(data["person"], unit.compartment_id, user)
            assert person is not None  # the field is required
            add_badge(person, data["badge_number"])
            history.save(
                Membership(
                    compartment_id=unit.compartment_id, person=person, unit=unit,
                    start=data["start"], end=data["end"], rank=data["rank"],
                    position=data["position"], badge_number=data["badge_number"],
                    start_precision=Precision.DAY if data["start"] else Precision.UNKNOWN,
                    end_precision=Precision.DAY if data["end"] else Precision.UNKNOWN,
                    commands=data["commands"], reliability=data["reliability"],
                    credibility=data["credibility"],
                ),
                actor=user,
            )  # fmt: skip
        messages.success(
            request, gettext("%(person)s added to %(unit)s.") % {"person": person, "unit": unit}
        )
        return redirect("register:unit", pk=unit.pk)
    return _form_page(request, form, gettext("Someone who served in %(unit)s") % {"unit": unit})


@of_object("register.edit", Unit, methods=("POST",))
def parent_link_new(request: HttpRequest, unit: Unit) -> HttpResponseBase:
    """The unit was under another unit, from–to (the form on the unit's page)."""
    form = ParentLinkForm(request.POST, unit=unit)
    if form.is_valid():
        data = form.cleaned_data
        history.save(
            ParentLink(
                compartment_id=unit.compartment_id, unit=unit, parent=data["parent"],
                start=data["start"], start_precision=data["start_precision"], end=data["end"],
                end_precision=data["end_precision"], notes=data["notes"],
            ),
            actor=staff_user(request),
        )  # fmt: skip
        messages.success(
            request,
            gettext("%(unit)s is under %(parent)s.") % {"unit": unit, "parent": data["parent"]},
        )
        return redirect("register:unit", pk=unit.pk)
    heading = gettext("%(unit)s was under…") % {"unit": unit}
    return _form_page(request, form, heading)


@of_object("register.view", Unit)
def unit_detail(request: HttpRequest, unit: Unit) -> HttpResponse:
    audit.record(request, "unit.view", unit)
    members: QuerySet[Membership] = (
        unit.memberships.select_related("person", "reliability", "credibility")
        .annotate(evidence_count=Count("evidence"))
        .order_by("start", "person__display_name")
    )
    can_edit = access.can(request.user, "register.edit", unit)
    return render(
        request,
        "register/unit.html",
        {
            "unit": unit,
            "members": members,
            "parents": unit.parent_links.select_related("parent")
            .annotate(evidence_count=Count("evidence"))
            .order_by(F("start").asc(nulls_first=True), "id"),
            "children": unit.child_links.select_related("unit").order_by("unit__name", "start"),
            "commanders": chain.over_time(unit),
            "involvements": unit.involvements.select_related(
                "act__event", "act__act_type", "act__victim", "degree"
            ).order_by("act__event__start"),
            "deleted": trail.deleted_members(unit),
            "can_edit": can_edit,
            "parent_form": ParentLinkForm(unit=unit) if can_edit else None,
            **views_mentions.of_subject(unit, request.user),
        },
    )


def _readable(request: HttpRequest, hits: list[search.Hit]) -> list[search.Hit]:
    """Item hits show what is written or said in an item: only for those who may view it."""
    from docket.vault.models import Item

    wanted = [h.id for h in hits if h.type == "item"]
    if not wanted:
        return hits
    allowed = set(
        access.visible(
            Item.objects.filter(pk__in=wanted), staff_user(request), "item.view"
        ).values_list("pk", flat=True)
    )
    return [h for h in hits if h.type != "item" or h.id in allowed]


@listing("register.view")
def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    hits = []
    if text:
        hits = search.search(
            text, compartments=access.compartment_ids(request.user, "register.view")
        )
        hits = _readable(request, hits)
        audit.record(request, "register.search", details={"query": text, "hits": len(hits)})
    context = {"q": text, "rows": _dated(hits), **saved.context(request, SavedSearch.Page.SEARCH)}
    return render(request, "register/search.html", context)


def _dated(hits: list[search.Hit]) -> list[dict[str, Any]]:
    """Each hit with when it happened (an event's start, when an item was made or received)
    and where, and its spans as a player shows times."""
    from docket.vault.models import Item

    events = {
        e.pk: e
        for e in Event.objects.filter(pk__in=[h.id for h in hits if h.type == "event"])
        .select_related("place")
    }  # fmt: skip
    item_ids = [h.id for h in hits if h.type == "item"]
    facts = describe(item_ids)
    received = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "received_at"))
    rows = []
    for hit in hits:
        when, where = None, ""
        if hit.type == "event" and hit.id in events:
            event = events[hit.id]
            when, where = event.start, event.place.shown if event.place else ""
        elif hit.type == "item":
            when = facts[hit.id].taken_at or received.get(hit.id)
        spans = [
            (
                gettext("page %(page)s") % {"page": span["page"]}
                if span.get("page")
                else f"{clock(span.get('start') or 0)}–{clock(span.get('end') or 0)}",
                span.get("text", ""),
            )
            for span in hit.spans
        ]
        rows.append({"hit": hit, "when": when, "where": where, "spans": spans})
    return rows
