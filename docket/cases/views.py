"""The case pages: the list, a case with its suspects, incidents, qualifications and elements
matrix, what is missing, the verification of its evidence, and its history. Reading needs
`case.view` in the case's compartment, every change `case.edit`; everything else is a 404,
as for a case that does not exist. Every change goes through `contents.save` (the
compartment rule, then the history) or `history.delete`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, DateTimeField, Model, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext

from docket.accounts import access, audit
from docket.accounts.guards import listing, of_object, staff_user
from docket.cases import contents, elements
from docket.cases.forms import (
    CaseForm,
    CellForm,
    IncidentsForm,
    QualificationsForm,
    SuspectEditForm,
    SuspectForm,
    VerificationForm,
    grading,
)
from docket.cases.models import Case, Cell, Suspect, Verification
from docket.lib import ids, zones
from docket.register import history, search, trail
from docket.register.models import Act, EvidenceLink, Information, Membership, Person, Term, Unit
from docket.register.vocabulary import titles_in_all
from docket.vault.describe import describe, describe_one
from docket.vault.models import Item
from docket.vault.sections import item_section


@listing("case.view", methods=("GET", "POST"))
def case_list(request: HttpRequest) -> HttpResponseBase:
    user = staff_user(request)
    editable = sorted(access.compartment_ids(user, "case.edit"))
    form = CaseForm(request.POST or None, compartments=editable) if editable else None
    if request.method == "POST":
        if form is not None and form.is_valid():
            case = contents.save(form.save(commit=False), actor=user)
            messages.success(
                request, gettext("Case opened. Add its suspects, incidents and qualifications.")
            )
            return redirect("cases:case", pk=case.pk)
    cases = access.visible(
        Case.objects.select_related("compartment").annotate(suspect_count=Count("suspects")),
        user, "case.view",
    )  # fmt: skip
    return render(request, "cases/list.html", {"cases": cases, "form": form})


def _evidence_rows(links: list[Any]) -> list[tuple[Any, Any]]:
    facts = describe([link.item_id for link in links])
    return [(link, facts.get(link.item_id)) for link in links]


def _matrix(case: Case) -> list[dict[str, Any]]:
    """Per qualification: its elements, each with its cell (or none yet), in matrix order."""
    mine = case.compartment_id
    cells = {
        (c.qualification_id, c.element): c
        for c in case.cells.prefetch_related(
            Prefetch("acts", Act.objects.filter(compartment_id=mine)
                     .select_related("act_type", "victim")),
            Prefetch("evidence", EvidenceLink.objects.filter(compartment_id=mine)
                     .select_related("item")),
            Prefetch("information", Information.objects.filter(compartment_id=mine)
                     .select_related("source", "reliability", "credibility")),
        )
    }  # fmt: skip
    tables = []
    for term in case.qualifications.order_by("vocabulary", "code"):
        rows = []
        for element in elements.of(term):
            cell = cells.get((term.pk, element.code))
            rows.append({
                "element": element,
                "cell": cell,
                "status": cell.status if cell else Cell.Status.NONE,
                "status_shown": (cell.get_status_display() if cell else Cell.Status.NONE.label),
                "evidence": _evidence_rows(list(cell.evidence.all())) if cell else [],
                "information": [(i, grading(i)) for i in cell.information.all()] if cell else [],
                "key": f"{term.pk}:{element.code}",
            })  # fmt: skip
        # The instrument by name ("UN Convention against Torture"), not its vocabulary's key.
        title = titles_in_all().get(term.vocabulary, {})
        instrument = title.get(get_language() or "en") or title.get("en") or term.vocabulary
        tables.append({"term": term, "instrument": instrument, "rows": rows})
    return tables


#: what an evidence link supports, for the verification table's "of the act: …"
SUPPORTED = (
    "item", "event", "act__act_type", "act__victim", "act__event", "person",
    "membership__person", "membership__unit", "parent_link__unit",
)  # fmt: skip


@of_object("case.view", Case)
def case_detail(request: HttpRequest, case: Case) -> HttpResponse:
    audit.record(request, "case.view", case)
    degrees = {
        t.code: t.shown for t in Term.objects.filter(vocabulary="involvement_degree")
    }  # the involvement_degree words of each mode of liability
    suspects = []
    mine = case.compartment_id  # a row of another compartment linked some other way: not shown
    for suspect in (
        case.suspects.filter(Q(person__compartment_id=mine) | Q(unit__compartment_id=mine))
        .select_related("person", "unit")
        .prefetch_related(Prefetch("evidence", EvidenceLink.objects.filter(compartment_id=mine)))
    ):
        codes = Suspect.DEGREES.get(Suspect.Liability(suspect.liability), ())
        suspects.append({
            "suspect": suspect,
            "involvements": list(contents.involvements(suspect)),
            "degree_words": ", ".join(degrees[c] for c in codes if c in degrees),
            "evidence": _evidence_rows(list(suspect.evidence.all())),
        })  # fmt: skip
    checked = contents.checked(contents.evidence(case).select_related(*SUPPORTED).order_by("pk"))
    facts = describe([c.link.item_id for c in checked])
    exports = case.exports.order_by("-requested_at")
    return render(request, "cases/case.html", {
        "case": case,
        "can_edit": access.can(request.user, "case.edit", case),
        "can_export": access.can(request.user, "export.request", case),
        "suspects": suspects,
        "events": case.events.filter(compartment_id=mine)
        .select_related("place")
        .order_by("start", "pk"),
        "acts": case.acts.filter(compartment_id=mine)
        .select_related("act_type", "victim", "event")
        .order_by("start", "pk"),
        "matrix": _matrix(case),
        "checked": [(c, facts.get(c.link.item_id)) for c in checked],
        "unverified": sum(1 for c in checked if not c.verified),
        "missing": len(contents.missing(case)),
        "exports": exports,
    })  # fmt: skip


@of_object("case.edit", Case, methods=("GET", "POST"))
def case_edit(request: HttpRequest, case: Case) -> HttpResponseBase:
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        contents.save(form.save(commit=False), actor=staff_user(request))
        messages.success(request, gettext("Saved. The change is in the case's history."))
        return redirect("cases:case", pk=case.pk)
    return _form(request, form, gettext("Edit: %(case)s") % {"case": case}, case,
                 delete=reverse("cases:case_delete", args=[case.pk]))  # fmt: skip


@of_object("case.edit", Case, methods=("POST",))
def case_delete(request: HttpRequest, case: Case) -> HttpResponseBase:
    if case.exports.exists():
        messages.error(request, gettext("A case with exports is kept: its bundles name it."))
        return redirect("cases:case", pk=case.pk)
    user = staff_user(request)
    with transaction.atomic():
        for row in [*case.cells.all(), *case.suspects.all()]:
            history.delete(row, actor=user)
        history.delete(case, actor=user)
    messages.success(
        request, gettext("Case deleted: %(case)s. Its history is kept.") % {"case": case}
    )
    return redirect("cases:cases")


def _form(
    request: HttpRequest, form: Any, heading: str, case: Case, *, delete: str = "", **more: Any
) -> HttpResponse:
    context = {"form": form, "heading": heading, "case": case, "delete": delete,
               "back": reverse("cases:case", args=[case.pk]), **more}  # fmt: skip
    return render(request, "cases/form.html", context)


# Suspects


@of_object("case.edit", Case, methods=("GET", "POST"))
def suspect_new(request: HttpRequest, case: Case) -> HttpResponseBase:
    """A suspect: found by name in the case's compartment (any script), then a mode of
    liability; the evidence for it is chosen on the suspect's own form."""
    user = staff_user(request)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and not data.get("who", "").strip():
        data["who"] = data.get("picked", "")  # a hit of the search, ticked
    form = SuspectForm(data, case=case)
    if request.method == "POST" and form.is_valid():
        who = form.cleaned_data["who"]
        suspect = Suspect(
            case=case, compartment_id=case.compartment_id,
            person=who if isinstance(who, Person) else None,
            unit=None if isinstance(who, Person) else who,
            liability=form.cleaned_data["liability"], notes=form.cleaned_data["notes"],
        )  # fmt: skip
        contents.save(suspect, actor=user)
        messages.success(
            request, gettext("Suspect added. Now choose the evidence of his liability.")
        )
        return redirect("cases:suspect_edit", pk=suspect.pk)
    typed = request.GET.get("q", "").strip()[:100]
    hits = (
        search.search(typed, compartments={case.compartment_id}, kinds={"person", "unit"}, limit=20)
        if len(typed) >= 2
        else []
    )
    facts = told_apart([h.id for h in hits if h.type == "person"])
    suspect_hits = [(h, facts.get(h.id, "") if h.type == "person" else "") for h in hits]
    return _form(request, form, gettext("A suspect of: %(case)s") % {"case": case}, case,
                 search_for="suspect", typed=typed, hits=hits,
                 suspect_hits=suspect_hits)  # fmt: skip


