"""System checks: the programs the enrichers need (`docket check`, and at every start)."""

from __future__ import annotations

import shutil
from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register

from docket.enrich import registry
from docket.lib.commands import CHECKS_TAG

#: The Debian package that carries each program, for the hint.
PACKAGES = {
    "exiftool": "libimage-exiftool-perl",
    "ffmpeg": "ffmpeg",
    "ffprobe": "ffmpeg",
    "tesseract": "tesseract-ocr tesseract-ocr-bel tesseract-ocr-rus",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "mat2": "mat2",
}


@register(CHECKS_TAG)
def check_programs(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    needed: dict[str, list[str]] = {}
    for enricher in [registry.FIRST, *registry.ENRICHERS]:
        for program in enricher.DECLARATION.programs:
            needed.setdefault(program, []).append(enricher.DECLARATION.name)
    for program, users in sorted(needed.items()):
        if shutil.which(program) is None:
            messages.append(
                Warning(
                    f"{program} is not installed: {', '.join(users)} will fail on every item.",
                    hint=f"apt-get install {PACKAGES.get(program, program)}",
                    id="docket.W101",
                )
            )
    messages += _isolation(deploy=False)
    return messages


@register(CHECKS_TAG)
def check_enricher_names(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A typo in DOCKET_ENRICHERS would silently switch enrichment off: it stops start-up."""
    from django.conf import settings

    known = [e.DECLARATION.name for e in [registry.FIRST, *registry.ENRICHERS]]
    unknown = [name for name in settings.ENRICHERS if name not in known]
    if not unknown:
        return []
    return [
        Error(
            f"DOCKET_ENRICHERS names enrichers Docket does not have: {', '.join(unknown)}.",
            hint=f"Choose among {','.join(known)} (comma-separated; empty: all of them).",
            id="docket.E103",
        )
    ]


@register(CHECKS_TAG, deploy=True)
def check_isolation(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`docket check --deploy`: a server with real evidence never runs parsers unisolated."""
    return _isolation(deploy=True)


def _isolation(*, deploy: bool) -> list[CheckMessage]:
    from django.conf import settings

    from docket.lib import sandbox

    if sandbox.isolated():
        return []
    hint = (
        "apt-get install bubblewrap, and allow user namespaces (kernel.unprivileged_userns_clone)."
    )
    if deploy:
        return [
            Error(
                "Parsers cannot be isolated here (bubblewrap is missing or cannot make its "
                "namespaces)"
                + (
                    ", and DOCKET_SANDBOX_UNSAFE=true runs them without."
                    if settings.SANDBOX_UNSAFE
                    else "."
                ),
                hint=hint,
                id="docket.E102",
            )
        ]
    if settings.SANDBOX_UNSAFE:
        text = "Parsers run without isolation (DOCKET_SANDBOX_UNSAFE=true): for development only."
    else:
        text = "Parsers cannot be isolated here, so no parser runs: every enrichment step fails."
    return [Warning(text, hint=hint, id="docket.W102")]
