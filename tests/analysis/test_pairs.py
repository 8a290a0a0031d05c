"""`docket names pairs FILE`: the pairs of a list that may be one person, from the command
line, with no instance and no database; clear errors for a bad file; blocking that loses no
pair the scorer keeps."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from docket.analysis import names, pairs

LIST = """id\tname\tsource
7\tІван Церцель\ttestimony
8\tIvan Tertel\tpress
9\tТертель Иван Станиславович\torder
10\tIgor Karpenkov\tpress
11\tІгар Карпенка\ttestimony
12\tАндрэй Церцель\ttestimony
"""


def names_pairs(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env["DOCKET_DATA_DIR"] = str(tmp_path / "no-such-instance")
    return subprocess.run(
        [sys.executable, "-m", "docket", "names", "pairs", *args],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


def test_it_prints_each_pair_once_best_first_without_an_instance(tmp_path: Path) -> None:
    listed = tmp_path / "people.tsv"
    listed.write_text(LIST, encoding="utf-8")
    done = names_pairs(tmp_path, str(listed), "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)["pairs"]
    assert {frozenset((p["a"], p["b"])) for p in found} == {
        frozenset(("7", "8")), frozenset(("7", "9")), frozenset(("8", "9")),
    }  # fmt: skip
    assert all(isinstance(p["a"], str) and isinstance(p["why"], list) for p in found)
    assert [p["score"] for p in found] == sorted((p["score"] for p in found), reverse=True)
    assert not (tmp_path / "no-such-instance").exists()  # nothing made, nothing opened
    # A CSV reads the same; a lower threshold lets the look-alikes in.
    as_csv = tmp_path / "people.csv"
    as_csv.write_text(LIST.replace("\t", ","), encoding="utf-8")
    loose = json.loads(names_pairs(tmp_path, str(as_csv), "--json", "--threshold", "0.2").stdout)
    listed_pairs = {frozenset((p["a"], p["b"])) for p in loose["pairs"]}
    assert frozenset(("7", "12")) in listed_pairs  # the same surname, another given name
    assert frozenset(("10", "11")) not in listed_pairs  # surnames that differ never


def test_a_bad_file_is_refused_naming_its_line(tmp_path: Path) -> None:
    cases = {
        "no-name.tsv": (b"id\tfull\n1\tIvan Tertel\n", "line 1: no column named 'name'"),
        "latin1.csv": (
            "id,name\n1,Ivan\n2,Jos\xe9 Tertel\n".encode("latin-1"), "line 3: not UTF-8"
        ),
        "empty.tsv": (b"id\tname\n1\tIvan Tertel\n2\t  \n", "line 3: the name is empty"),
    }  # fmt: skip
    for filename, (data, message) in cases.items():
        path = tmp_path / filename
        path.write_bytes(data)
        done = names_pairs(tmp_path, str(path), "--json")
        assert done.returncode == 2 and message in done.stderr, (filename, done.stderr)
        assert "Traceback" not in done.stderr and "docket/" not in done.stderr
    missing = names_pairs(tmp_path, str(tmp_path / "nothing.tsv"))
    assert missing.returncode == 2 and "nothing.tsv" in missing.stderr


def _random_names(seed: int, count: int) -> list[pairs.Entry]:
    """Names from a small alphabet of sounds and scripts, in every order and form the parser
    reads (initials, patronymics, surname first, a surname alone): many collisions."""
    rng = random.Random(seed)
    syllables = ["ка", "ра", "ло", "ці", "ва", "ду", "ко", "ne", "ro", "sza", "wi", "ł", "ch"]
    given = ["Іван", "Ivan", "Ігар", "Igor", "Мікалай", "Nikolai", "Анна", "Hanna", "Алена",
             "Елена", "Jan", "Ян", "Юрый", "Yury", "I.", "И.", "A.", "Е.", "Ю."]  # fmt: skip
    middle = ["", "", "Иванович", "Ігаравіч", "I.", "С."]
    entries = []
    for n in range(count):
        surname = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()
        first, patronymic = rng.choice(given), rng.choice(middle)
        form = rng.choice(
            [f"{first} {surname}", f"{surname} {first} {patronymic}", f"{surname}, {first}",
             f"{first} {patronymic} {surname}", surname, f"{surname.upper()} {first}"]
        )  # fmt: skip
        entries.append(pairs.Entry(str(n), names.parse(" ".join(form.split()))))
    return entries


@pytest.mark.parametrize("threshold", [names.THRESHOLD, 0.95, 0.7, 0.5])
def test_blocking_keeps_every_pair_all_pairs_scoring_finds(threshold: float) -> None:
    entries = _random_names(20, 300)
    everything = {
        frozenset((a.id, b.id))
        for a, b, score in pairs.all_pairs(entries)
        if score.value >= threshold
    }
    blocked = {frozenset((p.a, p.b)) for p in pairs.pairs(entries, threshold)}
    assert everything and blocked == everything
    compared = len(list(pairs.blocks(entries, threshold)))
    assert compared < len(list(itertools.combinations(entries, 2))) / 2


def test_an_index_finds_for_each_name_what_scoring_every_name_finds() -> None:
    entries = _random_names(21, 300)
    index = pairs.Index(entries[:200])
    matched = 0
    for typed in entries[200:]:
        expected = {
            e.id for e in entries[:200] if names.score(typed.name, e.name).value >= names.THRESHOLD
        }
        assert {found for found, _ in index.matches(typed.name)} == expected
        matched += bool(expected)
    assert matched >= 10


def test_one_records_names_pair_as_one_with_its_best_score() -> None:
    entries = [
        pairs.Entry("1", names.parse("Ivan Tertel")),
        pairs.Entry("1", names.parse("Іван Церцель")),  # the same record's other name
        pairs.Entry("2", names.parse("Тертель Иван Станиславович")),
        pairs.Entry("3", names.parse("Igor Karpenkov")),
    ]
    found = pairs.pairs(entries)
    assert [(p.a, p.b) for p in found] == [("1", "2")]
    assert found[0].score == max(names.score(e.name, entries[2].name).value for e in entries[:2])


def test_an_index_finds_what_all_pairs_scoring_would_and_nothing_else() -> None:
    held = [
        pairs.Entry("7", names.parse("Іван Церцель")),
        pairs.Entry("8", names.parse("Karpenkov Igor")),
        pairs.Entry("8", names.parse("Ігар Карпянкоў")),
        pairs.Entry("9", names.parse("Андрэй Церцель")),
    ]
    index = pairs.Index(held)
    typed = names.parse("Ivan Tertel")
    expected = sorted({e.id for e in held if names.score(typed, e.name).value >= names.THRESHOLD})
    assert [found for found, _ in index.matches(typed)] == expected == ["7"]
    assert [found for found, _ in index.matches(names.parse("Игорь Карпенков"))] == ["8"]
    assert index.matches(names.parse("Maria Kalesnikava")) == []
