"""Items in the register: on an item's page, its title, description and tags (with their
history) and the events it is evidence of; the form that changes them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext

from docket.accounts import access
from docket.accounts.guards import of_object, staff_user
from docket.register import history, search
from docket.register.forms import ItemRecordForm
from docket.register.models import EvidenceLink, ItemRecord
from docket.vault.describe import describe_one
from docket.vault.models import Item
from docket.vault.sections import item_section


@item_section("register/_item_record.html", order=5)
def item_record(item: Item, user: Any) -> dict[str, Any]:
    record = ItemRecord.objects.filter(item=item).first()
    # A thumbnail or copy Docket made is described by its original, not on its own.
    can_edit = (
        access.can(user, "register.edit", item) and describe_one(item.pk).derived_from is None
    )
    links = EvidenceLink.objects.filter(item=item).select_related("event", "act__act_type")
    return {
        "record": record,
        "record_changes": history.of(record) if record else [],
        "record_form": ItemRecordForm(instance=record) if can_edit else None,
        "evidence_of": links.order_by("event__start", "id"),
    }


@of_object("register.edit", Item, methods=("POST",))
def item_record_edit(request: HttpRequest, item: Item) -> HttpResponseBase:
    record = ItemRecord.objects.filter(item=item).first() or ItemRecord(item=item)
    form = ItemRecordForm(request.POST, instance=record)
    if form.is_valid():
        history.save(form.save(commit=False), actor=staff_user(request))
        search.index(item)
        messages.success(request, gettext("The item's description is saved."))
    else:
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        messages.error(request, gettext("Not saved: %(errors)s") % {"errors": errors})
    return redirect("vault:item", pk=item.pk)
