"""`docket bench register`: a big register, then the time of the pages people wait for.

1. A fresh instance in WORKDIR/register (SQLite), or the database DOCKET_DATABASE_URL names
   (point it at a scratch database), gets a generated fictional register: 100,000 events,
   about 300,000 acts and 200,000 persons by default (`docket register generate`).
2. In one process, through the real request path (middleware, access checks, audit rows,
   templates; Django's test client, no network), each view is requested after a warm-up:
   the event list, a filtered list (a region and a type of act), a search, an event page,
   the registers of persons, units and places (sorted by name and by number of events) and
   the overview. Run it again with the same --workdir (SQLite) or database to time the pages
   again without generating anything: `--if-empty` leaves a register that is there.
3. p50 and p95 per view, and the baseline: the login page, which touches no register table,
   through the same path. One JSON line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SAMPLES = 40
WARMUP = 3


def run(workdir: Path, *, events: int, persons: int, views: str = "") -> dict[str, Any]:
    env = dict(os.environ)
    env["DOCKET_DATA_DIR"] = str(workdir / "register")
    env.setdefault("DOCKET_VAULT_PASSPHRASE", "bench passphrase, not a secret")
    (workdir / "register").mkdir(parents=True, exist_ok=True)
    docket = [sys.executable, "-m", "docket"]

    def call(*args: str) -> str:
        done = subprocess.run(
            [*docket, *args], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"docket {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    call("init", "--scrypt-work-factor", "10")
    if "bench-register" not in call("compartments", "list"):
        call("compartments", "add", "bench-register")
    started = time.monotonic()
    call("register", "generate", "--compartment", "bench-register", "--events", str(events),
         "--persons", str(persons), "--if-empty", "--no-anchors")  # fmt: skip
    generated = time.monotonic() - started
    out = call("bench", "register", "--measure", *(["--views", views] if views else []))
    result: dict[str, Any] = json.loads(out)
    result["generate_seconds"] = round(generated, 1)
    return result


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def measure(only: str = "") -> dict[str, Any]:
    """Inside the instance's own process (Django set up). `only`: a comma-separated choice
    of views, to time one page again quickly while working on it."""
    from django.db import connection
    from django.test import Client

    from docket.accounts.models import Compartment, Grant, Role, User
    from docket.accounts.second_factor import VERIFIED_AT
    from docket.register import tally
    from docket.register.models import Event, Place, TallyStamp, Term

    compartment = Compartment.objects.get(name="bench-register")
    user, _ = User.objects.get_or_create(username="bench-analyst")
    Grant.objects.get_or_create(user=user, compartment=compartment, role=Role.ANALYST)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[VERIFIED_AT] = time.time() + 10**6  # fresh for the whole run
    session.save()

    # The tallies a worker keeps current (docket/register/tally.py): counted here if this
    # register was made before them or changed since, as the worker would after a change;
    # how long that counting took, the last time.
    tally.current()
    tally_seconds = TallyStamp.objects.get().seconds
    rng = random.Random(7)
    ids = list(Event.objects.filter(compartment=compartment).values_list("pk", flat=True))
    region = Place.objects.get(code="BY-HM").pk
    beating = Term.objects.get(vocabulary="act_type", code="20.10").pk
    queries = ["Akrestsina", "Окрестина", "Brumkevich", "OMON Hrodna", "Жвітлоўскі", "Zhodino"]
    views = {
        "list": lambda: "/register/events/",
        "filter": lambda: f"/register/events/?region={region}&act={beating}",
        "search": lambda: f"/register/search/?q={rng.choice(queries)}",
        "detail": lambda: f"/register/events/{rng.choice(ids)}/",
        # Issue 10's index pages: the registers (as they open, and by number of events) and
        # the overview of the whole register.
        "persons": lambda: "/register/persons/",
        "persons_by_events": lambda: "/register/persons/?sort=events",
        "units": lambda: "/register/units/",
        "units_by_events": lambda: "/register/units/?sort=events",
        "places": lambda: "/register/places/",
        "places_by_events": lambda: "/register/places/?sort=events",
        "overview": lambda: "/register/events/overview",
        "baseline": lambda: "/accounts/login/",
    }
    chosen = {v.strip() for v in only.split(",") if v.strip()}
    if unknown := chosen - set(views):
        raise RuntimeError(f"no such view: {', '.join(sorted(unknown))}")
    figures: dict[str, Any] = {}
    for name, url in views.items():
        if chosen and name not in chosen | {"baseline"}:
            continue
        samples = []
        for n in range(WARMUP + SAMPLES):
            path = url()
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            if n >= WARMUP:
                samples.append(elapsed)
        figures[name] = _percentiles(samples)
    baseline = figures.pop("baseline")
    return {
        "events": len(ids),
        "database": connection.vendor,
        # SQLCipher (DOCKET_DATABASE_KEY) or a plain file: run once each to see what it costs.
        "encrypted_at_rest": connection.display_name.endswith("(SQLCipher)"),
        "tally_seconds": tally_seconds,
        "views": figures,
        "baseline_login_page": baseline,
        "ratio_p95_to_baseline": {
            k: round(v["p95_ms"] / max(baseline["p95_ms"], 0.1), 1) for k, v in figures.items()
        },
    }
