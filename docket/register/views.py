"""The register's staff pages: events with filters and counts per facet, the who-did-what-
to-whom of an event at a glance, a person's roles across events, a unit's members over time.

Access as everywhere (docket/accounts/access.py): `register.view` to see, `register.edit` to
change, 404 outside one's compartments. Reads and searches are audited; changes go through
docket/register/history.py, which keeps the row before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.timezone import now as timezone_now

from docket.accounts import access, audit
from docket.accounts.models import User
from docket.accounts.views_access import listing, of_object
from docket.register import history, search
from docket.register.forms import (
    ActForm,
    EventForm,
    EvidenceForm,
    InformationForm,
    MembershipForm,
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
    Person,
    PersonIdentifier,
    PersonName,
    Place,
    Precision,
    Term,
    Unit,
)
from docket.register.records import add_badge, person_named, unit_named


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the access declarations let in only logged-in staff
    return user


def _subtree(term_id: str) -> Q:
    """Events with an act whose type is the term or one below it in the hierarchy (a
    semi-join: no duplicate rows, so counts need no DISTINCT)."""
    term = Term.objects.filter(pk=term_id if term_id.isdigit() else 0).first()
    if term is None:
        return Q(pk__in=[])
    types = Term.objects.filter(vocabulary=term.vocabulary).filter(
        Q(code=term.code) | Q(code__startswith=term.code + ".")
    )
    return Q(pk__in=Act.objects.filter(act_type__in=types).values("event_id"))


def _region_ids(place_id: str) -> list[int]:
    """The place and every place under it (a region's cities and their facilities)."""
    found = [int(place_id)] if place_id.isdigit() else []
    frontier = list(found)
    while frontier:
        frontier = list(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


def _day(text: str, *, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def filtered_events(request: HttpRequest) -> tuple[QuerySet[Event], dict[str, str]]:
    events = access.visible(Event.objects.all(), request.user, "register.view")
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "region", "act", "status", "since", "until")
    }
    if params["q"]:
        hits = search.search(
            params["q"], compartments=access.compartment_ids(request.user, "register.view"),
            limit=5000,
        )  # fmt: skip
        events = events.filter(pk__in=[h.id for h in hits if h.type == "event"])
    if params["region"]:
        events = events.filter(place_id__in=_region_ids(params["region"]))
    if params["act"]:
        events = events.filter(_subtree(params["act"]))
    if params["status"].isdigit():
        events = events.filter(violation_status_id=int(params["status"]))
    if since := _day(params["since"]):
        events = events.filter(start__gte=since)
    if until := _day(params["until"], end=True):
        events = events.filter(start__lte=until)
    return events, params


def _region_of() -> dict[int, Place]:
    """place id -> its region, for every place (the gazetteer is small)."""
    places = {p.pk: p for p in Place.objects.only("pk", "parent_id", "kind", "name_en")}
    regions: dict[int, Place] = {}
    for pk, place in places.items():
        current: Place | None = place
        while current is not None and current.kind != Place.Kind.REGION:
            current = places.get(current.parent_id) if current.parent_id else None
        if current is not None:
            regions[pk] = current
    return regions


def _facets(
    events: QuerySet[Event], *, compartments: set[int], narrowed: bool
) -> dict[str, list[dict[str, Any]]]:
    """Counts per value of each facet under the filters in force: one grouped query each,
    answered from covering indexes (compartment, place), (compartment, status) and
    (compartment, act type, event); labels are looked up afterwards, not joined."""
    by_region: dict[int, dict[str, Any]] = {}
    regions = _region_of()
    for row in events.order_by().values("place_id").annotate(count=Count("pk")):
        region = regions.get(row["place_id"])
        if region is not None:
            entry = by_region.setdefault(
                region.pk, {"id": region.pk, "label": region.name_en, "count": 0}
            )
            entry["count"] += row["count"]
    if narrowed:
        acts = Act.objects.filter(event_id__in=events.order_by().values("pk"))
    else:  # every event of the compartments: acts carry their compartment themselves
        acts = Act.objects.filter(compartment_id__in=compartments)
    act_counts = (
        acts.order_by()
        .values("act_type_id")
        .annotate(count=Count("event_id", distinct=True))
        .order_by("-count")[:15]
    )
    statuses = (
        events.order_by()
        .filter(violation_status__isnull=False)
        .values("violation_status_id")
        .annotate(count=Count("pk"))
    )
    labels = dict(
        Term.objects.filter(vocabulary__in=["act_type", "violation_status"]).values_list(
            "pk", "label_en"
        )
    )
    codes = dict(Term.objects.filter(vocabulary="violation_status").values_list("pk", "code"))
    return {
        "region": sorted(by_region.values(), key=lambda r: r["label"]),
        "act": [
            {"id": a["act_type_id"], "label": labels.get(a["act_type_id"], ""), "count": a["count"]}
            for a in act_counts
        ],
        "status": sorted(
            (
                {
                    "id": row["violation_status_id"],
                    "label": labels.get(row["violation_status_id"], ""),
                    "count": row["count"],
                }
                for row in statuses
            ),
            key=lambda row: codes.get(row["id"], ""),
        ),
    }


@listing("register.view")
def event_list(request: HttpRequest) -> HttpResponse:
    events, params = filtered_events(request)
    audit.record(request, "event.list", details={k: v for k, v in params.items() if v})
    page = Paginator(
        events.select_related("place", "violation_status").order_by("-start", "-id"), 50
    ).get_page(request.GET.get("page"))
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
            "facets": _facets(
                events,
                compartments=access.compartment_ids(request.user, "register.view"),
                narrowed=any(params.values()),
            ),
            "query": query.urlencode(),
            "can_edit": bool(access.compartment_ids(request.user, "register.edit")),
            "act_types": Term.objects.filter(vocabulary="act_type", retired=False),
        },
    )


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
            "evidence": event.evidence.select_related("item", "act__act_type", "act__victim"),
            "changes": history.of(event),
            "can_edit": access.can(request.user, "register.edit", event),
        },
    )