def told_apart(person_ids: list[int]) -> dict[int, str]:
    """person -> what tells namesakes apart in a list of hits: the year of birth, their
    postings (rank and unit) and how many acts they are in, as victim or perpetrator."""
    found: dict[int, list[str]] = {pk: [] for pk in person_ids}
    for person in Person.objects.filter(pk__in=person_ids).only("pk", "birth_date"):
        if person.birth_date is not None:
            found[person.pk].append(gettext("born %(year)s") % {"year": person.birth_date.year})
    postings: dict[int, list[str]] = {}
    for member in (
        Membership.objects.filter(person_id__in=person_ids)
        .select_related("unit")
        .order_by("-start", "pk")
    ):
        postings.setdefault(member.person_id, []).append(
            f"{member.rank} {member.unit.name}".strip()
        )
    for pk, shown in postings.items():
        found[pk].append("; ".join(shown[:2]) + ("…" if len(shown) > 2 else ""))
    for pk in person_ids:
        acts = Act.objects.filter(Q(victim_id=pk) | Q(involvements__person_id=pk))
        count = acts.distinct().count()
        found[pk].append(ngettext("%(count)s act", "%(count)s acts", count) % {"count": count})
    return {pk: " · ".join(words) for pk, words in found.items()}


@of_object("case.edit", Suspect, methods=("GET", "POST"))
def suspect_edit(request: HttpRequest, suspect: Suspect) -> HttpResponseBase:
    form = SuspectEditForm(request.POST or None, instance=suspect)
    if request.method == "POST" and form.is_valid():
        contents.save(
            form.save(commit=False), actor=staff_user(request),
            m2m={"evidence": form.cleaned_data["evidence"]},
        )  # fmt: skip
        messages.success(request, gettext("Saved. The change is in the case's history."))
        return redirect(reverse("cases:case", args=[suspect.case_id]) + "#suspects")
    heading = gettext("Suspect: %(suspect)s") % {"suspect": suspect}
    delete = reverse("cases:suspect_delete", args=[suspect.pk])
    return _form(request, form, heading, suspect.case, delete=delete, wide=True)


