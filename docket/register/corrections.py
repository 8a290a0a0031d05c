"""Records you can correct: an event's acts, their perpetrators, its evidence links and
sources' accounts, a unit's members and the units it was under, each changed or deleted through
one form, every change a history entry with the row before and after. A deletion is a history
entry too and is undone whole from the event's (or unit's) page: an act comes back with its
perpetrators and evidence links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext

from docket.accounts.guards import of_object, staff_user
from docket.accounts.models import User
from docket.register import history
from docket.register.forms import (
    ActFieldsForm,
    EvidenceSpanForm,
    InformationForm,
    MembershipForm,
    Naming,
    OneInvolvementForm,
    ParentLinkForm,
)
from docket.register.models import (
    Act,
    Change,
    EvidenceLink,
    Information,
    Involvement,
    Membership,
    ParentLink,
    Precision,
)
from docket.register.records import add_badge, person_named, serving, unit_named


def _name(obj: Any) -> str:
    return str(obj) if obj is not None else ""


# What each kind of record needs: its form, the form's values from the row, how the form's
# values change the row (returning its many-to-many values), and the page to go back to.


def _act_initial(act: Act) -> dict[str, Any]:
    return {
        "victim": _name(act.victim), "act_type": act.act_type, "methods": act.methods.all(),
        "injuries": act.injuries.all(), "start": act.start, "detained_at": act.detained_at,
        "notes": act.notes,
    }  # fmt: skip


def _act_apply(act: Act, data: dict[str, Any], user: User) -> dict[str, Any]:
    act.victim = person_named(data["victim"], act.compartment_id, user)
    act.act_type, act.start = data["act_type"], data["start"]
    act.detained_at, act.notes = data["detained_at"], data["notes"]
    return {"methods": data["methods"], "injuries": data["injuries"]}


def _involvement_initial(involvement: Involvement) -> dict[str, Any]:
    return {
        "perpetrator": _name(involvement.person), "unit": _name(involvement.unit),
        "degree": involvement.degree, "confidence": involvement.confidence,
        "notes": involvement.notes,
    }  # fmt: skip


def _involvement_apply(
    involvement: Involvement, data: dict[str, Any], user: User
) -> dict[str, Any]:
    involvement.person = person_named(data["perpetrator"], involvement.compartment_id, user)
    add_badge(involvement.person, data["badge_number"])
    involvement.unit = unit_named(data["unit"], involvement.compartment_id, user)
    act = involvement.act
    serving(involvement.person, involvement.unit, data["badge_number"],
            act.start or act.event.start, user)  # fmt: skip
    involvement.degree, involvement.confidence = data["degree"], data["confidence"]
    involvement.notes = data["notes"]
    return {}


def _evidence_initial(link: EvidenceLink) -> dict[str, Any]:
    from docket.register.models import clock

    return {
        "act": link.act,
        "start": clock(link.start_seconds) if link.start_seconds is not None else "",
        "end": clock(link.end_seconds) if link.end_seconds is not None else "",
        "page": link.page, "annotation": link.annotation,
    }  # fmt: skip


def _evidence_apply(link: EvidenceLink, data: dict[str, Any], user: User) -> dict[str, Any]:
    link.act, link.start_seconds, link.end_seconds = data.get("act"), data["start"], data["end"]
    link.page, link.annotation = data["page"], data["annotation"]
    return {}


def _information_initial(info: Information) -> dict[str, Any]:
    return {
        "source": _name(info.source), "connection": info.connection,
        "reliability": info.reliability, "credibility": info.credibility,
        "received_on": info.received_on, "summary": info.summary,
    }  # fmt: skip


def _information_apply(info: Information, data: dict[str, Any], user: User) -> dict[str, Any]:
    info.source = person_named(data["source"], info.compartment_id, user)
    info.connection, info.reliability = data["connection"], data["reliability"]
    info.credibility, info.received_on = data["credibility"], data["received_on"]
    info.summary = data["summary"]
    return {}


def _membership_initial(membership: Membership) -> dict[str, Any]:
    return {
        "person": _name(membership.person), "start": membership.start, "end": membership.end,
        "rank": membership.rank, "position": membership.position,
        "badge_number": membership.badge_number, "commands": membership.commands,
        "reliability": membership.reliability, "credibility": membership.credibility,
    }  # fmt: skip


def _membership_apply(membership: Membership, data: dict[str, Any], user: User) -> dict[str, Any]:
    person = person_named(data["person"], membership.compartment_id, user)
    assert person is not None  # the field is required
    add_badge(person, data["badge_number"])
    membership.person, membership.rank = person, data["rank"]
    membership.start, membership.end = data["start"], data["end"]
    membership.position, membership.badge_number = data["position"], data["badge_number"]
    membership.start_precision = Precision.DAY if data["start"] else Precision.UNKNOWN
    membership.end_precision = Precision.DAY if data["end"] else Precision.UNKNOWN
    membership.commands = data["commands"]
    membership.reliability, membership.credibility = data["reliability"], data["credibility"]
    return {}


def _parent_link_initial(link: ParentLink) -> dict[str, Any]:
    return {
        "parent": link.parent, "start": link.start, "start_precision": link.start_precision,
        "end": link.end, "end_precision": link.end_precision, "notes": link.notes,
    }  # fmt: skip


def _parent_link_apply(link: ParentLink, data: dict[str, Any], user: User) -> dict[str, Any]:
    link.parent, link.notes = data["parent"], data["notes"]
    link.start, link.start_precision = data["start"], data["start_precision"]
    link.end, link.end_precision = data["end"], data["end_precision"]
    return {}


def _event_page(obj: Any) -> str:
    if isinstance(obj, EvidenceLink) and obj.event_id is None:
        # evidence of a posting or a parent link, or of a person: where it is listed
        if obj.membership is not None:
            return reverse("register:unit", args=[obj.membership.unit_id])
        if obj.parent_link is not None:
            return reverse("register:unit", args=[obj.parent_link.unit_id])
        if obj.person_id is not None:
            return reverse("register:person", args=[obj.person_id])
    event = obj.act.event if isinstance(obj, Involvement) else obj.event
    return reverse("register:event", args=[event.pk])


@dataclass(frozen=True)
class Kind:
    """One kind of record that can be corrected from a page of the register."""

    name: str
    plural: str
    model: type[Model]
    form: Callable[..., forms.Form]
    initial: Callable[[Any], dict[str, Any]]
    apply: Callable[[Any, dict[str, Any], User], dict[str, Any]]
    back: Callable[[Any], str]
    #: Rows that go with it when it is deleted (and come back with it).
    children: Callable[[Any], list[Model]] = lambda obj: []


def _form(form_class: type[forms.Form], *, with_event: bool = False) -> Callable[..., forms.Form]:
    def make(obj: Any, data: Any, initial: dict[str, Any]) -> forms.Form:
        if with_event:
            return form_class(data, initial=initial, event=obj.event)  # type: ignore[call-arg]
        if form_class is ParentLinkForm:
            return ParentLinkForm(data, initial=initial, unit=obj.unit)
        if issubclass(form_class, Naming | MembershipForm):
            return form_class(data, initial=initial, compartment_id=obj.compartment_id)
        return form_class(data, initial=initial)

    return make


def _event_of(obj: Any) -> int | None:
    """The event whose compartment a correction page's name pickers search."""
    if isinstance(obj, Involvement):
        return obj.act.event_id
    return getattr(obj, "event_id", None)


