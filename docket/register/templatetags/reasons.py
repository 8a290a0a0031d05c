"""`{{ pair.why|reasons }}`: the name matcher's reasons, in the page's language;
`{{ mention.snippet|marked:mention.words }}`: where a mention's words are in its snippet."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape, format_html

from docket.register.reasons import all_shown

register = template.Library()


@register.filter
def reasons(why: Iterable[str]) -> str:
    return all_shown(why)


@register.filter
def marked(snippet: str, words: str) -> str:
    """A mention's snippet with the words found marked, the rest escaped."""
    at = snippet.find(words) if words else -1
    if at < 0:
        return conditional_escape(snippet)
    return format_html("{}<mark>{}</mark>{}", snippet[:at], words, snippet[at + len(words) :])
