"""The register through the API (scope register:read): events with their acts and
perpetrators, persons, units, memberships, sources' accounts, evidence links, and the
vocabularies and gazetteer they refer to. Same permission as the pages (register.view)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import F, Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from docket.api.base import (
    Cursor,
    Next,
    Pk,
    TokenAuth,
    an_id,
    answers,
    declare,
    narrowed,
    one,
    page,
    reference,
)
from docket.register import filters
from docket.register.models import (
    Act,
    Event,
    EvidenceLink,
    Information,
    Involvement,
    Membership,
    ParentLink,
    Person,
    Place,
    Term,
    Unit,
)

router = Router(auth=TokenAuth("register:read"), tags=["register"])
VIEW = "register.view"

# --- what the answers look like ------------------------------------------------------------


class TermRef(Schema):
    id: int
    code: str
    label: str = Field(description="English label; /terms/ has all three languages")


class Ref(Schema):
    id: int
    label: str


class Record(Schema):
    id: int
    compartment: str
    confidentiality: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class InvolvementOut(Schema):
    id: int
    person: Ref | None
    unit: Ref | None
    degree: TermRef
    confidence: str
    notes: str


class ActOut(Record):
    event: int
    victim: Ref | None
    act_type: TermRef
    methods: list[TermRef]
    injuries: list[TermRef]
    qualifications: list[TermRef]
    charges: list[TermRef]
    start: datetime | None
    start_precision: str
    end: datetime | None
    place: Ref | None
    detained_at: Ref | None
    detained_from: datetime | None
    detained_until: datetime | None
    attribution: TermRef | None
    notes: str
    perpetrators: list[InvolvementOut]


class EventSummary(Record):
    title: str
    start: datetime | None
    start_precision: str
    end: datetime | None
    end_precision: str
    place: Ref | None
    place_detail: str
    violation_status: TermRef | None


class EventOut(EventSummary):
    description: str
    categories: list[TermRef]
    acts: list[ActOut]


class NameOut(Schema):
    name: str
    script: str
    language: str


class IdentifierOut(Schema):
    kind: str
    value: str


class MembershipOut(Record):
    person: Ref
    unit: Ref
    start: date | None
    start_precision: str
    end: date | None
    end_precision: str
    rank: str
    position: str
    badge_number: str
    commands: bool
    grading: str | None


class PersonSummary(Record):
    display_name: str
    gender: str


class PersonOut(PersonSummary):
    birth_date: date | None
    birth_precision: str
    groups: list[TermRef]
    notes: str
    names: list[NameOut]
    identifiers: list[IdentifierOut]
    memberships: list[MembershipOut]


class ParentOut(Schema):
    """A unit above this one, from and to ("from" and "to" are Python words, hence the aliases)."""

    model_config = ConfigDict(populate_by_name=True)

    unit: Ref
    start: date | None = Field(alias="from")
    end: date | None = Field(alias="to")


class UnitOut(Record):
    name: str
    other_names: list[str]
    unit_type: TermRef | None
    parents: list[ParentOut]
    place: Ref | None
    notes: str


class InformationOut(Record):
    event: int
    source: Ref | None
    connection: TermRef | None
    reliability: TermRef | None
    credibility: TermRef | None
    received_on: date | None
    summary: str


class EvidenceOut(Record):
    item: int
    event: int | None
    act: int | None
    person: int | None
    membership: int | None
    parent_link: int | None
    start_seconds: float | None
    end_seconds: float | None
    page: int | None
    annotation: str


class TermOut(Schema):
    id: int
    vocabulary: str
    code: str
    parent: int | None
    label_en: str
    label_be: str
    label_ru: str
    builtin: bool
    retired: bool


class PlaceOut(Schema):
    id: int
    code: str | None
    kind: str
    parent: int | None
    name_en: str
    name_be: str
    name_ru: str
    latitude: float | None
    longitude: float | None
    precision: str


class Events(Next):
    events: list[EventSummary]


class Acts(Next):
    acts: list[ActOut]


class Persons(Next):
    persons: list[PersonSummary]


class Units(Next):
    units: list[UnitOut]


class Memberships(Next):
    memberships: list[MembershipOut]


class Accounts(Next):
    accounts: list[InformationOut]


class Evidence(Next):
    evidence: list[EvidenceOut]


class Terms(Schema):
    terms: list[TermOut]


class Places(Schema):
    places: list[PlaceOut]


# --- from rows to answers ------------------------------------------------------------------


def _term_of(term: Term) -> TermRef:
    return TermRef(id=term.pk, code=term.code, label=term.label_en)


def _term(term: Term | None) -> TermRef | None:
    return None if term is None else _term_of(term)


def _terms(terms: Iterable[Term]) -> list[TermRef]:
    return [_term_of(t) for t in terms]


def _ref(obj: Person | Unit | Place | None) -> Ref | None:
    return None if obj is None else _ref_of(obj)


def _ref_of(obj: Person | Unit | Place) -> Ref:
    if isinstance(obj, Person):
        return Ref(id=obj.pk, label=obj.display_name)
    return Ref(id=obj.pk, label=obj.name if isinstance(obj, Unit) else obj.name_en)


def _record(obj: Event | Act | Person | Unit | Membership | Information | EvidenceLink) -> dict:
    return {
        "id": obj.pk,
        "compartment": obj.compartment.name,
        "confidentiality": obj.confidentiality,
        "created_by": obj.created_by.get_username() if obj.created_by else None,
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
    }


RECORD = ("compartment", "created_by")


def _event_summary(event: Event) -> dict:
    return {
        **_record(event),
        "title": event.title,
        "start": event.start,
        "start_precision": event.start_precision,
        "end": event.end,
        "end_precision": event.end_precision,
        "place": _ref(event.place),
        "place_detail": event.place_detail,
        "violation_status": _term(event.violation_status),
    }


def _involvement(inv: Involvement) -> InvolvementOut:
    return InvolvementOut(
        id=inv.pk,
        person=_ref(inv.person),
        unit=_ref(inv.unit),
        degree=_term_of(inv.degree),
        confidence=inv.confidence,
        notes=inv.notes,
    )


ACTS = Act.objects.select_related(
    *RECORD, "victim", "act_type", "place", "detained_at", "attribution"
).prefetch_related(
    "methods", "injuries", "qualifications", "charges",
    Prefetch(
        "involvements",
        Involvement.objects.select_related("person", "unit", "degree").order_by("pk"),
    ),
)  # fmt: skip


def _act(act: Act) -> ActOut:
    return ActOut(
        **_record(act),
        event=act.event_id,
        victim=_ref(act.victim),
        act_type=_term_of(act.act_type),
        methods=_terms(act.methods.all()),
        injuries=_terms(act.injuries.all()),
        qualifications=_terms(act.qualifications.all()),
        charges=_terms(act.charges.all()),
        start=act.start,
        start_precision=act.start_precision,
        end=act.end,
        place=_ref(act.place),
        detained_at=_ref(act.detained_at),
        detained_from=act.detained_from,
        detained_until=act.detained_until,
        attribution=_term(act.attribution),
        notes=act.notes,
        perpetrators=[_involvement(i) for i in act.involvements.all()],
    )


MEMBERSHIPS = Membership.objects.select_related(
    *RECORD, "person", "unit", "reliability", "credibility"
)


def _membership(m: Membership) -> MembershipOut:
    return MembershipOut(
        **_record(m),
        person=_ref_of(m.person),
        unit=_ref_of(m.unit),
        start=m.start,
        start_precision=m.start_precision,
        end=m.end,
        end_precision=m.end_precision,
        rank=m.rank,
        position=m.position,
        badge_number=m.badge_number,
        commands=m.commands,
        grading=m.grading,
    )


UNITS = Unit.objects.select_related(*RECORD, "unit_type", "place").prefetch_related(
    Prefetch(
        "parent_links",
        # the undated first, on any database
        ParentLink.objects.select_related("parent").order_by(
            F("start").asc(nulls_first=True), "pk"
        ),
    )
)


def _unit(unit: Unit) -> UnitOut:
    return UnitOut(
        **_record(unit),
        name=unit.name,
        other_names=[n.strip() for n in unit.other_names.splitlines() if n.strip()],
        unit_type=_term(unit.unit_type),
        parents=[
            ParentOut(unit=_ref_of(link.parent), **{"from": link.start, "to": link.end})
            for link in unit.parent_links.all()
        ],
        place=_ref(unit.place),
        notes=unit.notes,
    )


ACCOUNTS = Information.objects.select_related(
    *RECORD, "source", "connection", "reliability", "credibility"
)


def _account(info: Information) -> InformationOut:
    return InformationOut(
        **_record(info),
        event=info.event_id,
        source=_ref(info.source),
        connection=_term(info.connection),
        reliability=_term(info.reliability),
        credibility=_term(info.credibility),
        received_on=info.received_on,
        summary=info.summary,
    )


EVIDENCE = EvidenceLink.objects.select_related(*RECORD)


def _evidence(link: EvidenceLink) -> EvidenceOut:
    return EvidenceOut(
        **_record(link),
        item=link.item_id,
        event=link.event_id,
        act=link.act_id,
        person=link.person_id,
        membership=link.membership_id,
        parent_link=link.parent_link_id,
        start_seconds=link.start_seconds,
        end_seconds=link.end_seconds,
        page=link.page,
        annotation=link.annotation,
    )


# --- events --------------------------------------------------------------------------------


class EventFilters(Cursor):
    q: str = Field("", max_length=200, description="words, in any script or transliteration")
    region: int | None = an_id("a place id: events there or below it")
    act: int | None = an_id("a type of act (term id), or one below it")
    status: int | None = an_id("a violation status (term id)")
    since: date | None = None
    until: date | None = None


@router.get("/register/events/", response=answers(Events), url_name="events")
@declare(VIEW)
def events(request: HttpRequest, filtered: Query[EventFilters]) -> Events:
    """Events the filters leave, as on the event list page (the same filters)."""
    chosen, params = filters.filtered_events(request)
    rows, after = page(
        request,
        chosen.select_related(*RECORD, "place", "violation_status"),
        VIEW,
        before=filtered.before,
        action="event.list",
        details={k: v for k, v in params.items() if v},
    )
    return Events(events=[EventSummary(**_event_summary(e)) for e in rows], next_before=after)


@router.get("/register/events/{int:pk}/", response=answers(EventOut), url_name="event")
@declare(VIEW, Event)
def event(request: HttpRequest, pk: Pk) -> EventOut:
    """An event with everything done in it: each act, its victim and its perpetrators."""
    found = one(
        request,
        Event.objects.select_related(*RECORD, "place", "violation_status").prefetch_related(
            "categories"
        ),
        pk,
        "event.view",
    )
    return EventOut(
        **_event_summary(found),
        description=found.description,
        categories=_terms(found.categories.all()),
        acts=[_act(a) for a in ACTS.filter(event=found).order_by("pk")],
    )


# --- acts, accounts, evidence --------------------------------------------------------------


class ByEvent(Cursor):
    event: int | None = an_id("only those of this event")


@router.get("/register/acts/", response=answers(Acts), url_name="acts")
@declare(VIEW)
def acts(request: HttpRequest, filtered: Query[ByEvent]) -> Acts:
    chosen = narrowed(ACTS, event_id=filtered.event)
    rows, after = page(request, chosen, VIEW, before=filtered.before, action="act.list")
    return Acts(acts=[_act(a) for a in rows], next_before=after)


@router.get("/register/acts/{int:pk}/", response=answers(ActOut), url_name="act")
@declare(VIEW, Act)
def act(request: HttpRequest, pk: Pk) -> ActOut:
    return _act(one(request, ACTS, pk, "act.view"))


@router.get("/register/accounts/", response=answers(Accounts), url_name="accounts")
@declare(VIEW)
def accounts(request: HttpRequest, filtered: Query[ByEvent]) -> Accounts:
    """Sources' accounts of events, graded on the Admiralty scale."""
    chosen = narrowed(ACCOUNTS, event_id=filtered.event)
    rows, after = page(request, chosen, VIEW, before=filtered.before, action="account.list")
    return Accounts(accounts=[_account(i) for i in rows], next_before=after)


