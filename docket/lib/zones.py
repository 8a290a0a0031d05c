"""The instance's time zone and the times people write.

Documenters in Minsk write 23:40 and mean Minsk time; a camera's clock with no zone means the
camera's place. So a time written without an offset is read in the instance's zone
(`DOCKET_TIME_ZONE`, default Europe/Minsk), stored in UTC, and shown in that zone with its
offset; a time written with an offset is taken as written. This module knows nothing of
Django beyond reading the setting, so pure code can take a zone as an argument instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT = "Europe/Minsk"

#: ISO 8601 as people and exports write it: a date, then `T` or a space, hours and minutes,
#: seconds (with a fraction) if given, and `Z` or `±HH:MM` (or `±HHMM`, `±HH`) if given.
ISO = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?"
    r"\s*(Z|z|[+-]\d\d(?::?\d\d)?)?$"
)


def zone_named(name: str) -> ZoneInfo:
    """A zone by its IANA name ("Europe/Minsk"); ValueError with a plain message if none."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(
            f"{name!r} is not a time zone name: use an IANA name such as Europe/Minsk or UTC"
        ) from exc


def instance_zone() -> ZoneInfo:
    """The zone of this instance (settings.DOCKET_TIME_ZONE)."""
    from django.conf import settings

    return zone_named(getattr(settings, "DOCKET_TIME_ZONE", DEFAULT))


def offset_text(moment: datetime) -> str:
    """The offset of an aware moment as ±HH:MM."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def offset_zone(text: str) -> tzinfo | None:
    """`Z`, `+03:00`, `+0300` or `+03` as a fixed zone; None if it is none of these."""
    from datetime import timezone

    text = text.strip()
    if text in ("Z", "z"):
        return UTC
    match = re.fullmatch(r"([+-])(\d\d):?(\d\d)?", text)
    if not match:
        return None
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    if delta >= timedelta(hours=24):
        return None
    return timezone(-delta if match.group(1) == "-" else delta)


def localise(naive: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time in a zone as an aware moment (the earlier of a repeated hour)."""
    return naive.replace(tzinfo=zone, fold=0)


def parse(text: str, zone: tzinfo | None = None) -> datetime | None:
    """An ISO 8601 date and time as UTC: `2020-08-10T23:40:00+03:00`, `2020-08-10 23:40`,
    `2020-08-10T20:40Z`; without an offset it is read in `zone` (the instance's by default).
    None when the text is not of that shape or not a real time, or not one UTC can hold."""
    match = ISO.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    micro = int((match.group(7) or "0").ljust(6, "0"))
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
    if match.group(8):
        fixed = offset_zone(match.group(8))
        if fixed is None:
            return None
        return in_utc(naive.replace(tzinfo=fixed))
    return in_utc(localise(naive, zone or instance_zone()))


def in_utc(moment: datetime) -> datetime | None:
    """An aware moment in UTC; None for one that UTC cannot hold (0001-01-01 00:00 east of
    Greenwich, 9999-12-31 23:59 west of it)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def local(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """An aware moment in the instance's zone (or `zone`)."""
    return moment.astimezone(zone or instance_zone())


def show(moment: datetime | None, zone: tzinfo | None = None, *, seconds: bool = False) -> str:
    """A moment as pages show it: local time and its offset, `2020-08-10 23:40 +03:00`."""
    if moment is None:
        return ""
    here = local(moment, zone)
    clock = here.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{clock} {offset_text(here)}"


def iso(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """A moment as exports write it: ISO 8601 in the instance's zone, with its offset, to the
    minute (to the second when it has seconds): `2020-08-10T23:40+03:00`."""
    if moment is None:
        return ""
    here = local(moment, zone)
    spec = "seconds" if here.second else "minutes"
    return here.replace(microsecond=0).isoformat(timespec=spec)
