"""In-app notifications: what a staff member should learn without looking for it.

Policy:
- A notification goes to one person and says what happened in a sentence built when it is
  read, in the reader's language, from numbers and user names kept in `details`; it never
  holds what a sender wrote, a file's contents or a contact.
- One made on behalf of a sender (a new message in a submission assigned to you) is dated to
  the hour, like every other trace of a sender's activity; the caller passes that time.
- The list shows only notifications of compartments in which the reader still holds a role;
  their links lead to pages that check access again.
- Nobody is told of what they did themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from docket.accounts import access
from docket.accounts.models import Approval, Compartment, Notification, User

Kind = Notification.Kind

#: What the reader must still hold in the compartment to see a notification of each kind
#: (every role holds custody.view).
NEEDS = {
    Kind.APPROVED: "custody.view",
    Kind.REFUSED: "custody.view",
    Kind.EXPORT_READY: "export.request",
    Kind.EXPORT_FAILED: "export.request",
    Kind.ASSIGNED: "intake.triage",
    Kind.MESSAGE: "intake.triage",
}


def notify(
    user: User | None,
    kind: str,
    *,
    compartment: Compartment | None,
    link: tuple[str, int] | None = None,
    by: User | None = None,
    at: datetime | None = None,
    **details: Any,
) -> Notification | None:
    """Tell `user` that `kind` happened (`by` someone, who is named in the sentence). `link`
    names the page to open (a URL name and one number): it is resolved when the notification
    is shown, in the staff process, so a public process can make one too."""
    if user is None or (by is not None and by.pk == user.pk) or not user.is_active:
        return None
    if by is not None:
        details["who"] = by.get_username()
    if link is not None:
        details["link"] = list(link)
    return Notification.objects.create(
        user=user, compartment=compartment, kind=kind, details=details,
        created_at=at or timezone.now(),
    )  # fmt: skip


def visible(user: User) -> QuerySet[Notification]:
    """The user's notifications they may still see (see the policy above)."""
    still = Q(compartment__isnull=True)
    for kind, permission in NEEDS.items():
        still |= Q(kind=kind, compartment__in=access.compartment_ids(user, permission))
    return Notification.objects.filter(user=user).filter(still)


def unread_count(user: User) -> int:
    return visible(user).filter(read_at__isnull=True).count()


def mark_read(user: User, pks: list[int]) -> int:
    return Notification.objects.filter(user=user, pk__in=pks, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def url(notification: Notification) -> str:
    link = notification.details.get("link")
    if not link:
        return ""
    name, *args = link
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def words(notification: Notification) -> str:
    """What happened, in a sentence in the reader's language."""
    d = {"pk": "", "who": "", "summary": "", "compartment_name": "", **notification.details}
    if notification.kind in (Kind.APPROVED, Kind.REFUSED):
        from docket.accounts import approvals  # approvals tells the requester through this

        approval = Approval.objects.filter(pk=d["pk"] or 0).first()
        d["summary"] = approvals.summary(approval) if approval else d["summary"]
    sentences = {
        Kind.APPROVED: gettext("%(who)s approved your request: %(summary)s"),
        Kind.REFUSED: gettext("%(who)s refused your request: %(summary)s"),
        Kind.EXPORT_READY: gettext("Export %(pk)s of %(compartment_name)s is ready to download."),
        Kind.EXPORT_FAILED: gettext("Export %(pk)s of %(compartment_name)s failed."),
        Kind.ASSIGNED: gettext("%(who)s assigned submission %(pk)s to you."),
        Kind.MESSAGE: gettext("The sender of submission %(pk)s wrote again."),
    }
    sentence = sentences.get(Kind(notification.kind)) if notification.kind in Kind.values else None
    return (sentence or notification.kind) % d
