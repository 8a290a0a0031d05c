"""Names in Belarusian, Russian, Łacinka and the transliterations people type find each other."""

from __future__ import annotations

import pytest

from docket.analysis.spelling import fold, match, skeletons, words

SAME = [
    ("Akrestsina", "Okrestina", "Акрэсціна", "Окрестина"),
    ("Lukashenka", "Lukashenko", "Łukašenka", "Лукашенко", "Лукашэнка"),
    ("Tikhanovskaya", "Tsikhanouskaya", "Cichanouskaja", "Тихановская", "Ціханоўская"),
    ("Grodno", "Hrodna", "Гродна", "Гродно", "Horadnia"),
    ("Latushko", "Latushka", "Латушко", "Латушка"),
    ("Mogilev", "Mahiliou", "Magilyow", "Магілёў", "Могилёв"),
    ("Molodechno", "Maladziechna", "Маладзечна", "Молодечно"),
    ("Vitebsk", "Viciebsk", "Віцебск", "Витебск"),
    ("Zhodino", "Žodzina", "Жодзіна", "Жодино"),
    ("Dzerzhinsky", "Дзержинский", "Дзяржынскі"),
]


@pytest.mark.parametrize("spellings", SAME, ids=[s[0] for s in SAME])
def test_it_gives_every_spelling_of_a_name_a_common_skeleton(spellings: tuple[str, ...]) -> None:
    first = skeletons(spellings[0])
    for other in spellings[1:]:
        assert first & skeletons(other), f"{spellings[0]} and {other} should match"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Okrestina", "Zhodino"), ("Lukashenko", "Latushko"), ("Minsk", "Pinsk"),
     ("Brest", "Grodno"), ("Ivanov", "Petrov")],
)  # fmt: skip
def test_it_keeps_different_names_apart(a: str, b: str) -> None:
    assert not skeletons(a) & skeletons(b)


def test_it_matches_a_name_inside_a_longer_one_in_order() -> None:
    assert match("Lukashenka", "Аляксандр Лукашэнка")
    assert match("Ivan Petrov", "Иван Сергеевич Петров")
    assert not match("Petrov Ivan", "Иван Петров")  # order matters
    assert not match("", "Иван")


def test_it_folds_words_for_the_exact_index() -> None:
    assert words("Акрэсціна, 36 — Łukašenka's") == [
        "akrestsina",
        "lukasenkas",
    ]  # apostrophes drop, as in сям'я
    assert fold("ŽODZINA") == "zodzina"