@of_object("register.edit", Event, methods=("GET", "POST"))
def event_edit(request: HttpRequest, event: Event) -> HttpResponseBase:
    return _event_form(request, event)


def _event_form(request: HttpRequest, event: Event | None) -> HttpResponseBase:
    """A new event (then on to its first act) or a change to one, with history either way."""
    user = _user(request)
    form = EventForm(request.POST or None, instance=event, user=user)
    if request.method == "POST" and form.is_valid():
        saved = history.save(
            form.save(commit=False), actor=user,
            m2m={"categories": form.cleaned_data["categories"]},
        )  # fmt: skip
        if event is None:
            messages.success(request, "Event recorded. Now add what was done, and to whom.")
            return redirect("register:act_new", pk=saved.pk)
        messages.success(request, "Saved.")
        return redirect("register:event", pk=saved.pk)
    heading = f"Edit: {event.title}" if event else "New event"
    return render(request, "register/form.html", {"form": form, "heading": heading})


@of_object("register.edit", Event, methods=("GET", "POST"))
def act_new(request: HttpRequest, event: Event) -> HttpResponseBase:
    user = _user(request)
    form = ActForm(request.POST or None)
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
            if perpetrator is not None or unit is not None:
                history.save(
                    Involvement(
                        act=act, compartment_id=event.compartment_id, person=perpetrator,
                        unit=unit, degree=data["degree"], confidence=data["confidence"],
                    ),
                    actor=user,
                )  # fmt: skip
        messages.success(request, "Act recorded.")
        if "another" in request.POST:
            return redirect("register:act_new", pk=event.pk)
        return redirect("register:event", pk=event.pk)
    return render(request, "register/act_form.html", {"form": form, "event": event})


