"""Statistics for reports: counted right on a register made by hand (months in Minsk time,
regions, distinct victims across a merge, age groups at the act), filtered like the event
list, and small counts never leaving the page exactly (CSV, XLSX, SVG)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from docket.accounts.models import AuditEvent
from docket.cases import statistics
from docket.cases.statistics import UNKNOWN, age_group
from docket.register import duplicates
from docket.register.models import (
    Act,
    Event,
    Involvement,
    Person,
    Place,
    Precision,
    Term,
    Unit,
)
from tests.support.personas import Team, log_in

MINSK = ZoneInfo("Europe/Minsk")


def term(vocabulary: str, code: str) -> Term:
    return Term.objects.get(vocabulary=vocabulary, code=code)


def test_age_groups_are_at_the_act_and_a_vague_birth_date_straddling_a_boundary_is_unknown() -> (
    None
):
    act = date(2020, 8, 9)
    assert age_group(date(2002, 8, 10), Precision.DAY, act) == "0-17"  # 18 the next day
    assert age_group(date(2002, 8, 9), Precision.DAY, act) == "18-29"
    assert age_group(date(2002, 1, 1), Precision.YEAR, act) == UNKNOWN  # 17 or 18
    assert age_group(date(2001, 1, 1), Precision.YEAR, act) == "18-29"  # 18 or 19
    assert age_group(date(1990, 8, 1), Precision.MONTH, act) == UNKNOWN  # 29 or 30
    assert age_group(date(1990, 8, 1), Precision.MONTH, date(2020, 9, 1)) == "30-44"
    assert age_group(date(1975, 8, 1), Precision.MONTH, act) == UNKNOWN  # 44 or 45
    assert age_group(date(1960, 1, 1), Precision.EXACT, act) == "60+"
    assert age_group(None, Precision.UNKNOWN, act) == UNKNOWN
    assert age_group(date(2021, 1, 1), Precision.DAY, act) == UNKNOWN  # born after: an error


@pytest.fixture
def register(team: Team) -> dict[str, object]:
    a = team.a
    beating, detention = term("act_type", "20"), term("act_type", "10")
    minsk = Place.objects.get(code="city.minsk")
    brest = Place.objects.get(code="city.brest")
    omon = Unit.objects.create(compartment=a, name="OMON", unit_type=term("unit_type", "10.10"))
    kgb = Unit.objects.create(compartment=a, name="KGB", unit_type=term("unit_type", "20"))
    degree = term("involvement_degree", "10")

    def event(title: str, moment: datetime, place: Place) -> Event:
        return Event.objects.create(compartment=a, title=title, start=moment, place=place)

    # 23:30 on 31 August in Minsk is August; 01:00 on 1 September in Minsk is 22:00 UTC on 31
    # August, and counts as September.
    e1 = event("Stela", datetime(2020, 8, 9, 23, 30, tzinfo=MINSK), minsk)
    e2 = event("Niamiha", datetime(2020, 8, 31, 23, 30, tzinfo=MINSK), minsk)
    e3 = event("Pushkinskaya", datetime(2020, 9, 1, 1, 0, tzinfo=MINSK), minsk)
    e4 = event("Brest square", datetime(2020, 10, 5, 12, 0, tzinfo=MINSK), brest)  # no acts
    Event.objects.create(compartment=team.b, title="elsewhere", start=e1.start, place=minsk)

    def person(name: str, gender: str, born: date | None, precision: str) -> Person:
        return Person.objects.create(
            compartment=a, display_name=name, gender=gender, birth_date=born,
            birth_precision=precision,
        )  # fmt: skip

    anna = person("Anna", "female", date(2003, 1, 15), Precision.DAY)  # 17 at every act
    boris = person("Boris", "male", date(2002, 1, 1), Precision.YEAR)  # 17 or 18: unknown
    cyril = person("Cyril", "male", date(1990, 5, 1), Precision.DAY)  # 30
    cyril_again = person("Kiryl", "male", None, Precision.UNKNOWN)  # the same man, found twice

    def act(event: Event, kind: Term, victim: Person | None, unit: Unit | None = None) -> Act:
        made = Act.objects.create(compartment=a, event=event, act_type=kind, victim=victim)
        if unit is not None:
            Involvement.objects.create(compartment=a, act=made, unit=unit, degree=degree)
        return made

    act(e1, detention, anna, omon)
    act(e1, beating, anna, omon)
    act(e1, beating, boris, kgb)
    act(e2, detention, cyril, omon)
    act(e3, beating, cyril_again, omon)
    act(e3, detention, None)
    duplicates.merge(cyril, cyril_again, actor=None)
    return {"events": [e1, e2, e3, e4], "beating": beating, "detention": detention,
            "minsk": minsk, "brest": brest}  # fmt: skip


def rows(table: statistics.Table) -> dict[str, list[int]]:
    return {row.label: row.counts for row in table.rows}


def test_counts_of_a_hand_made_register(team: Team, register: dict[str, object]) -> None:
    stats = statistics.compute(Event.objects.filter(compartment=team.a))
    assert (stats.events, stats.acts, stats.victims) == (4, 6, 3)  # Kiryl is Cyril
    by_type = stats.table("act_type")
    assert by_type is not None
    assert rows(by_type) == {
        "Deprivation of liberty": [3, 3, 2],  # events, acts, victims (one act has none)
        "Violence against the person": [2, 3, 3],
    }
    assert by_type.totals == [3, 6, 3]  # distinct: not the sum of the rows
    by_region = stats.table("region")
    assert by_region is not None
    assert rows(by_region) == {"Brest Region": [1, 0, 0], "Minsk (city)": [3, 6, 3]}
    by_month = stats.table("month")
    assert by_month is not None
    assert rows(by_month) == {"2020-08": [2, 4, 3], "2020-09": [1, 2, 1], "2020-10": [1, 0, 0]}
    by_sex = stats.table("sex")
    assert by_sex is not None
    assert rows(by_sex) == {"Female": [1, 2, 1], "Male": [3, 3, 2]}
    by_age = stats.table("age")
    assert by_age is not None
    assert rows(by_age) == {"0–17": [1, 2, 1], "30–44": [2, 2, 1], "unknown": [1, 1, 1]}
    by_unit = stats.table("unit_type")
    assert by_unit is not None
    assert rows(by_unit) == {"OMON (riot police)": [3, 4, 2], "KGB": [1, 1, 1]}
    cross = stats.cross
    assert cross.row_labels[:2] == ["Female", "Male"]
    assert cross.cells[0][0] == 1 and cross.cells[1][2] == 1 and cross.cells[1][5] == 1
    assert cross.grand_total == 3


def test_the_filters_are_the_event_lists(team: Team, register: dict[str, object]) -> None:
    client = Client()
    log_in(client, team.owner)
    region = Place.objects.get(code="BY-BR").pk
    page = client.get(f"/statistics/?region={region}")
    assert page.status_code == 200
    assert page.context["stats"].events == 1 and page.context["stats"].acts == 0
    detention = register["detention"]
    assert isinstance(detention, Term)
    page = client.get(f"/statistics/?act={detention.pk}&since=2020-08-10")
    assert (page.context["stats"].events, page.context["stats"].acts) == (2, 3)
    text = page.content.decode()
    assert "Deprivation of liberty" in text and "2020-08-10" in text and "Europe/Minsk" in text
    assert AuditEvent.objects.filter(action="statistics.view").exists()
    # the page offers the event list's filters, not hidden inputs: region, act type, status
    page = client.get(f"/statistics/?region={region}&act={detention.pk}")
    text = page.content.decode()
    for name in ("region", "act", "status"):
        assert f'<select name="{name}">' in text, name
        assert f'type="hidden" name="{name}"' not in text, name
    assert f'<option value="{region}" selected>' in text
    assert f'<option value="{detention.pk}" selected>' in text
    methodology = " ".join(page.context["methodology"])
    assert "Brest" in methodology and "Deprivation of liberty" in methodology
    # the downloads keep the filters
    assert f"export.csv?region={region}&amp;act={detention.pk}" in text
    assert f"export.svg?region={region}&amp;act={detention.pk}" in text
    # the list of events links here with its own filters
    events = client.get(f"/register/events/?region={region}").content.decode()
    assert f"/statistics/?region={region}" in events


def test_downloads_show_small_counts_as_under_five_and_the_page_shows_them_exactly(
    team: Team, register: dict[str, object]
) -> None:
    client = Client()
    log_in(client, team.owner)
    page = client.get("/statistics/").content.decode()
    assert '<td class="num">3<abbr' in page  # exact, marked as withheld when published
    assert "4 events, 6 acts and 3 distinct victims" in page

    text = client.get("/statistics/export.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["Type of act", "Events", "Acts", "Victims"] in lines
    assert ["Deprivation of liberty", "<5", "<5", "<5"] in lines
    assert ["Brest Region", "<5", "0", "0"] in lines  # zeros are shown
    assert not any(cell in {"1", "2", "3", "4"} for line in lines for cell in line)
    assert "Methodology" in text and "Europe/Minsk" in text
    assert "distinct victims" not in text and "6 acts" not in text  # no exact count

    book = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx").content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row if c is not None]  # fmt: skip
    assert "<5" in cells and not any(c in (1, 2, 3, 4) for c in cells)

    svg = client.get("/statistics/export.svg?table=act_type&measure=acts")
    assert svg["Content-Type"] == "image/svg+xml"
    drawing = svg.content.decode()
    assert "<title" in drawing and "Deprivation of liberty" in drawing and "&lt;5" in drawing
    assert ">3<" not in drawing and "http://" not in drawing.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_larger_counts_are_published_and_their_complements_withheld(team: Team) -> None:
    beating, detention = term("act_type", "20"), term("act_type", "10")
    minsk = Place.objects.get(code="city.minsk")
    event = Event.objects.create(compartment=team.a, title="many", place=minsk)
    for _ in range(12):
        Act.objects.create(compartment=team.a, event=event, act_type=detention)
    for _ in range(2):
        Act.objects.create(compartment=team.a, event=event, act_type=beating)
    stats = statistics.compute(Event.objects.filter(compartment=team.a))
    by_type = stats.table("act_type")
    assert by_type is not None
    published = {line[0]: line[2] for line in by_type.published()}  # acts
    # 2 is under 5, and 14 - 12 would give it away: 12 is withheld too
    assert published == {"Type of act": "Acts", "Deprivation of liberty": "x",
                         "Violence against the person": "<5", "Total": "14"}  # fmt: skip


def test_only_the_compartments_users_see_its_statistics(
    team: Team, register: dict[str, object]
) -> None:
    outsider = Client()
    log_in(outsider, team.outsider)
    page = outsider.get("/statistics/")
    assert page.status_code == 200 and page.context["stats"].events == 1  # B's own event
    intake = Client()
    log_in(intake, team.teammate)  # intake: may see the register, not the cases
    assert intake.get("/statistics/").status_code == 404


def test_a_number_two_tables_publish_is_withheld_in_both_or_neither(team: Team) -> None:
    """The victims by sex are the margins of the table by sex and age group (and by age its
    other margins): published in one, a number withheld in the other could be subtracted.
    Here the cross table must withhold the men's total (10) to hide two girls: the men's row
    is 0, 10, 0, 0, 0, 0 and their 10 aged 18-29 would give the women's 8, then the 2."""
    event = Event.objects.create(
        compartment=team.a, title="many", start=datetime(2020, 8, 10, 12, tzinfo=MINSK)
    )
    beating = term("act_type", "20")
    for n, (gender, born) in enumerate(
        [("female", date(2005, 1, 1))] * 2 + [("female", date(1995, 1, 1))] * 8
        + [("male", date(1995, 1, 1))] * 10
    ):  # fmt: skip
        victim = Person.objects.create(
            compartment=team.a, display_name=f"v{n}", gender=gender, birth_date=born,
            birth_precision=Precision.DAY,
        )  # fmt: skip
        Act.objects.create(compartment=team.a, event=event, act_type=beating, victim=victim)
    stats = statistics.compute(Event.objects.filter(compartment=team.a))
    cross = {line[0]: line for line in stats.cross.published()}
    by_sex, by_age = stats.table("sex"), stats.table("age")
    assert by_sex is not None and by_age is not None
    sexes = {line[0]: line[3] for line in by_sex.published()[1:]}
    ages = {line[0]: line[3] for line in by_age.published()[1:]}
    assert cross["Female"][1] == "<5"  # the two girls
    # the women's total, withheld in the cross table, is withheld by sex too (alone, the
    # table by sex would have shown 10)
    assert sexes == {"Female": cross["Female"][-1], "Male": cross["Male"][-1],
                     "Total": cross["Total"][-1]}  # fmt: skip
    assert sexes["Female"] == "x"
    heading = cross["Sex / Age group"]
    assert ages == {label: cross["Total"][heading.index(label)] for label in ("0–17", "18–29")} | {
        "Total": cross["Total"][-1]
    }