KINDS = [
    Kind("act", "acts", Act, _form(ActFieldsForm), _act_initial, _act_apply, _event_page,
         children=lambda act: [*act.involvements.all(), *act.evidence.all()]),
    Kind("involvement", "involvements", Involvement, _form(OneInvolvementForm),
         _involvement_initial, _involvement_apply, _event_page),
    Kind("evidence", "evidence", EvidenceLink, _form(EvidenceSpanForm, with_event=True),
         _evidence_initial, _evidence_apply, _event_page),
    Kind("account", "accounts", Information, _form(InformationForm), _information_initial,
         _information_apply, _event_page),
    Kind("membership", "memberships", Membership, _form(MembershipForm), _membership_initial,
         _membership_apply, lambda m: reverse("register:unit", args=[m.unit_id]),
         children=lambda m: [*m.evidence.all()]),
    Kind("parent_link", "parentlinks", ParentLink, _form(ParentLinkForm), _parent_link_initial,
         _parent_link_apply, lambda link: reverse("register:unit", args=[link.unit_id]),
         children=lambda link: [*link.evidence.all()]),
]  # fmt: skip


def _edit_view(kind: Kind) -> Callable[..., HttpResponseBase]:
    @of_object("register.edit", kind.model, methods=("GET", "POST"))
    def edit(request: HttpRequest, obj: Any) -> HttpResponseBase:
        user = staff_user(request)
        form = kind.form(obj, request.POST or None, kind.initial(obj))
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                m2m = kind.apply(obj, form.cleaned_data, user)
                history.save(obj, actor=user, m2m=m2m)
            messages.success(request, gettext("Saved. The change is in the history."))
            return redirect(kind.back(obj))
        heading = gettext("Correct: %(record)s") % {"record": obj}
        context = {"form": form, "heading": heading, "back": kind.back(obj), "obj": obj,
                   "delete": reverse(f"register:{kind.name}_delete", args=[obj.pk]),
                   "names": _event_of(obj)}  # fmt: skip
        return render(request, "register/correct.html", context)

    edit.__name__ = edit.__qualname__ = f"{kind.name}_edit"
    return edit


