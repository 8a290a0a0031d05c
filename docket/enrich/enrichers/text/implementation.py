"""What `text` runs (its declaration is in __init__.py)."""

from __future__ import annotations

import json
import platform

from docket.enrich.base import Context, Outcome
from docket.enrich.models import TextPage


def enrich(context: Context) -> Outcome:
    done = context.box.python("docket.lib.doctext", context.original.name, context.mime)
    found = json.loads(done.stdout)
    TextPage.objects.filter(item=context.item).delete()
    TextPage.objects.bulk_create(
        TextPage(item=context.item, page=number, method=TextPage.Method.DOCUMENT, text=text)
        for number, text in enumerate(found["pages"], start=1)
        if text.strip()
    )
    return Outcome(f"docket doctext ({found['how']})", platform.python_version())
