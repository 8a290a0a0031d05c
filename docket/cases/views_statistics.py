"""The statistics page: counts of the events the event list's filters leave, as tables and
charts, with downloads (CSV, XLSX, SVG) and a form to ask for a public report.

The page shows exact counts, to users who may see the compartment's cases; everything that
can leave the page (the downloads, the charts, the report) shows small counts as "<5"."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, staff_user
from docket.accounts.models import Compartment
from docket.cases import charts, statistics
from docket.lib import ids
from docket.lib.cells import needs_quote, neutralise
from docket.register.filters import choices as filter_choices
from docket.register.filters import filtered_events

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chosen(request: HttpRequest) -> tuple[Any, dict[str, str], list[str]]:
    """The events the list's filters leave in the compartments whose cases the user may see,
    the filters, and those compartments' names."""
    events, params = filtered_events(request)
    allowed = access.compartment_ids(request.user, "case.view")
    params["compartment"] = request.GET.get("compartment", "").strip()
    wanted = ids.pk(params["compartment"])
    if wanted is not None and wanted in allowed:
        allowed = {wanted}
    else:
        params["compartment"] = ""
    events = events.filter(compartment_id__in=allowed)
    names = list(
        Compartment.objects.filter(pk__in=allowed).order_by("name").values_list("name", flat=True)
    )
    return events, params, names


def compute(request: HttpRequest) -> tuple[statistics.Statistics, dict[str, str], list[str]]:
    events, params, names = chosen(request)
    return statistics.compute(events), params, names


@listing("case.view")
def statistics_page(request: HttpRequest) -> HttpResponse:
    from docket.cases.report import FILTERS, ReportForm

    stats, params, names = compute(request)
    audit.record(request, "statistics.view", details={k: v for k, v in params.items() if v})
    user = staff_user(request)
    query = request.GET.copy()
    query.pop("compartment", None)
    form = ReportForm(
        user=user,
        initial={
            "tables": [*statistics.TABLES, statistics.CROSS],
            "compartment": params["compartment"] or None,
            **{k: params.get(k, "") for k in FILTERS},
        },
    )
    return render(
        request,
        "cases/statistics.html",
        {
            "stats": stats,
            "charts": {t.key: charts.bar_chart(t) for t in stats.tables},
            "filters": params,
            "query": query.urlencode(),
            "full_query": request.GET.urlencode(),
            "methodology": statistics.methodology(stats, params, names, published=False),
            "filter_choices": filter_choices(),
            "compartments": Compartment.objects.filter(
                pk__in=access.compartment_ids(user, "case.view")
            ).order_by("name"),
            "form": form if form.fields["compartment"].queryset.exists() else None,  # type: ignore[attr-defined]
        },
    )


def published_tables(stats: statistics.Statistics) -> list[tuple[str, list[list[str]]]]:
    """Every table as it may leave Docket: title, then rows of text."""
    found = [(t.title, t.published()) for t in stats.tables]
    found.append((stats.cross.title, stats.cross.published()))
    return found


@listing("case.view")
def statistics_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every table, small counts withheld, and the methodology: CSV or XLSX; or one table's
    chart as SVG (?table=act_type&measure=victims)."""
    if fmt == "svg":
        return _chart(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    stats, params, names = compute(request)
    audit.record(
        request, "statistics.download",
        details={"format": fmt, **{k: v for k, v in params.items() if v}},
    )  # fmt: skip
    notes = statistics.methodology(stats, params, names)
    name = f"docket-statistics-{timezone_now():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheets read UTF-8 correctly only with the byte-order mark
        writer = csv.writer(out)
        # Labels are terms anyone may add on the vocabularies page: none may run as a formula.
        for title, rows in published_tables(stats):
            writer.writerow([neutralise(title)])
            writer.writerows([neutralise(cell) for cell in row] for row in rows)
            writer.writerow([])
        writer.writerow([neutralise(gettext("Methodology"))])
        writer.writerows([neutralise(paragraph)] for paragraph in notes)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_xlsx(published_tables(stats), notes), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(tables: list[tuple[str, list[list[str]]]], notes: list[str]) -> bytes:
    """One sheet per table, numbers as numbers, "<5", "x" and every label as text (never a
    formula: docket/lib/cells.py); a methodology sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell

    book = Workbook()  # in memory: write-only mode would spill the sheets to temporary files
    first = book.active
    assert first is not None
    book.remove(first)

    def text(sheet: Any, value: str) -> Cell:
        cell = Cell(sheet, value=value)
        cell.data_type = "s"  # openpyxl makes a formula of any string that starts with "="
        if needs_quote(value):
            cell.quotePrefix = True
        return cell

    for n, (title, rows) in enumerate(tables, start=1):
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", f"{n} {title}")[:31])
        sheet.append([text(sheet, title)])
        for row in rows:
            sheet.append([int(c) if c.isdigit() else text(sheet, c) for c in row])
    sheet = book.create_sheet(gettext("Methodology")[:31])
    for paragraph in notes:
        sheet.append([text(sheet, paragraph)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chart(request: HttpRequest) -> HttpResponse:
    stats, params, _names = compute(request)
    table = stats.table(request.GET.get("table", "act_type"))
    measure = request.GET.get("measure", "")
    if table is None or measure not in ("", *(key for key, _ in statistics.MEASURES)):
        raise Http404("No such chart.")
    audit.record(
        request, "statistics.download",
        details={"format": "svg", "table": table.key, **{k: v for k, v in params.items() if v}},
    )  # fmt: skip
    response = HttpResponse(charts.bar_chart(table, measure), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="docket-{table.key}.svg"'
    return response


def events_of(compartment: Compartment, filters: dict[str, str], user: Any) -> Any:
    """The events a report's stored filters leave in one compartment, as the asker would
    see them in the event list (used by the report's packer, which has no request)."""
    from django.http import QueryDict

    request = HttpRequest()
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in filters.items() if k != "compartment" and v})
    request.GET = query
    request.user = user
    events, _params = filtered_events(request)
    return events.filter(compartment=compartment)
