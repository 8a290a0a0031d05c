"""The audit trail: who did what to which object, when, under which request.

Policy: every read of evidence or of a person, every search, export and permission change is
recorded here in the same request that performs it; evidence reads also go to the custody
log. Rows are never updated or deleted (database triggers). Auditors read the trail of their
compartments; alerts flag bulk access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from docket.accounts.models import AuditEvent, Compartment, User

READ_ACTIONS = ("item.view", "item.read_original", "item.transcript")


def _describe(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.model_name, str(obj.pk), str(obj)[:200]


def record(
    request: HttpRequest,
    action: str,
    obj: Any = None,
    *,
    compartment: Compartment | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    user = request.user if request.user.is_authenticated else None
    return _write(user, action, obj, compartment, details, getattr(request, "request_id", ""))


def record_system(
    actor: User | None,
    action: str,
    obj: Any = None,
    *,
    compartment: Compartment | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """For helpers that have no request at hand: inside a web request the row still gets the
    request's id; from the CLI or the worker it gets none."""
    from docket.accounts.middleware import current_request_id

    return _write(actor, action, obj, compartment, details, current_request_id.get())


def _write(
    user: Any,
    action: str,
    obj: Any,
    compartment: Compartment | None,
    details: dict[str, Any] | None,
    request_id: str,
) -> AuditEvent:
    object_type, object_id, label = _describe(obj)
    if compartment is None and obj is not None:
        compartment_id = getattr(obj, "compartment_id", None)
    else:
        compartment_id = compartment.pk if compartment else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=label,
        compartment_id=compartment_id,
        request_id=request_id,
        details=details or {},
    )


@dataclass(frozen=True)
class BulkAccess:
    actor_name: str
    reads: int
    since: datetime


def bulk_access(compartments: set[int], *, now: datetime | None = None) -> list[BulkAccess]:
    """Users who read more than DOCKET_AUDIT_BULK_READS items in the last hour."""
    now = now or timezone.now()
    since = now - timedelta(hours=1)
    rows = (
        AuditEvent.objects.filter(
            action__in=READ_ACTIONS, at__gte=since, compartment_id__in=compartments
        )
        .values("actor_name")
        .annotate(reads=Count("id"))
        .filter(reads__gt=settings.AUDIT_BULK_READS)
        .order_by("-reads")
    )
    return [BulkAccess(row["actor_name"], row["reads"], since) for row in rows]
