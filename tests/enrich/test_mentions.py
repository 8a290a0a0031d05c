"""The worker's whole path: a written testimony is stored, enrichment reads its words, and the
register's person it names is suggested on the item's page, without anyone asking."""

from __future__ import annotations

from pathlib import Path

from docket.register import history
from docket.register.models import Mention, Person
from tests.support.enriching import Enriching
from tests.support.personas import Team

TESTIMONY = (
    "Мяне затрымалі 10 жніўня каля метро. У РУУС мяне біў супрацоўнік, а загад, як казалі,\n"
    "аддаў асабіста Іван Церцель.\n"
)


def test_enrichment_finds_a_person_named_in_a_testimony(
    enriching: Enriching, team: Team, tmp_path: Path
) -> None:
    with enriching.capture(execute=True):  # as a page adds a person: its names are filed
        tertel = history.save(
            Person(compartment=team.a, display_name="Тертель Иван Станиславович"), actor=None
        )
    path = tmp_path / "testimony.txt"
    path.write_text(TESTIMONY, encoding="utf-8")
    item = enriching.put(path, compartment=team.a)
    enriching.work()
    [mention] = Mention.objects.filter(item=item)
    assert (mention.person, mention.page, mention.words) == (tertel, 1, "Іван Церцель")
    assert mention.score == 1.0 and mention.status == "suggested"
