from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from docket.accounts import access, notifications


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which sections to link to: only those the user may open."""
    user = request.user
    if not user.is_authenticated:
        return {}

    def may(permission: str) -> bool:
        return user.is_superuser or bool(access.compartment_ids(user, permission))

    return {
        "unread_notifications": notifications.unread_count(user),
        "nav": {
            "items": may("item.view"),
            "register": may("register.view"),
            "cases": may("case.view"),
            "statistics": may("case.view"),
            # Only a role in a compartment lets one screen it, instance administrators included.
            "screen": bool(access.compartment_ids(user, "register.screen")),
            "custody": may("custody.view"),
            "audit": may("audit.view"),
            "compartments": may("grants.manage"),
            "people": user.is_superuser,
            "exports": may("export.request"),
            "approvals": may("approvals.decide"),
            # Submissions are read only by those who triage them, administrators included.
            "inbox": bool(access.compartment_ids(user, "intake.triage")),
        },
    }
