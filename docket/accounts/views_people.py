"""Pages to manage people, compartments and roles, for an administrator who is not technical.

Instance administrators (superusers) add people and compartments; an admin of a compartment
grants and revokes roles in it. Every change is audited and needs a fresh second-factor code.
Adding a person and giving the admin role wait for a second person
(docket/accounts/admission.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.accounts import access, admission, approvals, audit, lockout
from docket.accounts.guards import listing, of_object, staff, staff_user
from docket.accounts.models import Approval, Compartment, Grant, Role, User
from docket.accounts.permissions import PERMISSIONS
from docket.accounts.second_factor import recent_second_factor
from docket.accounts.sessions import end_sessions


class CompartmentForm(forms.Form):
    name = forms.CharField(max_length=60, help_text=_("Lower-case letters, digits and '-'."))
    description = forms.CharField(max_length=300, required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if slugify(name) != name:
            raise ValidationError(
                gettext("Use lower-case letters, digits and '-', for example %(example)r.")
                % {"example": slugify(name)}
            )
        if Compartment.objects.filter(name=name).exists():
            raise ValidationError(gettext("A compartment of that name exists already."))
        return name


REASON_HELP = _("The second person reads this before approving.")


#: Roles from the one that may do least to the one that may do most: forms offer the weakest
#: first and choose it unless told otherwise.
WEAKEST_FIRST = [Role.AUDITOR, Role.INTAKE, Role.LEGAL, Role.ANALYST, Role.ADMIN]
ROLE_CHOICES = [(role.value, role.label) for role in WEAKEST_FIRST]


class GrantForm(forms.Form):
    username = forms.CharField(
        max_length=150, label=_("Person (username)"),
        widget=forms.TextInput(attrs={"list": "staff-usernames", "autocomplete": "off"}),
    )  # fmt: skip
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Role.AUDITOR)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000,
        label=_("Reason (needed for the admin role)"), help_text=REASON_HELP,
    )  # fmt: skip

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == Role.ADMIN and not str(cleaned.get("reason", "")).strip():
            self.add_error(
                "reason",
                gettext("Giving the admin role waits for a second person: say why."),
            )
        return cleaned

    def clean_username(self) -> User:
        user = User.objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise ValidationError(
                gettext("No such person. An instance administrator adds people first.")
            )
        return user


class PersonForm(forms.Form):
    username = forms.CharField(max_length=150, help_text=_("Letters, digits and @.+-_ only."))
    compartment = forms.ModelChoiceField(
        queryset=Compartment.objects.all(), label=_("Their first role is in"),
    )  # fmt: skip
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Role.AUDITOR, label=_("Role"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Reason"),
        help_text=REASON_HELP,
    )  # fmt: skip

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            raise ValidationError(gettext("That username is taken."))
        User.username_validator(username)
        return username


@listing("grants.manage", methods=("GET", "POST"))
def compartments(request: HttpRequest) -> HttpResponseBase:
    form = CompartmentForm()
    if request.method == "POST":
        if not request.user.is_superuser:
            raise Http404
        return _create_compartment(request)
    shown = Compartment.objects.all()
    if not request.user.is_superuser:
        shown = shown.filter(pk__in=access.compartment_ids(request.user, "grants.manage"))
    return render(request, "accounts/compartments.html", {"compartments": shown, "form": form})


@recent_second_factor
def _create_compartment(request: HttpRequest) -> HttpResponse:
    form = CompartmentForm(request.POST)
    if not form.is_valid():
        shown = Compartment.objects.all()
        return render(request, "accounts/compartments.html", {"compartments": shown, "form": form})
    compartment = Compartment.objects.create(**form.cleaned_data)
    audit.record(request, "compartment.add", compartment, compartment=compartment)
    messages.success(request, gettext("Compartment %(name)s created.") % {"name": compartment.name})
    return redirect("accounts:compartment", pk=compartment.pk)


@of_object("grants.manage", Compartment, methods=("GET", "POST"), superuser_too=True)
def compartment(request: HttpRequest, compartment: Compartment) -> HttpResponseBase:
    form = GrantForm()
    if request.method == "POST":
        return _change_grants(request, compartment)
    audit.record(request, "compartment.view", compartment)
    return _compartment_page(request, compartment, form)


def _compartment_page(
    request: HttpRequest, compartment: Compartment, form: GrantForm
) -> HttpResponse:
    """Its members, the form that gives a role (people picked from a list), and what each
    role may do."""
    members = (
        Grant.objects.filter(compartment=compartment)
        .select_related("user")
        .order_by("user__username", "role")
    )
    roles = [
        (role.label, [what for _, (holders, what) in PERMISSIONS.items() if role in holders])
        for role in WEAKEST_FIRST
    ]
    context = {
        "compartment": compartment,
        "members": members,
        "form": form,
        "usernames": User.objects.filter(is_active=True)
        .order_by("username")
        .values_list("username", flat=True),
        "roles": roles,
    }
    return render(request, "accounts/compartment.html", context)


@recent_second_factor
def _change_grants(request: HttpRequest, compartment: Compartment) -> HttpResponse:
    actor = staff_user(request)
    if "revoke" in request.POST:
        grant = Grant.objects.filter(compartment=compartment, pk=request.POST["revoke"]).first()
        if grant is not None:
            access.revoke(grant.user, compartment, grant.role, by=actor)
            messages.success(
                request,
                gettext("%(user)s is no longer %(role)s in %(compartment)s.")
                % {
                    "user": grant.user,
                    "role": grant.get_role_display(),
                    "compartment": compartment,
                },
            )
        return redirect("accounts:compartment", pk=compartment.pk)
    form = GrantForm(request.POST)
    if form.is_valid() and form.cleaned_data["role"] == Role.ADMIN:
        return _ask_admin(request, actor, compartment, form)
    if form.is_valid():
        access.grant(
            form.cleaned_data["username"], compartment, form.cleaned_data["role"], by=actor
        )
        messages.success(
            request,
            gettext("%(user)s is now %(role)s in %(compartment)s.")
            % {
                "user": form.cleaned_data["username"],
                "role": Role(form.cleaned_data["role"]).label,
                "compartment": compartment,
            },
        )
        return redirect("accounts:compartment", pk=compartment.pk)
    return _compartment_page(request, compartment, form)


def _ask_admin(
    request: HttpRequest, actor: User, compartment: Compartment, form: GrantForm
) -> HttpResponse:
    person = form.cleaned_data["username"]
    if Grant.objects.filter(user=person, compartment=compartment, role=Role.ADMIN).exists():
        messages.success(request, gettext("%(user)s is an admin here already.") % {"user": person})
        return redirect("accounts:compartment", pk=compartment.pk)
    approval = admission.ask_grant_admin(
        actor, person, compartment, form.cleaned_data["reason"].strip()
    )
    if approval.state == Approval.State.APPROVED:
        messages.success(
            request,
            gettext(
                "%(user)s is now an admin in %(compartment)s. Nobody else could decide, so it "
                "was done at once; the audit trail says so."
            )
            % {"user": person, "compartment": compartment},
        )
    else:
        messages.success(
            request,
            gettext(
                "Asked. %(user)s becomes an admin in %(compartment)s once another admin or "
                "instance administrator approves it on their Approvals page."
            )
            % {"user": person, "compartment": compartment},
        )
    return redirect("accounts:compartment", pk=compartment.pk)


@staff(methods=("GET", "POST"))
def people(request: HttpRequest) -> HttpResponseBase:
    """Instance administrators only: everyone else gets the 404 of a page that is not there."""
    if not request.user.is_superuser:
        raise Http404
    if request.method == "POST":
        return _change_people(request)
    audit.record(request, "user.list")
    return _people_page(request, PersonForm())


def _people_page(request: HttpRequest, form: PersonForm) -> HttpResponse:
    users = list(User.objects.order_by("username").prefetch_related("grants__compartment"))
    waiting = set(
        Approval.objects.filter(
            action=approvals.ADD_USER, state=Approval.State.PENDING
        ).values_list("details__user_id", flat=True)
    )
    for person in users:
        person.waiting = person.pk in waiting  # type: ignore[attr-defined]
    return render(request, "accounts/people.html", {"users": users, "form": form})


@recent_second_factor
def _change_people(request: HttpRequest) -> HttpResponse:
    actor = request.user
    target = User.objects.filter(pk=request.POST.get("user", 0)).first()
    if "unlock" in request.POST and target is not None:
        lockout.unlock(target, by=actor)  # type: ignore[arg-type]
        messages.success(request, gettext("%(user)s unlocked.") % {"user": target})
    elif "disable" in request.POST and target is not None and target != actor:
        User.objects.filter(pk=target.pk).update(is_active=False)
        ended = end_sessions(target)
        audit.record(request, "user.disable", target, details={"sessions_ended": ended})
        messages.success(
            request, gettext("%(user)s disabled; their sessions ended.") % {"user": target}
        )
    else:
        form = PersonForm(request.POST)
        if not form.is_valid():
            return _people_page(request, form)
        approval, person, password = admission.ask_add_user(
            staff_user(request),
            form.cleaned_data["username"],
            form.cleaned_data["compartment"],
            form.cleaned_data["role"],
            form.cleaned_data["reason"].strip(),
        )
        person.refresh_from_db()
        return render(
            request,
            "accounts/person_created.html",
            {"person": person, "password": password, "approval": approval},
        )
    return redirect("accounts:people")