def _delete_view(kind: Kind) -> Callable[..., HttpResponseBase]:
    @of_object("register.edit", kind.model, methods=("POST",))
    def delete(request: HttpRequest, obj: Any) -> HttpResponseBase:
        user = staff_user(request)
        back = kind.back(obj)
        with transaction.atomic():
            for child in kind.children(obj):
                history.delete(child, actor=user)
            history.delete(obj, actor=user)
        messages.success(
            request,
            gettext("Deleted: %(record)s. Its page lists it under Deleted, to restore.")
            % {"record": obj},
        )
        return redirect(back)

    delete.__name__ = delete.__qualname__ = f"{kind.name}_delete"
    return delete


@of_object("register.edit", Change, methods=("POST",))
def restore(request: HttpRequest, change: Change) -> HttpResponseBase:
    if change.action != "delete":
        messages.error(request, gettext("Only a deletion can be undone."))
    elif not history.restorable(change):
        messages.error(request, gettext("Only a deletion of the register can be undone here."))
    else:
        restored = history.restore(change, actor=staff_user(request))
        messages.success(
            request,
            gettext("Restored: %(records)s.") % {"records": "; ".join(map(str, restored))}
            if restored
            else gettext("It had been restored already."),
        )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/register/") else "register:events")


@of_object("register.edit", Act, methods=("GET", "POST"))
def involvement_new(request: HttpRequest, act: Act) -> HttpResponseBase:
    """Another perpetrator (a person, a unit or both) of an act."""
    user = staff_user(request)
    form = OneInvolvementForm(request.POST or None, compartment_id=act.compartment_id)
    if request.method == "POST" and form.is_valid():
        involvement = Involvement(act=act, compartment_id=act.compartment_id)
        with transaction.atomic():
            _involvement_apply(involvement, form.cleaned_data, user)
            history.save(involvement, actor=user)
        messages.success(request, gettext("Perpetrator added."))
        return redirect("register:event", pk=act.event_id)
    heading = gettext("Another perpetrator of: %(act)s") % {"act": act}
    back = reverse("register:event", args=[act.event_id])
    context = {"form": form, "heading": heading, "back": back, "names": act.event_id}
    return render(request, "register/correct.html", context)


urlpatterns = [
    path("acts/<int:pk>/perpetrators/new", involvement_new, name="involvement_new"),
    path("changes/<int:pk>/restore", restore, name="restore"),
    *(
        pattern
        for kind in KINDS
        for pattern in (
            path(f"{kind.plural}/<int:pk>/edit", _edit_view(kind), name=f"{kind.name}_edit"),
            path(f"{kind.plural}/<int:pk>/delete", _delete_view(kind), name=f"{kind.name}_delete"),
        )
    ),
]