@of_object("register.edit", Event, methods=("GET", "POST"))
def evidence_new(request: HttpRequest, event: Event) -> HttpResponseBase:
    """Link a vault item of the same compartment to the event or an act, with a span."""
    from docket.vault.models import Item

    user = _user(request)
    items = access.visible(
        Item.objects.filter(compartment_id=event.compartment_id), user, "item.view"
    )
    form = EvidenceForm(request.POST or None, event=event, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        history.save(
            EvidenceLink(
                compartment_id=event.compartment_id, item=data["item"], event=event,
                act=data["act"], start_seconds=data["start"], end_seconds=data["end"],
                page=data["page"], annotation=data["annotation"],
            ),
            actor=user,
        )  # fmt: skip
        messages.success(request, f"Item {data['item'].pk} linked as evidence.")
        return redirect("register:event", pk=event.pk)
    heading = f"Evidence for: {event.title}"
    return render(request, "register/form.html", {"form": form, "heading": heading})


@of_object("register.edit", Event, methods=("GET", "POST"))
def information_new(request: HttpRequest, event: Event) -> HttpResponseBase:
    user = _user(request)
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
        messages.success(request, "Account recorded.")
        return redirect("register:event", pk=event.pk)
    heading = f"A source's account of: {event.title}"
    return render(request, "register/form.html", {"form": form, "heading": heading})


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
            "changes": history.of(person),
            "can_edit": access.can(request.user, "register.edit", person),
        },
    )


@of_object("register.edit", Person, methods=("GET", "POST"))
def person_edit(request: HttpRequest, person: Person) -> HttpResponseBase:
    user = _user(request)
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
        messages.success(request, "Saved.")
        return redirect("register:person", pk=saved.pk)
    return render(request, "register/form.html", {"form": form, "heading": f"Edit: {person}"})


@of_object("register.edit", Unit, methods=("GET", "POST"))
def unit_edit(request: HttpRequest, unit: Unit) -> HttpResponseBase:
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        history.save(form.save(commit=False), actor=_user(request))
        messages.success(request, "Saved.")
        return redirect("register:unit", pk=unit.pk)
    return render(request, "register/form.html", {"form": form, "heading": f"Edit: {unit}"})


@of_object("register.edit", Unit, methods=("GET", "POST"))
def membership_new(request: HttpRequest, unit: Unit) -> HttpResponseBase:
    """Someone served in the unit: from when to when, rank, position, badge number."""
    user = _user(request)
    form = MembershipForm(request.POST or None)
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
                ),
                actor=user,
            )  # fmt: skip
        messages.success(request, f"{person} added to {unit}.")
        return redirect("register:unit", pk=unit.pk)
    heading = f"Someone who served in {unit}"
    return render(request, "register/form.html", {"form": form, "heading": heading})


@of_object("register.view", Unit)
def unit_detail(request: HttpRequest, unit: Unit) -> HttpResponse:
    audit.record(request, "unit.view", unit)
    members: QuerySet[Membership] = unit.memberships.select_related("person").order_by(
        "start", "person__display_name"
    )
    return render(
        request,
        "register/unit.html",
        {
            "unit": unit,
            "members": members,
            "children": unit.children.order_by("name"),
            "involvements": unit.involvements.select_related(
                "act__event", "act__act_type", "act__victim", "degree"
            ).order_by("act__event__start"),
            "can_edit": access.can(request.user, "register.edit", unit),
        },
    )


@listing("register.view")
def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    hits = []
    if text:
        hits = search.search(
            text, compartments=access.compartment_ids(request.user, "register.view")
        )
        audit.record(request, "register.search", details={"query": text, "hits": len(hits)})
    return render(request, "register/search.html", {"q": text, "hits": hits})


@listing("register.edit", methods=("GET", "POST"))
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of events and acts; a dry run first, by default."""
    from docket.accounts.models import Compartment
    from docket.register.csv_import import import_csv, read_upload

    user = _user(request)
    editable = Compartment.objects.filter(pk__in=access.compartment_ids(user, "register.edit"))
    context: dict[str, Any] = {"compartments": editable, "dry_run": True}
    if request.method == "POST":
        compartment = editable.filter(pk=request.POST.get("compartment", "0") or 0).first()
        upload = request.FILES.get("file")
        dry_run = bool(request.POST.get("dry_run"))
        context["dry_run"] = dry_run
        if compartment is None or upload is None:
            context["problem"] = "Choose a compartment and a CSV file."
        else:
            try:
                text = read_upload(upload.read())
            except ValueError as exc:
                context["problem"] = str(exc)
            else:
                report = import_csv(text, compartment, actor=user, dry_run=dry_run)
                audit.record(
                    request, "register.import", compartment=compartment,
                    details={"rows": report.rows, "errors": len(report.errors),
                             "dry_run": dry_run},
                )  # fmt: skip
                context.update(report=report, chosen=compartment)
    return render(request, "register/import.html", context)


@listing("register.view")
def event_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered list as CSV or XLSX, one row per act, in the import's columns."""
    from django.http import FileResponse, Http404, StreamingHttpResponse

    from docket.register import csv_export

    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    events, params = filtered_events(request)
    audit.record(
        request, "event.export",
        details={"format": fmt, "events": events.count(), **{k: v for k, v in params.items() if v}},
    )  # fmt: skip
    name = f"docket-events-{timezone_now():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_export.csv_chunks(events), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        csv_export.xlsx_file(events), as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