def test_chart_labels_fit_beside_the_bars_in_every_language() -> None:
    """A long Belarusian or Russian type of act is shortened enough not to be cut off at the
    chart's left edge (the SVG is published as it is drawn)."""
    from docket.cases import charts
    from docket.register.vocabulary import load_all

    labels = [
        term.labels[language]
        for name in ("act_type", "unit_type")
        for term in load_all()[name].terms
        for language in ("en", "be", "ru")
    ]
    longest = max(labels, key=len)
    assert len(longest) > charts.LABEL_LETTERS  # some are shortened
    for label in labels:
        assert len(charts._short(label)) * 7.5 <= charts.LABEL - 6, label


def test_downloads_write_no_cell_a_spreadsheet_would_run(team: Team) -> None:
    """Types of act and of unit are added on the vocabularies page: a label that begins with
    =, +, - or @ must reach the CSV and XLSX as text, not as a formula."""
    hostile = '=HYPERLINK("http://127.0.0.1:9/x","y")'
    kind = Term.objects.create(
        vocabulary="act_type", code="990", label_en=hostile, label_be=hostile, label_ru=hostile
    )
    unit_type = Term.objects.create(
        vocabulary="unit_type", code="990", label_en="@SUM(1+1)", label_be="@", label_ru="@"
    )
    unit = Unit.objects.create(compartment=team.a, name="U", unit_type=unit_type)
    event = Event.objects.create(compartment=team.a, title="e")
    for _ in range(6):
        made = Act.objects.create(compartment=team.a, event=event, act_type=kind)
        Involvement.objects.create(
            compartment=team.a, act=made, unit=unit, degree=term("involvement_degree", "10")
        )
    client = Client()
    log_in(client, team.owner)

    text = client.get("/statistics/export.csv").content.decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    assert "'" + hostile in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]

    book = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx").content))
    found = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.value for c in found if c.data_type == "f"]
    assert hostile in [c.value for c in found]  # as text, as typed


