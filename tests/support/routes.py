"""Every route of the URL configuration with real values in its path, and the access each
view declares (docket/accounts/guards.py): the walk the authorization matrix, the browser test
and the docs test share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from docket.accounts.guards import Declared

#: A real value for each path parameter other than the object's pk.
EXAMPLES = {"<str:fmt>": "csv", "<str:lang>": "en", "<str:token>": "no-such-upload"}


def routes() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                route = prefix + str(pattern.pattern)
                for parameter, value in EXAMPLES.items():
                    route = route.replace(parameter, value)
                assert "<" not in route.replace("<int:pk>", ""), f"add {route} to EXAMPLES"
                yield route, pattern

    yield from walk(get_resolver().url_patterns, "/")


def declared(pattern: URLPattern) -> Declared | None:
    return getattr(pattern.callback, "docket_access", None)
