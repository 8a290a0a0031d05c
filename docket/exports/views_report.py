"""Asking for a public report, from the statistics page: a fresh second factor, then the
request waits for a second admin (docket/exports/build.py); the packer is
docket/exports/public_report.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from docket.accounts.guards import listing, staff_user
from docket.accounts.second_factor import recent_second_factor
from docket.cases.report import ReportForm
from docket.exports import build
from docket.exports.models import Export


@listing("export.request", methods=("POST",))
@recent_second_factor
def ask_report(request: HttpRequest) -> HttpResponseBase:
    user = staff_user(request)
    form = ReportForm(request.POST, user=user)
    if not form.is_valid():
        return render(request, "cases/report_form.html", {"form": form})
    export = build.ask(
        user,
        form.cleaned_data["compartment"],
        kind=Export.Kind.REPORT,
        recipient=form.cleaned_data["recipient"],
        recipient_label=form.cleaned_data["recipient_label"],
        reason=form.cleaned_data["reason"],
        parameters=form.parameters(),
    )
    messages.success(
        request, gettext("Asked. Another admin of the compartment must approve before it is built.")
    )
    return redirect("exports:export", pk=export.pk)