def test_the_victims_total_withheld_in_the_cross_table_is_withheld_in_every_table(
    team: Team,
) -> None:
    """Every victim is counted once in the totals of the tables by type of act, region and
    month, as in the grand total of the table by sex and age group: where that table must
    withhold it, none may publish it. Here the 0-17 column's total is the woman's 10 (its
    other cells are 0), its 18-29 total is 37: with the grand total 51 read from another
    table, the four victims aged 30-44 would be 51 - 10 - 37."""
    from docket.accounts.models import Compartment

    compartment = Compartment.objects.create(name="cross-totals")
    event = Event.objects.create(
        compartment=compartment, title="many", start=datetime(2020, 8, 10, 12, tzinfo=MINSK)
    )
    beating = term("act_type", "20")
    born = {"0-17": date(2005, 1, 1), "18-29": date(1995, 1, 1), "30-44": date(1985, 1, 1)}
    grid = {"female": [10, 20, 1], "male": [0, 10, 3], "unknown": [0, 7, 0]}
    n = 0
    for gender, counts in grid.items():
        for group, count in zip(born, counts, strict=True):
            for _ in range(count):
                n += 1
                victim = Person.objects.create(
                    compartment=compartment, display_name=f"v{n}", gender=gender,
                    birth_date=born[group], birth_precision=Precision.DAY,
                )  # fmt: skip
                Act.objects.create(
                    compartment=compartment, event=event, act_type=beating, victim=victim
                )
    stats = statistics.compute(Event.objects.filter(compartment=compartment))
    grand = stats.cross.published()[-1][-1]
    assert grand == "x", "the cross table withholds its grand total here"
    for key in ("act_type", "region", "month", "sex", "age"):
        table = stats.table(key)
        assert table is not None
        assert "51" not in [line[3] for line in table.published()], key
