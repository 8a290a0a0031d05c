"""System checks: the programs the enrichers need (`docket check`, and at every start)."""

from __future__ import annotations

import shutil
from typing import Any

from django.core.checks import CheckMessage, Warning, register

from docket.enrich import registry

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


@register()
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
    from docket.lib import sandbox

    if not sandbox.network_isolated():
        messages.append(
            Warning(
                "Parsers cannot be cut off from the network here (no network namespace).",
                hint="Run the worker as root, or allow unprivileged user namespaces.",
                id="docket.W102",
            )
        )
    return messages
