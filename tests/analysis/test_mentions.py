"""Finding the register's names in running text, table by table. The case forms come from the
declension of Russian and Belarusian surnames (the paradigm of each kind, applied to names
chosen here), not from any document."""

from __future__ import annotations

import pytest

from docket.analysis import mentions, names

# (how the register writes the person, a sentence naming them in a case form, the words found)
DECLINED = [
    # -ов/-ев/-ин, and Belarusian -оў: genitive, dative, instrumental, prepositional, plural
    ("Пётр Раўкоў", "Приказ подписан Равковым.", "Равковым"),
    ("Пётр Раўкоў", "Загад Раўкова ад 5 траўня", "Раўкова"),
    ("Pyotr Ravkov", "Жалоба направлена Равкову", "Равкову"),
    ("Сергей Пугачёв", "О Пугачёве писали", "Пугачёве"),
    ("Олег Калинин", "Калининым подписано", "Калининым"),
    ("Олег Калинин", "дело Калининых", "Калининых"),
    # feminine -ова/-ина, and Belarusian -ава: -ой, -ою, -ай, -у
    ("Мария Рабкова", "Суд над Рабковой начался", "Рабковой"),
    ("Maria Rabkova", "Суд над Рабковай пачаўся", "Рабковай"),
    ("Лидия Ермошина", "письмо Ермошиной", "Ермошиной"),
    ("Лідзія Ярмошына", "ліст Ярмошынай", "Ярмошынай"),
    # adjectival -ский/-цкий/-ой, and Belarusian -скі: -ого/-ага, -ому/-аму, -им/-ім
    ("Игорь Лосицкий", "показания Лосицкого", "Лосицкого"),
    ("Ігар Лосіцкі", "паказанні Лосіцкага", "Лосіцкага"),
    ("Igor Lositskiy", "передано Лосицкому", "Лосицкому"),
    ("Ігар Лосіцкі", "з Лосіцкім", "Лосіцкім"),
    ("Вадим Толстой", "у Толстого", "Толстого"),
    # feminine adjectival -ская: -ой, -ую, Belarusian -ай
    ("Светлана Тихановская", "встреча с Тихановской", "Тихановской"),
    ("Sviatlana Tsikhanouskaya", "сустрэча з Ціханоўскай", "Ціханоўскай"),
    ("Святлана Ціханоўская", "поддержали Тихановскую", "Тихановскую"),
    # -ель/-ець and other consonants, Belarusian forms included
    ("Ivan Tertel", "Указание Тертеля исполнено", "Тертеля"),
    ("Ivan Tertel", "звярнуліся да Церцеля", "Церцеля"),
    ("Ivan Tertel", "дакладна Церцелю", "Церцелю"),
    ("Ivan Tertel", "размова з Церцелем", "Церцелем"),
    ("Іван Церцель", "доклад Тертелю", "Тертелю"),
    ("Роман Пратасевич", "з Пратасевічам", "Пратасевічам"),
    ("Роман Пратасевич", "о Пратасевиче", "Пратасевиче"),
    # a fleeting vowel: -ец, -ёнак
    ("Олег Кравец", "рапорт Кравца", "Кравца"),
    ("Алег Кавалёнак", "рапарт Кавалёнка", "Кавалёнка"),
    # nouns in -а (either gender), Belarusian -ам for a man
    ("Віктар Шульга", "с Шульгой", "Шульгой"),
    ("Віктар Шульга", "з Шульгам", "Шульгам"),
    # -енко is one form in Russian; -енка declines in Belarusian
    ("Аляксандр Лукашэнка", "встреча с Лукашенко", "Лукашенко"),
    ("Alexander Lukashenko", "сустрэча з Лукашэнкам", "Лукашэнкам"),
    ("Alexander Lukashenko", "ад Лукашэнкі", "Лукашэнкі"),
    ("Александр Лукашенко", "Lukashenka said", "Lukashenka"),
]  # fmt: skip


@pytest.mark.parametrize(("person", "text", "words"), DECLINED)
def test_a_surname_is_found_in_its_case_forms(person: str, text: str, words: str) -> None:
    index = mentions.Index()
    index.add_person("p", [person])
    found = index.find(text)
    assert [(f.who, f.words) for f in found] == [("p", words)]
    assert text[found[0].start : found[0].end] == words


# (the person, a text that must not be taken for them, why)
NOT_THEM = [
    ("Ivan Tertel", "Тертышный пришёл", "another surname that starts alike"),
    ("Ivan Tertel", "Тертелик пришёл", "a longer word is another surname"),
    ("Сергей Ковалёв", "Коваль пришёл", "the stem of Ковалёв is Ковалёв-"),
    ("Игорь Карпенков", "Карпенка пришёл", "one letter is another family"),
    ("Иван Иванов", "приказ Ивановой", "the feminine form is a woman"),
    ("Иван Иванов", "улица Ивановская", "an adjective made of the surname"),
    ("Иван Иванов", "Иван Петрович пришёл", "a given name alone is no mention"),
    ("Ivan Tertel", "тертель", "a surname starts with a capital"),
    ("Ivan Tertel", "Андрея Тертеля задержали", "another given name: another person"),
    ("Ivan Tertel", "Тертель Андрей Петрович", "another given name after the surname"),
    ("Ivan Tertel", "А. Б. Тертель", "initials that do not fit"),
    ("Тертель Иван Станиславович", "Тертель Иван Петрович", "the patronymic differs"),
    ("Chen Kim", "Кима вызвали", "a surname this short needs its given name"),
]  # fmt: skip


