"""Items in the register: on an item's page, its title, description and tags (with their
history) and the events it is evidence of; the form that changes them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext

from docket.accounts import access
from docket.accounts.guards import listing, of_object, staff_user
from docket.lib import ids
from docket.register import history, search
from docket.register.forms import ItemRecordForm
from docket.register.models import Event, EvidenceLink, ItemRecord, tag_list
from docket.vault.describe import bulk_form, describe, describe_one
from docket.vault.models import Item
from docket.vault.sections import item_section


@item_section("register/_item_record.html", order=5)
def item_record(item: Item, user: Any) -> dict[str, Any]:
    record = ItemRecord.objects.filter(item=item).first()
    # A thumbnail or copy Docket made is described by its original, not on its own.
    can_edit = (
        access.can(user, "register.edit", item) and describe_one(item.pk).derived_from is None
    )
    links = EvidenceLink.objects.filter(item=item).select_related(
        "event", "act__act_type", "person", "membership__person", "membership__unit",
        "parent_link__unit", "parent_link__parent",
    )  # fmt: skip
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


#: The newest events offered in the item list's "link to an event" box.
BULK_EVENTS = 300


@bulk_form
def _items_bulk_form(user: Any) -> tuple[str, dict[str, Any]] | None:
    if not access.compartment_ids(user, "register.edit"):
        return None
    events = access.visible(Event.objects.all(), user, "register.edit").order_by("-start", "-id")
    return "register/_items_bulk.html", {"bulk_events": events[:BULK_EVENTS]}


@listing("register.edit", methods=("POST",))
def items_bulk(request: HttpRequest) -> HttpResponseBase:
    """Tag the items chosen in the item list, or link them to an event as its evidence: one
    history entry per item changed. Items the user may not edit, files Docket derived (they
    are described by their originals) and items of another compartment than the event's are
    left as they are, and the message says how many."""
    user = staff_user(request)
    wanted = [n for pk in request.POST.getlist("item") if (n := ids.pk(pk)) is not None]
    items = list(
        access.visible(Item.objects.filter(pk__in=wanted), user, "register.edit").order_by("pk")
    )
    facts = describe(item.pk for item in items)
    originals = [item for item in items if facts[item.pk].derived_from is None]
    left = len(wanted) - len(originals)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("vault:items")
    do = request.POST.get("do")
    if not originals:
        messages.error(request, gettext("Choose at least one item you may describe."))
    elif do == "tag":
        left += _tag(request, originals)
    elif do == "link":
        left += _link(request, originals)
    else:
        messages.error(request, gettext("Choose what to do with the items."))
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s chosen item was left as it was.",
                "%(count)s chosen items were left as they were.",
                left,
            )
            % {"count": left},
        )
    return redirect(target)


def _tag(request: HttpRequest, items: list[Item]) -> int:
    tags = tag_list(request.POST.get("tags", ""))
    if not tags:
        messages.error(request, gettext("Type the tags to add, separated by commas."))
        return 0
    changed = 0
    with transaction.atomic():
        for item in items:
            record = ItemRecord.objects.filter(item=item).first() or ItemRecord(item=item)
            joined = ", ".join(tag_list(", ".join([record.tags, *tags])))
            if joined == record.tags:
                continue
            record.tags = joined
            history.save(record, actor=staff_user(request))
            search.index(item)
            changed += 1
    messages.success(
        request,
        ngettext("%(count)s item tagged.", "%(count)s items tagged.", changed) % {"count": changed},
    )
    return 0


def _link(request: HttpRequest, items: list[Item]) -> int:
    wanted = request.POST.get("event", "")
    event = (
        access.visible(Event.objects.all(), request.user, "register.edit")
        .filter(pk=ids.pk(wanted) or 0)
        .first()
    )
    if event is None:
        messages.error(request, gettext("Choose the event the items are evidence of."))
        return 0
    linked = skipped = 0
    with transaction.atomic():
        for item in items:
            if item.compartment_id != event.compartment_id:
                skipped += 1
                continue
            if EvidenceLink.objects.filter(item=item, event=event, act=None).exists():
                continue
            history.save(
                EvidenceLink(compartment=event.compartment, item=item, event=event),
                actor=staff_user(request),
            )
            linked += 1
    if linked:
        messages.success(
            request,
            ngettext(
                "%(count)s item linked to %(event)s.",
                "%(count)s items linked to %(event)s.",
                linked,
            )
            % {"count": linked, "event": event.title},
        )
    elif not skipped:
        messages.info(
            request,
            gettext("Those items were evidence of %(event)s already.") % {"event": event.title},
        )
    return skipped
