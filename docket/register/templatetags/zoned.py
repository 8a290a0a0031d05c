"""`{{ event.start|local }}`: a time in the instance's zone with its offset
(`2020-08-10 23:40 +03:00`); `{{ lead.seconds|gap }}` and `{{ lead.metres|distance }}`: how far
a media lead is from its event, in words."""

from __future__ import annotations

from datetime import datetime

from django import template

from docket.lib import zones
from docket.register.media_leads import distance_text, gap_text

register = template.Library()


@register.filter
def local(moment: datetime | None) -> str:
    return zones.show(moment)


@register.filter
def local_seconds(moment: datetime | None) -> str:
    return zones.show(moment, seconds=True)


@register.filter
def local_day(moment: datetime | None) -> str:
    """The local date only, for times known to the day."""
    return zones.local(moment).strftime("%Y-%m-%d") if moment else ""


@register.filter
def gap(seconds: int) -> str:
    return gap_text(seconds)


@register.filter
def distance(metres: int) -> str:
    return distance_text(metres)
