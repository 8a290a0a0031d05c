"""`{{ pair.why|reasons }}`: the name matcher's reasons, in the page's language."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from docket.register.reasons import all_shown

register = template.Library()


@register.filter
def reasons(why: Iterable[str]) -> str:
    return all_shown(why)
