"""The demo's generated register: clearly fictional, complete enough to look at, and usable by
the pages and search as soon as it is written (bulk inserts bypass the signals)."""

from __future__ import annotations

from django.db.models import Count

from docket.accounts.models import Compartment
from docket.analysis.spelling import skeletons
from docket.register.generate import ROOTS, Generator
from docket.register.models import Act, Change, Event, Involvement, Person, SearchEntry
from docket.register.search import search


def test_it_generates_a_fictional_register_that_search_and_history_know(db: None) -> None:
    demo = Compartment.objects.create(name="demo")
    counts = Generator(demo, seed=1).run(events=60, persons=200)
    assert counts.events == Event.objects.count() == 60
    assert counts.persons == Person.objects.count() == 200
    assert Act.objects.count() == counts.acts >= 60
    assert Involvement.objects.filter(unit__isnull=False).exists()
    dates = Event.objects.values_list("start", flat=True)
    assert all(d.year == 2020 and 8 <= d.month <= 12 for d in dates)
    # every person is invented: an invented root, a note saying so
    for person in Person.objects.all():
        assert any(root in person.display_name for root in ROOTS)
        assert "Fictional" in person.notes
    # searchable at once, across scripts, and with a history row each
    assert SearchEntry.objects.filter(kind="event").count() == 60
    someone = Person.objects.first()
    assert someone is not None
    latin = someone.names.get(script="Latn").name
    assert skeletons(latin.split()[-1]) & skeletons(someone.display_name.split()[-1])
    assert ("person", someone.pk) in {
        (h.type, h.id) for h in search(latin, compartments={demo.pk}, limit=500)
    }
    assert Change.objects.filter(model="event").count() == 60


def test_it_is_repeatable_from_its_seed(db: None) -> None:
    first = Compartment.objects.create(name="one")
    second = Compartment.objects.create(name="two")
    Generator(first, seed=5).run(events=20, persons=50)
    Generator(second, seed=5).run(events=20, persons=50)

    def shape(compartment: Compartment) -> list[tuple[str, int]]:
        rows = Event.objects.filter(compartment=compartment).annotate(n=Count("acts"))
        return sorted((e.title, e.n) for e in rows)

    assert shape(first) == shape(second)


def test_most_generated_victims_have_a_birth_date_in_every_age_group(db: None) -> None:
    """The demo's statistics show age tables and "<5" only if victims have birth dates."""
    from datetime import date

    from docket.cases.statistics import AGE_GROUPS, UNKNOWN, age_group

    demo = Compartment.objects.create(name="demo")
    Generator(demo, seed=3).run(events=60, persons=400)
    everyone = Person.objects.filter(compartment=demo)
    groups = [age_group(p.birth_date, p.birth_precision, date(2020, 8, 10)) for p in everyone]
    assert {key for key, _, _ in AGE_GROUPS} <= set(groups)
    assert 0 < groups.count(UNKNOWN) < len(groups) / 3
    assert everyone.filter(birth_date__isnull=False).count() > everyone.count() * 0.8
    # the same seed, the same birth dates
    again = Compartment.objects.create(name="again")
    Generator(again, seed=3).run(events=60, persons=400)
    assert sorted(map(str, everyone.values_list("birth_date", flat=True))) == sorted(
        map(str, Person.objects.filter(compartment=again).values_list("birth_date", flat=True))
    )