@router.get("/register/accounts/{int:pk}/", response=answers(InformationOut), url_name="account")
@declare(VIEW, Information)
def account(request: HttpRequest, pk: Pk) -> InformationOut:
    return _account(one(request, ACCOUNTS, pk, "account.view"))


class ByRecord(ByEvent):
    person: int | None = an_id("only those about this person")


@router.get("/register/evidence/", response=answers(Evidence), url_name="evidence_links")
@declare(VIEW)
def evidence_links(request: HttpRequest, filtered: Query[ByRecord]) -> Evidence:
    """Vault items as evidence of events, acts and persons, with their spans."""
    chosen = narrowed(EVIDENCE, event_id=filtered.event, person_id=filtered.person)
    rows, after = page(request, chosen, VIEW, before=filtered.before, action="evidence.list")
    return Evidence(evidence=[_evidence(e) for e in rows], next_before=after)


@router.get("/register/evidence/{int:pk}/", response=answers(EvidenceOut), url_name="evidence_link")
@declare(VIEW, EvidenceLink)
def evidence_link(request: HttpRequest, pk: Pk) -> EvidenceOut:
    return _evidence(one(request, EVIDENCE, pk, "evidence.view"))


# --- persons, units, memberships -----------------------------------------------------------

PERSONS = Person.objects.select_related(*RECORD)


