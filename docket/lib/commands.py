"""What Docket's command-line verbs share."""

from __future__ import annotations

from django.core.checks import Tags

#: The tag of Docket's own system checks (the vault's keys, the enrichers' programs and names,
#: the sandbox), so that the verbs below run them.
CHECKS_TAG = "docket"

#: The system checks a command-line verb runs before it starts: every kind but the URL
#: configuration's, which would import every page and the whole API (half a second, for each
#: `docket` command) to check routes only the web server uses. `docket serve` and
#: `docket check` run them all.
COMMAND_LINE_CHECKS: list[str] = [
    CHECKS_TAG,
    Tags.admin,
    Tags.async_support,
    Tags.caches,
    "commands",  # Tags.commands, which the type stubs do not know yet
    Tags.compatibility,
    Tags.database,
    Tags.files,
    Tags.models,
    Tags.security,
    Tags.signals,
    Tags.sites,
    Tags.staticfiles,
    Tags.templates,
    Tags.translation,
]
