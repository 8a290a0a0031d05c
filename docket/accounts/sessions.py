"""Ending a user's sessions at once (disabled, lost a compartment, locked)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from docket.accounts.models import User


def end_sessions(user: User) -> int:
    """Delete every live session of `user`. Sessions are opaque rows, so this decodes each
    live one: fine for a staff-sized table, and only run on a permission change."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