@router.get("/register/persons/", response=answers(Persons), url_name="persons")
@declare(VIEW)
def persons(request: HttpRequest, cursor: Query[Cursor]) -> Persons:
    rows, after = page(request, PERSONS, VIEW, before=cursor.before, action="person.list")
    return Persons(
        persons=[
            PersonSummary(**_record(p), display_name=p.display_name, gender=p.gender) for p in rows
        ],
        next_before=after,
    )


@router.get("/register/persons/{int:pk}/", response=answers(PersonOut), url_name="person")
@declare(VIEW, Person)
def person(request: HttpRequest, pk: Pk) -> PersonOut:
    """A person with names in every script, identifiers and memberships of units."""
    found = one(request, PERSONS.prefetch_related("groups"), pk, "person.view")
    return PersonOut(
        **_record(found),
        display_name=found.display_name,
        gender=found.gender,
        birth_date=found.birth_date,
        birth_precision=found.birth_precision,
        groups=_terms(found.groups.all()),
        notes=found.notes,
        names=[
            NameOut(name=n.name, script=n.script, language=n.language)
            for n in found.names.order_by("pk")
        ],
        identifiers=[
            IdentifierOut(kind=i.kind, value=i.value) for i in found.identifiers.order_by("pk")
        ],
        memberships=[_membership(m) for m in MEMBERSHIPS.filter(person=found).order_by("pk")],
    )


