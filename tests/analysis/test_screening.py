"""Screening's pure part: a listed name against an index of known persons' names, each person
once with their best name; blocking that loses no match the scorer keeps; a pasted list read
line by line."""

from __future__ import annotations

import random

import pytest

from docket.analysis import names, pairs
from docket.analysis.screening import Index, Known, read_lines


def known(*rows: tuple[int, str], threshold: float = names.THRESHOLD) -> Index:
    return Index((Known(person, names.parse(text)) for person, text in rows), threshold)


def test_it_finds_a_person_under_any_of_their_names_once_best_first() -> None:
    rows = (
        (1, "Тертель Иван Станиславович"), (1, "Іван Церцель"), (1, "I. S. Tertel"),
        (2, "Андрэй Церцель"), (3, "Ігар Карпенка"),
    )  # fmt: skip
    index = known(*rows)
    [match] = index.matches(names.parse("IVAN TSERTSEL"))
    assert match.person == 1
    assert match.score == names.score("IVAN TSERTSEL", "Іван Церцель").value
    assert any("surname" in why for why in match.why)
    assert index.matches(names.parse("Igor Karpenkov")) == []
    loose = known(*rows, threshold=0.2).matches(names.parse("Ivan Tertel"))
    assert [m.person for m in loose] == [1, 2]  # the namesake's brother, far behind
    assert loose[0].score > loose[1].score


def test_the_index_finds_what_scoring_every_known_name_finds() -> None:
    rng = random.Random(7)
    syllables = ["ка", "ра", "ло", "ці", "ва", "ду", "ко", "ne", "ro", "sza", "wi", "ł", "ch"]
    given = ["Іван", "Ivan", "Ігар", "Igor", "Мікалай", "Nikolai", "Анна", "Hanna", "I."]

    def a_name() -> str:
        surname = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()
        return f"{rng.choice(given)} {surname}"

    recorded = [(n // 2, a_name()) for n in range(400)]  # two names a person
    index = known(*recorded)
    for listed in (names.parse(a_name()) for _ in range(150)):
        everyone: dict[int, float] = {}
        for person, text in recorded:
            value = names.score(listed, text).value
            if value >= names.THRESHOLD:
                everyone[person] = max(value, everyone.get(person, 0.0))
        assert {m.person: m.score for m in index.matches(listed)} == everyone


def test_a_pasted_list_is_one_name_a_line_numbered_as_pasted() -> None:
    entries = read_lines("Ivan Tertel\n\n  Іван Церцель  \r\nTERTEL, Ivan\n")
    assert [(e.id, e.name.text) for e in entries] == [
        ("1", "Ivan Tertel"), ("3", "Іван Церцель"), ("4", "TERTEL, Ivan"),
    ]  # fmt: skip
    with pytest.raises(pairs.BadInput, match="line 2: no letters"):
        read_lines("Ivan Tertel\n-- 17 --\n")
