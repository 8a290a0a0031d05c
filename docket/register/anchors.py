"""The demo's anchor events: a few fictional incidents at an exact time and on a spot of Minsk
where, in the sample files (scripts/make_samples.py), photos and videos were taken, so that a
new instance suggests media leads at once. Plain data with no Django import: the sample maker
reads it too, so the two cannot drift apart. `generate.add_anchors` writes them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

#: Minsk has kept UTC+3 all year since 2011: the offset its cameras wrote in August 2020.
MINSK = timezone(timedelta(hours=3))


@dataclass(frozen=True)
class Site:
    """A spot (precision "point") added under a built-in place of the gazetteer."""

    key: str
    parent: str
    en: str
    be: str
    ru: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Anchor:
    ref: str
    title: str
    #: The act_type code of its one act, as the generated events have.
    act: str
    site: str
    #: Minsk local time, as a witness would give it; stored in UTC.
    start: datetime
    end: datetime

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)


def _minsk(day: int, hour: int, minute: int) -> datetime:
    return datetime(2020, 8, day, hour, minute, tzinfo=MINSK)


# Coordinates of the spots themselves (WGS 84), not of the built-in places they stand under.
SITES = {
    site.key: site
    for site in [
        Site("stela", "city.minsk", "The Stela (Minsk Hero City Obelisk), Victors Avenue, Minsk",
             "Стэла «Мінск — горад-герой», праспект Пераможцаў, Мінск",
             "Стела «Минск — город-герой», проспект Победителей, Минск", 53.9159, 27.5382),
        Site("pushkinskaya", "city.minsk", "Pushkinskaya metro station, Minsk",
             "Станцыя метро «Пушкінская», Мінск", "Станция метро «Пушкинская», Минск",
             53.9092, 27.4953),
        Site("niamiha", "city.minsk", "Niamiha metro station, Minsk",
             "Станцыя метро «Няміга», Мінск", "Станция метро «Немига», Минск", 53.9058, 27.5539),
        Site("akrestsina-gate", "facility.okrestina",
             "Gate of the Okrestina detention centre, 1st Akrestsina Lane 36, Minsk",
             "Брама ЦІП, 1-ы завулак Акрэсціна, 36, Мінск",
             "Ворота ЦИП, 1-й переулок Окрестина, 36, Минск", 53.8822, 27.4936),
        Site("independence-square", "city.minsk", "Independence Square, Minsk",
             "Плошча Незалежнасці, Мінск", "Площадь Независимости, Минск", 53.8938, 27.5475),
    ]
}  # fmt: skip

ANCHORS = [
    Anchor("demo-anchor-1", "Stun grenades used against a crowd at the Stela, Minsk", "30.22",
           "stela", _minsk(9, 22, 0), _minsk(9, 23, 45)),
    Anchor("demo-anchor-2", "Detentions at a march near Niamiha, Minsk", "10.10",
           "niamiha", _minsk(10, 21, 30), _minsk(10, 23, 0)),
    Anchor("demo-anchor-3", "Rubber bullets fired at protesters at Pushkinskaya metro, Minsk",
           "30.21", "pushkinskaya", _minsk(10, 22, 30), _minsk(11, 1, 0)),
    Anchor("demo-anchor-4", "Beatings on arrival at the Okrestina detention centre, Minsk",
           "20.10", "akrestsina-gate", _minsk(11, 1, 30), _minsk(11, 5, 0)),
    Anchor("demo-anchor-5", "Journalist detained while reporting on Independence Square, Minsk",
           "10.10", "independence-square", _minsk(12, 19, 0), _minsk(12, 19, 30)),
]  # fmt: skip
BY_REF = {anchor.ref: anchor for anchor in ANCHORS}

DESCRIPTION = (
    "Fictional event generated for the demo, at an exact time and spot: the sample photos "
    "and videos taken there are suggested as its media (Leads)."
)


def moved(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A position some metres from another (flat-earth: exact enough within a kilometre)."""
    metres_per_degree = 111_320.0
    return (
        lat + north_m / metres_per_degree,
        lon + east_m / (metres_per_degree * math.cos(math.radians(lat))),
    )


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) positions."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))