@of_object("case.edit", Suspect, methods=("POST",))
def suspect_delete(request: HttpRequest, suspect: Suspect) -> HttpResponseBase:
    history.delete(suspect, actor=staff_user(request))
    messages.success(request, gettext("Suspect removed from the case: %(s)s.") % {"s": suspect})
    return redirect(reverse("cases:case", args=[suspect.case_id]) + "#suspects")


# Incidents and qualifications


@of_object("case.edit", Case, methods=("GET", "POST"))
def incidents(request: HttpRequest, case: Case) -> HttpResponseBase:
    """Add events (by id, or ticked among the search's hits) and acts (by id) to the case."""
    user = staff_user(request)
    form = IncidentsForm(request.POST or None, case=case, picked=request.POST.getlist("event"))
    if request.method == "POST" and form.is_valid():
        events, acts = form.cleaned_data["events"], form.cleaned_data["acts"]
        contents.save(case, actor=user, m2m={
            "events": [*case.events.all(), *events], "acts": [*case.acts.all(), *acts],
        })  # fmt: skip
        messages.success(request, gettext("Incidents added."))
        return redirect(reverse("cases:case", args=[case.pk]) + "#incidents")
    typed = request.GET.get("q", "").strip()[:100]
    hits = (
        search.search(typed, compartments={case.compartment_id}, kinds={"event"}, limit=20)
        if len(typed) >= 2
        else []
    )
    return _form(request, form, gettext("Incidents of: %(case)s") % {"case": case}, case,
                 search_for="incident", typed=typed, hits=hits)  # fmt: skip


@of_object("case.edit", Case, methods=("POST",))
def incident_remove(request: HttpRequest, case: Case) -> HttpResponseBase:
    event, act = ids.pk(request.POST.get("event", "")), ids.pk(request.POST.get("act", ""))
    contents.save(case, actor=staff_user(request), m2m={
        "events": case.events.exclude(pk=event or 0), "acts": case.acts.exclude(pk=act or 0),
    })  # fmt: skip
    messages.success(request, gettext("Removed from the case; the register keeps it."))
    return redirect(reverse("cases:case", args=[case.pk]) + "#incidents")


@of_object("case.edit", Case, methods=("GET", "POST"))
def qualifications(request: HttpRequest, case: Case) -> HttpResponseBase:
    form = QualificationsForm(
        request.POST or None, initial={"qualifications": case.qualifications.all()}
    )
    if request.method == "POST" and form.is_valid():
        contents.save(case, actor=staff_user(request),
                      m2m={"qualifications": form.cleaned_data["qualifications"]})  # fmt: skip
        messages.success(request, gettext("Qualifications saved. The matrix lists their elements."))
        return redirect(reverse("cases:case", args=[case.pk]) + "#matrix")
    return _form(request, form, gettext("Legal qualifications of: %(case)s") % {"case": case}, case)