class ByParent(Cursor):
    parent: int | None = an_id("only the sub-units of this unit, at any date")


@router.get("/register/units/", response=answers(Units), url_name="units", by_alias=True)
@declare(VIEW)
def units(request: HttpRequest, filtered: Query[ByParent]) -> Units:
    chosen = UNITS
    if filtered.parent:  # a sub-unit at any date
        chosen = chosen.filter(parent_links__parent_id=filtered.parent).distinct()
    rows, after = page(request, chosen, VIEW, before=filtered.before, action="unit.list")
    return Units(units=[_unit(u) for u in rows], next_before=after)


@router.get("/register/units/{int:pk}/", response=answers(UnitOut), url_name="unit", by_alias=True)
@declare(VIEW, Unit)
def unit(request: HttpRequest, pk: Pk) -> UnitOut:
    return _unit(one(request, UNITS, pk, "unit.view"))


class ByMember(Cursor):
    person: int | None = an_id("only this person's memberships")
    unit: int | None = an_id("only this unit's members")


@router.get("/register/memberships/", response=answers(Memberships), url_name="memberships")
@declare(VIEW)
def memberships(request: HttpRequest, filtered: Query[ByMember]) -> Memberships:
    """Who served in which unit, when, with which rank, position and badge number."""
    chosen = narrowed(MEMBERSHIPS, person_id=filtered.person, unit_id=filtered.unit)
    rows, after = page(request, chosen, VIEW, before=filtered.before, action="membership.list")
    return Memberships(memberships=[_membership(m) for m in rows], next_before=after)


@router.get(
    "/register/memberships/{int:pk}/", response=answers(MembershipOut), url_name="membership"
)
@declare(VIEW, Membership)
def membership(request: HttpRequest, pk: Pk) -> MembershipOut:
    return _membership(one(request, MEMBERSHIPS, pk, "membership.view"))


# --- reference data ------------------------------------------------------------------------


class ByVocabulary(Schema):
    vocabulary: str = Field("", max_length=40, description="e.g. act_type; empty for all")


@router.get("/register/terms/", response=answers(Terms), url_name="terms")
@declare(VIEW)
def terms(request: HttpRequest, chosen: Query[ByVocabulary]) -> Terms:
    """The vocabularies, built-in and local, retired terms included (old records use them)."""
    reference(request, VIEW)
    rows = Term.objects.order_by("vocabulary", "code")
    if chosen.vocabulary:
        rows = rows.filter(vocabulary=chosen.vocabulary)
    return Terms(
        terms=[
            TermOut(
                id=t.pk,
                vocabulary=t.vocabulary,
                code=t.code,
                parent=t.parent_id,
                label_en=t.label_en,
                label_be=t.label_be,
                label_ru=t.label_ru,
                builtin=t.builtin,
                retired=t.retired,
            )
            for t in rows
        ]
    )


@router.get("/register/places/", response=answers(Places), url_name="places")
@declare(VIEW)
def places(request: HttpRequest) -> Places:
    """The gazetteer: country, regions, districts, cities and detention facilities."""
    reference(request, VIEW)
    return Places(
        places=[
            PlaceOut(
                id=p.pk,
                code=p.code,
                kind=p.kind,
                parent=p.parent_id,
                name_en=p.name_en,
                name_be=p.name_be,
                name_ru=p.name_ru,
                latitude=p.latitude,
                longitude=p.longitude,
                precision=p.precision,
            )
            for p in Place.objects.order_by("pk")
        ]
    )
