"""The register's bulk pages: CSV import, CSV and XLSX export, and the overview (map,
timeline, charts) of the events the list's filters leave."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff_user
from docket.register.filters import facets, filtered_events
from docket.register.models import Event, Person, Place


@listing("register.edit", methods=("GET", "POST"))
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of events and acts; a dry run first, by default."""
    from docket.accounts.models import Compartment
    from docket.register.csv_import import import_csv, read_upload

    user = staff_user(request)
    editable = Compartment.objects.filter(pk__in=access.compartment_ids(user, "register.edit"))
    context: dict[str, Any] = {"compartments": editable, "dry_run": True}
    if request.method == "POST":
        compartment = editable.filter(pk=request.POST.get("compartment", "0") or 0).first()
        upload = request.FILES.get("file")
        dry_run = bool(request.POST.get("dry_run"))
        context["dry_run"] = dry_run
        if compartment is None or upload is None:
            context["problem"] = gettext("Choose a compartment and a CSV or XLSX file.")
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
                shown = dict(
                    Person.objects.filter(
                        pk__in={d.person for d in report.possible_duplicates}
                    ).values_list("pk", "display_name")
                )
                context.update(
                    report=report, chosen=compartment,
                    possible_duplicates=[
                        {**d.as_json(), "shown": shown.get(d.person, "")}
                        for d in report.possible_duplicates
                    ],
                )  # fmt: skip
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


def _per_day(events: QuerySet[Event]) -> list[tuple[date, int]]:
    """Events per day in the instance's zone. SQLite has no time zones: Django converts each
    row in Python there, which takes most of a second at 100,000 events, so SQLite counts per
    hour of the stored UTC text and the hours are put in their days here — exact whenever the
    zone's offset is whole hours at those times, as Belarus's is; otherwise counted as
    PostgreSQL does."""
    from django.db.models.functions import Substr, TruncDate

    dated = events.order_by().exclude(start=None)
    if connection.vendor == "sqlite":
        zone = timezone.get_current_timezone()
        days: dict[date, int] = {}
        hours = dated.annotate(hour=Substr("start", 1, 13)).values("hour").annotate(n=Count("pk"))
        for row in hours:
            at = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone)
            if at.minute or at.second:  # an offset of part of an hour: not exact this way
                break
            days[at.date()] = days.get(at.date(), 0) + row["n"]
        else:
            return sorted(days.items())
    rows = dated.annotate(day=TruncDate("start")).values("day").annotate(n=Count("pk"))
    return sorted((row["day"], row["n"]) for row in rows)


@listing("register.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Map, timeline and charts of the events the filters leave (the list's own filters)."""
    events, params = filtered_events(request)
    audit.record(request, "event.overview", details={k: v for k, v in params.items() if v})
    query = request.GET.copy()
    query.pop("since", None)
    query.pop("until", None)
    base = query.urlencode()
    # Counted by day in one pass, then summed into weeks (from Monday) and months here.
    by_week: dict[date, int] = {}
    by_month: dict[date, int] = {}
    for day, count in _per_day(events):
        week = day - timedelta(days=day.weekday())
        by_week[week] = by_week.get(week, 0) + count
        month = day.replace(day=1)
        by_month[month] = by_month.get(month, 0) + count
    weeks = sorted(by_week.items())
    months = sorted(by_month.items())
    counts = facets(
        events,
        compartments=access.compartment_ids(request.user, "register.view"),
        narrowed=any(params.values()),
    )
    timeline = []
    for start, count in weeks:
        end = start + timedelta(days=6)
        link = f"?{base}&since={start:%Y-%m-%d}&until={end:%Y-%m-%d}"
        timeline.append((date_format(start, "j M Y"), count, link))
    return render(
        request,
        "register/overview.html",
        {
            "filters": params,
            "query": request.GET.urlencode(),
            "total": counts["total"],
            "timeline": _bars(timeline, width=600),
            "months": _bars(
                [(date_format(month, "F Y"), count, "") for month, count in months], 280
            ),
            "types": _bars(
                [(f["label"], f["count"], f"?{base}&act={f['id']}") for f in counts["act"]], 280
            ),
            "regions": _bars(
                [(f["label"], f["count"], f"?{base}&region={f['id']}") for f in counts["region"]],
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
                {"id": p.pk, "name": p.shown, "lat": p.latitude, "lon": p.longitude,
                 "precision": p.precision, "count": counts[p.pk]}
                for p in places
            ]
        }
    )  # fmt: skip