@pytest.mark.parametrize(("person", "text", "why"), NOT_THEM)
def test_look_alikes_and_bare_given_names_are_not_mentions(
    person: str, text: str, why: str
) -> None:
    index = mentions.Index()
    index.add_person("p", [person])
    assert index.find(text) == [], why


# (the person, the text, the words found, the score at least / below)
STRENGTH = [
    ("Ivan Tertel", "Подписано: Тертелем И.С.", "Тертелем И.С.", 0.9),
    ("Ivan Tertel", "Подписано: И.С. Тертель", "И.С. Тертель", 0.9),
    ("Іван Церцель", "Ивана Тертеля вызвали", "Ивана Тертеля", 1.0),
    ("Тертель Иван Станиславович", "Тертель Иван Станиславович",
     "Тертель Иван Станиславович", 1.0),
    ("Тертель Иван Станиславович", "Иваном Станиславовичем Тертелем",
     "Иваном Станиславовичем Тертелем", 1.0),
    ("Ivan Tertel", "I. Tertel", "I. Tertel", 0.9),
    ("Мікалай Карпянкоў", "Николаем Карпенковым", "Николаем Карпенковым", 0.95),
]  # fmt: skip


@pytest.mark.parametrize(("person", "text", "words", "at_least"), STRENGTH)
def test_the_given_name_or_initials_beside_the_surname_make_a_strong_mention(
    person: str, text: str, words: str, at_least: float
) -> None:
    index = mentions.Index()
    index.add_person("p", [person])
    [found] = index.find(text)
    assert found.words == words and found.score >= at_least >= names.THRESHOLD


def test_a_surname_alone_is_a_weaker_mention() -> None:
    index = mentions.Index()
    index.add_person("p", ["Ivan Tertel"])
    [found] = index.find("Сегодня Церцель заявил")
    assert found.words == "Церцель" and found.score == mentions.SURNAME_ALONE < names.THRESHOLD


def test_a_person_known_by_several_names_is_found_once_per_place() -> None:
    index = mentions.Index()
    index.add_person("p", ["Ivan Tertel", "Іван Церцель", "Тертель Иван Станиславович"])
    index.add_person("q", ["Андрей Тертель"])
    found = index.find("Тертелем И.С. подписано; Андрею Тертелю вручено.")
    assert [(f.who, f.words) for f in found] == [("p", "Тертелем И.С."), ("q", "Андрею Тертелю")]


# (a unit's names, the text, the words found)
UNITS = [
    (["ОМОН ГУВД Мингорисполкома"], "бойцы ОМОНа ГУВД Мингорисполкома",
     "ОМОНа ГУВД Мингорисполкома"),
    (["Главное управление внутренних дел"], "из Главного управления внутренних дел",
     "Главного управления внутренних дел"),
    (["Полк милиции № 2", "АМАП"], "байцы АМАПа", "АМАПа"),
    (["Полк милиции № 2"], "полка милиции № 2", "полка милиции № 2"),
    (["КГБ"], "сотрудники «КГБ»", "КГБ"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "text", "words"), UNITS)
def test_a_unit_is_found_by_its_name_as_a_phrase(written: list[str], text: str, words: str) -> None:
    index = mentions.Index()
    index.add_unit("u", written)
    assert [f.words for f in index.find(text)] == [words]


UNITS_NOT = [
    (["Полк милиции № 2"], "полк милиции № 3", "another number is another unit"),
    (["ГУВД Мингорисполкома"], "ГУВД области", "every word of the name, in order"),
    (["ОМОН"], "омон", "a one-word name with a capital, as written"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "text", "why"), UNITS_NOT)
def test_a_unit_needs_its_whole_name(written: list[str], text: str, why: str) -> None:
    index = mentions.Index()
    index.add_unit("u", written)
    assert index.find(text) == [], why


def test_words_are_looked_up_under_the_keys_names_are_filed_under() -> None:
    index = mentions.Index()
    index.add_person("p", ["Ivan Tertel"])
    assert mentions.lookup_keys("Церцелем сказано") & index.keys()
    assert not mentions.lookup_keys("Тертышный сказал") & index.keys()
    assert index.terms() == {"Tertel"}


def test_every_declension_of_the_data_file_is_read() -> None:
    read = {d.name: d for d in mentions.declensions()}
    assert {"masculine-possessive", "consonant", "fleeting", "noun-o"} <= set(read)
    assert "ым" in read["masculine-possessive"].endings and not read["consonant"].nominative


def test_a_snippet_is_the_text_around_the_span_on_one_line() -> None:
    text = "Начало. " + "слово " * 30 + "Подписал\nТертель И.С. " + "конец " * 30
    start = text.index("Тертель")
    shown = mentions.snippet(text, start, start + 7, width=40)
    assert shown.startswith("…") and shown.endswith("…") and "\n" not in shown
    assert "Подписал Тертель И.С." in shown and len(shown) < 110
    assert mentions.snippet("Тертель", 0, 7) == "Тертель"
