"""The one place where object-level access is decided (docs/design.md §3).

Policy:
- A user sees an object only through a grant in the object's compartment whose role holds the
  permission (docket/accounts/permissions.py). Superusers are no exception.
- Every refusal is a 404, the same answer as for an object that does not exist, so a person
  outside a compartment cannot learn that an object exists.
- Granting and revoking are audited, and end the user's sessions at once when they lose access.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from docket.accounts.models import Compartment, Grant, User
from docket.accounts.permissions import roles_with

AnyUser = User | AnonymousUser


class InCompartment(Protocol):
    compartment_id: int


def compartment_ids(user: AnyUser, permission: str) -> set[int]:
    """Compartments in which `user` holds `permission` (empty for anonymous or inactive)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached: dict[str, set[int]] = getattr(user, "_docket_compartments", None) or {}
    if permission not in cached:
        cached[permission] = set(
            Grant.objects.filter(user=user, role__in=roles_with(permission)).values_list(
                "compartment_id", flat=True
            )
        )
        user._docket_compartments = cached  # type: ignore[attr-defined]
    return cached[permission]


def visible(queryset: QuerySet[Any], user: AnyUser, permission: str) -> QuerySet[Any]:
    """Filter a queryset of compartmented objects down to what `user` may `permission`."""
    return queryset.filter(compartment_id__in=compartment_ids(user, permission))


def can(user: AnyUser, permission: str, obj: InCompartment) -> bool:
    return obj.compartment_id in compartment_ids(user, permission)


def ensure_can(user: AnyUser, permission: str, obj: InCompartment) -> None:
    if not can(user, permission, obj):
        raise Http404("No such object.")


def grant(
    user: User,
    compartment: Compartment,
    role: str,
    *,
    by: User | None,
    details: dict[str, Any] | None = None,
) -> Grant:
    """`by` is who gave the role (None: the console); `details` go to the audit row (who
    approved it, or that it came from the console)."""
    from docket.accounts import audit

    with transaction.atomic():
        created, new = Grant.objects.get_or_create(
            user=user, compartment=compartment, role=role, defaults={"granted_by": by}
        )
        if new:
            audit.record_system(
                by, "grant.add", created, compartment=compartment,
                details={"user": user.get_username(), "role": role, **(details or {})},
            )  # fmt: skip
    return created


def revoke(user: User, compartment: Compartment, role: str, *, by: User | None) -> None:
    from docket.accounts import audit
    from docket.accounts.sessions import end_sessions

    with transaction.atomic():
        removed, _ = Grant.objects.filter(user=user, compartment=compartment, role=role).delete()
        if removed:
            audit.record_system(
                by, "grant.remove", None, compartment=compartment,
                details={"user": user.get_username(), "role": role},
            )  # fmt: skip
    if removed:
        end_sessions(user)