ROW = 22  # pixels per bar in the SVG charts
LABEL = 230  # pixels for the labels on their left


def _bars(rows: list[tuple[str, int, str]], width: int = 420) -> dict[str, Any]:
    """(label, count, link) rows -> an SVG bar chart's geometry (drawn by _bars.html)."""
    top = max((count for _, count, _ in rows), default=0) or 1
    return {
        "width": LABEL + width + 60,
        "height": ROW * len(rows),
        "rows": [
            {
                "label": label, "count": count, "link": link, "y": ROW * n,
                "text_y": ROW * n + 15, "bar": max(1, round(width * count / top)),
                "count_x": LABEL + 6 + max(1, round(width * count / top)) + 4,
            }
            for n, (label, count, link) in enumerate(rows)
        ],
    }  # fmt: skip


@listing("register.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Map, timeline and charts of the events the filters leave (the list's own filters)."""
    from django.db.models.functions import TruncMonth, TruncWeek

    events, params = filtered_events(request)
    audit.record(request, "event.overview", details={k: v for k, v in params.items() if v})
    query = request.GET.copy()
    query.pop("since", None)
    query.pop("until", None)
    base = query.urlencode()
    weeks = (
        events.order_by().exclude(start=None).annotate(week=TruncWeek("start"))
        .values("week").annotate(count=Count("pk")).order_by("week")
    )  # fmt: skip
    months = (
        events.order_by().exclude(start=None).annotate(month=TruncMonth("start"))
        .values("month").annotate(count=Count("pk")).order_by("month")
    )  # fmt: skip
    facets = _facets(
        events,
        compartments=access.compartment_ids(request.user, "register.view"),
        narrowed=any(params.values()),
    )
    timeline = []
    for row in weeks:
        start = row["week"]
        end = start + timedelta(days=6)
        link = f"?{base}&since={start:%Y-%m-%d}&until={end:%Y-%m-%d}"
        timeline.append((f"{start:%d %b %Y}", row["count"], link))
    return render(
        request,
        "register/overview.html",
        {
            "filters": params,
            "query": request.GET.urlencode(),
            "total": events.count(),
            "timeline": _bars(timeline, width=600),
            "months": _bars([(f"{r['month']:%B %Y}", r["count"], "") for r in months], 280),
            "types": _bars(
                [(f["label"], f["count"], f"?{base}&act={f['id']}") for f in facets["act"]], 280
            ),
            "regions": _bars(
                [(f["label"], f["count"], f"?{base}&region={f['id']}") for f in facets["region"]],
                280,
            ),
            "tiles": settings.MAP_TILES or "",
        },
    )


@listing("register.view")
def map_data(request: HttpRequest) -> JsonResponse:
    """Events per place, with coordinates, for the map (the list's filters apply)."""
    events, _params = filtered_events(request)
    counts = dict(
        events.order_by().exclude(place=None).values("place_id").annotate(n=Count("pk"))
        .values_list("place_id", "n")
    )  # fmt: skip
    places = Place.objects.filter(pk__in=counts, latitude__isnull=False)
    return JsonResponse(
        {
            "places": [
                {"id": p.pk, "name": p.name_en, "lat": p.latitude, "lon": p.longitude,
                 "precision": p.precision, "count": counts[p.pk]}
                for p in places
            ]
        }
    )  # fmt: skip
