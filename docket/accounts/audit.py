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
from django.utils.translation import gettext_lazy as _

from docket.accounts.models import AuditEvent, Compartment, User

READ_ACTIONS = ("item.view", "item.read_original", "item.transcript")

#: What each action is, in words, for the audit trail's page (the code stays its filter).
ACTIONS = {
    "item.list": _("listed items"), "item.view": _("viewed an item"),
    "item.read_original": _("downloaded an original"), "item.show": _("was shown a file"),
    "item.thumbnail": _("was shown a thumbnail"),
    "item.transcript": _("downloaded a transcript"),
    "item.clock_zone": _("set the zone of an item's camera clock"),
    "event.list": _("listed events"), "event.view": _("viewed an event"),
    "case.view": _("viewed a case"),
    "event.overview": _("viewed the overview"), "event.export": _("exported the event list"),
    "person.view": _("viewed a person"), "unit.view": _("viewed a unit"),
    "unit.chain": _("read a unit's chain of command"),
    "person.list": _("listed persons"), "unit.list": _("listed units"),
    "person.duplicates": _("viewed possible duplicates"),
    "lead.list": _("viewed the leads"), "lead.decide": _("decided a lead"),
    "person.merge": _("merged two persons"), "person.unmerge": _("undid a merge of persons"),
    "place.list": _("listed places"),
    "register.search": _("searched"), "register.screen": _("screened a list of names"),
    "search.save": _("saved a search"), "search.delete": _("deleted a saved search"),
    "register.import": _("imported register rows"),
    "custody.list": _("viewed the custody log"), "audit.view": _("viewed the audit trail"),
    "import.list": _("viewed the imports"), "upload.start": _("started an upload"),
    "intake.list": _("viewed the inbox"), "intake.read": _("read a report"),
    "intake.reply": _("replied to a sender"), "intake.accept": _("accepted a report"),
    "intake.status": _("changed a report's status"),
    "intake.assign": _("assigned a report"),
    "intake.draft_event": _("drafted an event from a report"),
    "intake.contact_shown": _("was shown a sender's contact"),
    "export.request": _("asked for an export"), "export.build": _("built an export"),
    "export.view": _("viewed an export"), "export.download": _("downloaded an export"),
    "statistics.view": _("viewed the statistics"),
    "statistics.download": _("downloaded statistics"),
    "approval.list": _("listed approvals"), "approval.view": _("viewed an approval"),
    "approval.ask": _("asked for approval"), "approval.alone": _("acted alone (console)"),
    "approval.approve": _("approved a request"), "approval.refuse": _("refused a request"),
    "grant.add": _("granted a role"), "grant.remove": _("revoked a role"),
    "compartment.add": _("created a compartment"),
    "compartment.view": _("viewed a compartment"),
    "user.add": _("added a person"), "user.list": _("listed staff accounts"),
    "user.login": _("logged in"), "user.locked": _("was locked out"),
    "user.unlocked": _("unlocked an account"), "user.disable": _("disabled an account"),
    "user.enable": _("enabled an account"), "user.superuser": _("made an instance administrator"),
    "user.second_factor_enrolled": _("set up a second step"),
    "user.reconfirmed": _("confirmed with a fresh code"),
    "user.reconfirm_failed": _("gave a wrong code"),
    "token.create": _("created an API token"), "token.revoke": _("revoked an API token"),
    "vocabulary.add": _("added a vocabulary term"),
    "vocabulary.retire": _("retired a vocabulary term"),
}  # fmt: skip


def action_words(action: str) -> str:
    return str(ACTIONS.get(action, action))


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
