"""Vocabularies in the interface: everyone with the register sees them; instance
administrators add local terms (under a built-in or local parent) and retire local ones.
Built-in terms change only in the data files, so that every instance's codes mean the same."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.accounts import audit
from docket.accounts.guards import listing, staff_user
from docket.accounts.second_factor import recent_second_factor
from docket.register import history
from docket.register.models import Term
from docket.register.vocabulary import titles

LOCAL_PREFIX = "L"  # local codes start with it, so they never meet a future built-in code


class TermForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Term.objects.none(), required=False,
        help_text=_("Leave empty for a new top-level term."),
    )  # fmt: skip
    label_en = forms.CharField(max_length=300, label=_("English"))
    label_be = forms.CharField(max_length=300, label=_("Belarusian"))
    label_ru = forms.CharField(max_length=300, label=_("Russian"))

    def __init__(self, *args: object, vocabulary: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.vocabulary = vocabulary
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Term.objects.filter(vocabulary=vocabulary, retired=False)

    def clean_label_en(self) -> str:
        label = self.cleaned_data["label_en"].strip()
        if Term.objects.filter(vocabulary=self.vocabulary, label_en__iexact=label).exists():
            raise ValidationError(gettext("This vocabulary has a term with that name already."))
        return label


def _next_code(vocabulary: str, parent: Term | None) -> str:
    stem = f"{parent.code}." if parent else ""
    taken = set(Term.objects.filter(vocabulary=vocabulary).values_list("code", flat=True))
    number = 1
    while f"{stem}{LOCAL_PREFIX}{number}" in taken:
        number += 1
    return f"{stem}{LOCAL_PREFIX}{number}"


@listing("register.view", methods=("GET", "POST"))
def vocabularies(request: HttpRequest) -> HttpResponseBase:
    chosen = request.GET.get("v") or request.POST.get("v") or next(iter(titles()))
    if chosen not in titles():
        raise Http404("No such vocabulary.")
    if request.method == "POST":
        if not request.user.is_superuser:
            raise Http404("No such page.")
        return _change(request, chosen)
    return _page(request, chosen, TermForm(vocabulary=chosen))


def _page(request: HttpRequest, chosen: str, form: TermForm) -> HttpResponse:
    terms = Term.objects.filter(vocabulary=chosen).order_by("code")
    return render(
        request,
        "register/vocabularies.html",
        {"names": titles(), "chosen": chosen, "terms": terms, "form": form},
    )


@recent_second_factor
def _change(request: HttpRequest, chosen: str) -> HttpResponse:
    user = staff_user(request)
    if "retire" in request.POST:
        term = Term.objects.filter(
            vocabulary=chosen, pk=request.POST["retire"], builtin=False
        ).first()
        if term is not None:
            term.retired = True
            history.save(term, actor=user)
            audit.record(request, "vocabulary.retire", term)
            messages.success(
                request,
                gettext("%(term)s retired; records that use it keep it.") % {"term": term.shown},
            )
        return redirect(f"{request.path}?v={chosen}")
    form = TermForm(request.POST, vocabulary=chosen)
    if form.is_valid():
        parent = form.cleaned_data["parent"]
        term = history.save(
            Term(
                vocabulary=chosen, code=_next_code(chosen, parent), parent=parent,
                label_en=form.cleaned_data["label_en"], label_be=form.cleaned_data["label_be"],
                label_ru=form.cleaned_data["label_ru"],
            ),
            actor=user,
        )  # fmt: skip
        audit.record(request, "vocabulary.add", term)
        messages.success(
            request, gettext("Added %(term)s (%(code)s).") % {"term": term.shown, "code": term.code}
        )
        return redirect(f"{request.path}?v={chosen}")
    return _page(request, chosen, form)
