from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from docket.leads.views import menu_count


def leads(request: HttpRequest) -> dict[str, Any]:
    """How many leads wait in the user's compartments, for the menu (None: no link)."""
    if not request.user.is_authenticated:
        return {}
    return {"leads": menu_count(request.user)}