# The elements matrix


@of_object("case.edit", Case, methods=("GET", "POST"))
def cell_edit(request: HttpRequest, case: Case) -> HttpResponseBase:
    """One cell of the matrix: the element is chosen in the form (`?element=TERM:CODE`
    preselects it); a cell is created the first time it is saved."""
    key = request.POST.get("element_key") or request.GET.get("element", "")
    term_pk, _colon, code = key.partition(":")
    cell = case.cells.filter(qualification_id=ids.pk(term_pk) or 0, element=code).first()
    form = CellForm(
        request.POST or None, case=case, instance=cell or Cell(case=case),
        initial={"element_key": key},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        term, code = form.cleaned_data["element_key"]
        cell = case.cells.filter(qualification=term, element=code).first() or Cell(
            case=case, compartment_id=case.compartment_id, qualification=term, element=code
        )
        cell.status, cell.note = form.cleaned_data["status"], form.cleaned_data["note"]
        contents.save(cell, actor=staff_user(request), m2m={
            name: form.cleaned_data[name] for name in ("acts", "evidence", "information")
        })  # fmt: skip
        messages.success(request, gettext("Saved. The change is in the case's history."))
        return redirect(reverse("cases:case", args=[case.pk]) + f"#cell-{term.pk}-{code}")
    delete = reverse("cases:cell_delete", args=[cell.pk]) if cell else ""
    return _form(request, form, gettext("Elements matrix of: %(case)s") % {"case": case}, case,
                 delete=delete, wide=True)  # fmt: skip


@of_object("case.edit", Cell, methods=("POST",))
def cell_delete(request: HttpRequest, cell: Cell) -> HttpResponseBase:
    history.delete(cell, actor=staff_user(request))
    messages.success(request, gettext("The cell is empty again; its history is kept."))
    return redirect(reverse("cases:case", args=[cell.case_id]) + "#matrix")


@of_object("case.view", Case)
def missing(request: HttpRequest, case: Case) -> HttpResponse:
    found = contents.missing(case)
    facts = describe([c.link.item_id for c in found.unverified])
    return render(request, "cases/missing.html", {
        "case": case, "found": found, "can_edit": access.can(request.user, "case.edit", case),
        "unverified": [(c, facts.get(c.link.item_id)) for c in found.unverified],
    })  # fmt: skip


# Verification


@of_object("case.edit", Case, methods=("GET", "POST"))
def verification_new(request: HttpRequest, case: Case) -> HttpResponseBase:
    """A verification step on one of the case's evidence links (`?evidence=ID` preselects
    it), done by the user, now."""
    user = staff_user(request)
    form = VerificationForm(
        request.POST or None, case=case, initial={"evidence": request.GET.get("evidence")}
    )
    if request.method == "POST" and form.is_valid():
        step = form.save(commit=False)
        step.compartment_id = case.compartment_id
        step.done_by, step.done_at = user, timezone.now()
        contents.save(step, actor=user)
        messages.success(request, gettext("Verification step recorded."))
        return redirect(reverse("cases:case", args=[case.pk]) + "#verification")
    return _form(
        request,
        form,
        gettext("A verification step, for: %(case)s") % {"case": case},
        case,
        wide=True,
    )


def _case_of(step: Verification, user: Any) -> Case | None:
    """A case of the step's evidence the user may edit, to go back to."""
    for case in access.visible(Case.objects.all(), user, "case.edit"):
        if contents.evidence(case).filter(pk=step.evidence_id).exists():
            return case
    return None


@of_object("case.edit", Verification, methods=("GET", "POST"))
def verification_edit(request: HttpRequest, step: Verification) -> HttpResponseBase:
    user = staff_user(request)
    case = Case.objects.filter(pk=ids.pk(request.GET.get("case", "")) or 0).first()
    if (
        case is None
        or not access.can(user, "case.edit", case)
        or not contents.evidence(case).filter(pk=step.evidence_id).exists()
    ):
        case = _case_of(step, user)
    form = VerificationForm(request.POST or None, instance=step, case=case) if case else None
    if form is not None and request.method == "POST" and form.is_valid():
        contents.save(form.save(commit=False), actor=user)
        messages.success(request, gettext("Saved. The change is in the case's history."))
        return redirect(reverse("cases:case", args=[case.pk]) + "#verification")  # type: ignore[union-attr]
    if case is None or form is None:
        messages.error(request, gettext("This evidence is in none of your cases any more."))
        return redirect("cases:cases")
    return _form(request, form, gettext("Verification step: %(step)s") % {"step": step}, case,
                 delete=reverse("cases:verification_delete", args=[step.pk]))  # fmt: skip


@of_object("case.edit", Verification, methods=("POST",))
def verification_delete(request: HttpRequest, step: Verification) -> HttpResponseBase:
    user = staff_user(request)
    case = _case_of(step, user)
    history.delete(step, actor=user)
    messages.success(request, gettext("Verification step deleted; its history is kept."))
    if case is None:
        return redirect("cases:cases")
    return redirect(reverse("cases:case", args=[case.pk]) + "#verification")


@item_section("cases/_item_verification.html", order=7)
def item_verification(item: Item, user: Any) -> dict[str, Any]:
    """On an item's page, the verification steps done on its evidence links, for those who
    may see the compartment's cases."""
    if not access.can(user, "case.view", item):
        return {"verification_steps": []}
    steps = Verification.objects.filter(evidence__item=item, compartment_id=item.compartment_id)
    return {"verification_steps": list(steps.select_related("done_by", "evidence"))}


# History


def _moment(value: str) -> str:
    """A time the history keeps in ISO 8601 (UTC), as pages show times: local, with offset."""
    try:
        return zones.show(datetime.fromisoformat(value))
    except ValueError:
        return value


def _instrument(term: Term) -> str:
    """A qualification's instrument by name ("UN Convention against Torture"), as the matrix
    heads it, in the page's language."""
    title = titles_in_all().get(term.vocabulary, {})
    return title.get(get_language() or "en") or title.get("en") or term.vocabulary


def _element_words(term: Term | None, code: str) -> str:
    if term is None:
        return code
    element = elements.find(term, code)
    return f"{code} {element.label}" if element is not None else code


def _what(change: Any, terms: dict[int, Term]) -> str:
    """What a change is about, in the page's language. The stored label (`object_label`) is
    in the language of whoever made the change, and a cell's is bare codes ("28 4"): the
    row's own fields are read again and named here."""
    data = change.after or change.before or {}
    if change.model == "cell":
        term = terms.get(data.get("qualification_id") or 0)
        if term is not None:
            return (
                f"{_instrument(term)}, {term.shown}: "
                f"{_element_words(term, str(data.get('element', '')))}"
            )
    elif change.model == "verification":
        step = data.get("step", "")
        shown = dict(Verification.Step.choices).get(step, step)
        link = data.get("evidence_id")
        item = (
            EvidenceLink.objects.filter(pk=link).values_list("item_id", flat=True).first()
            if link
            else None
        )
        if item is not None:
            return gettext("%(step)s of %(item)s") % {
                "step": shown, "item": describe_one(item).label,
            }  # fmt: skip
        return str(shown)
    elif change.model == "suspect":
        who = (
            Person.objects.filter(pk=data.get("person_id") or 0).first()
            or Unit.objects.filter(pk=data.get("unit_id") or 0).first()
        )
        liability = data.get("liability", "")
        mode = dict(Suspect.Liability.choices).get(liability, liability)
        if who is not None:
            return f"{who} ({mode})"
    return str(change.object_label)


@of_object("case.view", Case)
def case_history(request: HttpRequest, case: Case) -> HttpResponse:
    changes = list(contents.changes(case))
    wanted = {
        (c.after or c.before or {}).get("qualification_id") for c in changes if c.model == "cell"
    }
    terms = {t.pk: t for t in Term.objects.filter(pk__in=[pk for pk in wanted if pk])}
    element_field = str(Cell._meta.get_field("element").verbose_name)
    rows = []
    for change in changes:
        model: type[Model] = contents.MODELS[change.model]
        moments = {
            str(f.verbose_name) for f in model._meta.concrete_fields
            if isinstance(f, DateTimeField)
        }  # fmt: skip
        fields = []
        for name, before, after in trail.fields_of(change, model):
            if name in moments:
                before, after = _moment(before), _moment(after)
            elif change.model == "cell" and name == element_field:
                # an element by its words under its qualification, as on the matrix
                data = change.after or change.before or {}
                term = terms.get(data.get("qualification_id") or 0)
                before = _element_words(term, before) if before else before
                after = _element_words(term, after) if after else after
            fields.append((name, before, after))
        rows.append((trail.Row(change, fields), _what(change, terms)))
    return render(request, "cases/history.html", {"case": case, "changes": rows})
