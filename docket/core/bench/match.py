"""`docket bench match`: media and incidents at scale (docket/analysis/match.py). Random items
and events in and around Minsk over August 2020 are matched through the index, and a sample
of the events against every item by brute force, which must give the same pairs. No instance
and no database: the matcher is pure, and the worker's job adds only reading the rows.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from docket.analysis.match import Incident, Media, brute_force, matches

CENTRE = (53.9023, 27.5619)
#: Degrees around the centre: about 30 km north to south and 30 km east to west.
SPREAD = (0.135, 0.23)
PRECISIONS = ["exact"] * 6 + ["day"] * 2 + ["month", "year", "unknown"]


def generate(items: int, events: int, seed: int = 2020) -> tuple[list[Media], list[Incident]]:
    rng = random.Random(seed)
    base = datetime(2020, 8, 1, tzinfo=UTC)
    month = 31 * 86400

    def spot() -> tuple[float, float]:
        return (
            CENTRE[0] + rng.uniform(-SPREAD[0], SPREAD[0]),
            CENTRE[1] + rng.uniform(-SPREAD[1], SPREAD[1]),
        )

    media = [
        Media(n + 1, base.timestamp() + rng.randrange(month), *spot(), rng.random() < 0.4)
        for n in range(items)
    ]
    incidents = []
    for n in range(events):
        start = base + timedelta(minutes=rng.randrange(month // 60))
        end = start + timedelta(minutes=rng.randrange(15, 360)) if rng.random() < 0.5 else None
        at = spot() if rng.random() < 0.95 else (None, None)
        incidents.append(Incident(n + 1, start, rng.choice(PRECISIONS), end, "exact", at[0], at[1]))
    return media, incidents


def run(items: int = 100_000, events: int = 10_000, sample: int = 100) -> dict[str, Any]:
    zone = ZoneInfo("Europe/Minsk")
    media, incidents = generate(items, events)
    seconds, metres = 2 * 3600, 1000.0
    began = time.perf_counter()
    found = matches(media, incidents, seconds=seconds, metres=metres, zone=zone)
    indexed = time.perf_counter() - began
    chosen = incidents if sample >= events else random.Random(1).sample(incidents, sample)
    keys = {i.key for i in chosen}
    began = time.perf_counter()
    slow = brute_force(media, chosen, seconds=seconds, metres=metres, zone=zone)
    brute = time.perf_counter() - began
    result: dict[str, Any] = {
        "items": items,
        "events": events,
        "hours": 2,
        "km": 1,
        "matches": len(found),
        "seconds": round(indexed, 3),
        "brute_force_seconds": round(brute, 3),
        "identical": [m for m in found if m.event in keys] == slow,
    }
    if len(chosen) < events:
        result["brute_force_sample_events"] = len(chosen)
        result["brute_force_estimated_seconds"] = round(brute * events / len(chosen), 1)
    return result
