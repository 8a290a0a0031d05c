"""The name model, table by table. Each table is written from a transliteration standard or a
regular correspondence (the letters the standard gives, applied to names chosen here), not
from the development set the benchmark scores."""

from __future__ import annotations

import pytest

from docket.analysis import names

# (Cyrillic, its spelling in the system) — every pair must share a sound key.
BELARUSIAN_BGN_PCGN = [  # BGN/PCGN 1979 for Belarusian: ў -> ŭ, х -> kh, ц -> ts, ь -> '
    ("Лукашэнка", "Lukashenka"), ("Жодзіна", "Zhodzina"), ("Шклоў", "Shkloŭ"),
    ("Міхась", "Mikhas'"), ("Аляксандр", "Alyaksandr"), ("Ціханоўская", "Tsikhanoŭskaya"),
]  # fmt: skip
BELARUSIAN_NATIONAL_2007 = [  # the national system (passports): ў -> u, ц -> ts, я -> ia
    ("Аляксандр", "Aliaksandr"), ("Шклоў", "Shklou"), ("Ціханоўская", "Tsikhanouskaya"),
    ("Раўкоў", "Raukou"), ("Дзмітрый", "Dzmitry"), ("Святлана", "Sviatlana"),
    ("Дзяржынскі", "Dziarzhynski"),  # р+ж, not the Polish rz
]  # fmt: skip
LACINKA = [  # č š ž ŭ ć ń ś ź ł; the soft sign as an acute or apostrophe
    ("Ціханоўская", "Cichanoŭskaja"), ("Лукашэнка", "Łukašenka"), ("Жодзіна", "Žodzina"),
    ("Васіль", "Vasiĺ"), ("Мікалай", "Mikałaj"), ("Кастусь", "Kastuś"), ("Генадзь", "Hienadź"),
    ("Чульцова", "Čuĺcova"), ("Пяцько", "Piaćko"), ("Сяргей", "Siarhiej"),
]  # fmt: skip
ICAO_9303 = [  # Russian passports since 2013: ж zh, х kh, ц ts, ч ch, щ shch, ю iu, я ia, й i
    ("Юлия", "IULIIA"), ("Щербакова", "SHCHERBAKOVA"), ("Пригожин", "PRIGOZHIN"),
    ("Евгений", "EVGENII"), ("Хрущёв", "KHRUSHCHEV"), ("Цуканов", "TSUKANOV"),
]  # fmt: skip
GOST_7_79_B = [  # ц -> cz (c before e, i, y, j), х -> x, щ -> shh, ы -> y`, э -> e`
    ("Цуканов", "Czukanov"), ("Харитонов", "Xaritonov"), ("Щербакова", "Shherbakova"),
    ("Цыганков", "Cy`gankov"), ("Эдуард", "E`duard"),
]  # fmt: skip
ISO_9_AND_SCHOLARLY = [  # ž č š ŝ / šč, c for ц, h or x for х, û/ju, â/ja
    ("Жуков", "Žukov"), ("Чернышевский", "Černyševskij"), ("Щукин", "Ŝukin"),
    ("Щукин", "Ščukin"), ("Хрущёв", "Hruŝëv"), ("Хрущёв", "Xruščëv"), ("Юрьев", "Ûr'ev"),
    ("Цуканов", "Cukanov"),
]  # fmt: skip
POLISH = [  # cz sz ż w ł, ie after a soft consonant, ch for х, c for ц
    ("Чернышевский", "Czernyszewski"), ("Жуков", "Żukow"), ("Хрущёв", "Chruszczow"),
    ("Толстой", "Tołstoj"), ("Цуканов", "Cukanow"), ("Пятров", "Piatrow"),
    ("Лебедев", "Lebiediew"),
]  # fmt: skip
ENGLISH_PRESS = [  # Zh, Kh, Ts, Ch, Sh, Shch, Yu, Ya; -sky, -y for -ий
    ("Хрущёв", "Khrushchev"), ("Толстой", "Tolstoy"), ("Чернышевский", "Chernyshevsky"),
    ("Юрьев", "Yuryev"), ("Ярошенко", "Yaroshenko"), ("Щукин", "Shchukin"),
]  # fmt: skip
BELARUSIAN_RUSSIAN = [  # the regular correspondences of one name's two forms
    ("Галоўчанка", "Головченко"),  # akanye а/о, ў/в, -анка/-енко
    ("Стэфановіч", "Стефанович"),  # э/е, і/и
    ("Раўкоў", "Равков"),  # -оў/-ов
    ("Качанава", "Кочанова"),  # -ава/-ова
    ("Дзмітрый", "Дмитрий"),  # дз/д
    ("Церцель", "Тертель"),  # ц/т before a soft vowel
    ("Паўлічэнка", "Павличенко"),  # -ічэнка/-иченко
    ("Ярмошына", "Ермошина"),  # я/е, ы/и
    ("Уладзімір", "Владимир"),  # initial у-/в-
]  # fmt: skip


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    BELARUSIAN_BGN_PCGN + BELARUSIAN_NATIONAL_2007 + LACINKA + ICAO_9303 + GOST_7_79_B
    + ISO_9_AND_SCHOLARLY + POLISH + ENGLISH_PRESS + BELARUSIAN_RUSSIAN,
)  # fmt: skip
def test_a_word_and_its_transliteration_share_a_sound_key(cyrillic: str, latin: str) -> None:
    assert names.keys(cyrillic) & names.keys(latin), (names.keys(cyrillic), names.keys(latin))


COGNATES = [  # the same given name in Belarusian, Russian, Latin and Polish (data, not code)
    ("Аляксандр", "Александр"), ("Aliaksandr", "Alexander"), ("Alaksandr", "Aleksander"),
    ("Уладзімір", "Владимир"), ("Мікалай", "Николай"), ("Mikołaj", "Nikolai"),
    ("Ігар", "Игорь"), ("Юрый", "Юрий"), ("Ганна", "Анна"), ("Кацярына", "Екатерина"),
    ("Вольга", "Ольга"), ("Наста", "Анастасия"), ("Andrzej", "Андрей"), ("Алесь", "Александр"),
    ("Зміцер", "Дмитрий"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), COGNATES)
def test_cognate_given_names_are_one_name(a: str, b: str) -> None:
    found = names.score(f"{a} Ковальчук", f"{b} Kovalchuk")
    assert found.value >= names.THRESHOLD, found


ORDERS = [  # one person, the parts in every order the sources use
    ("Иван Тертель", "Тертель Иван Станиславович"),
    ("Ivan Tertel", "TERTEL Ivan"),
    ("Ivan Tertel", "Tertel, Ivan"),
    ("Ivan Tertel", "Иван Станиславович Тертель"),
    ("Іван Церцель", "И. С. Тертель"),
    ("Ivan Tertel", "I. Tertel"),
    ("Тертель Иван Станиславович", "Tertel I. S."),
    ("Іван Церцель (старэйшы)", "Ivan Tsertsel"),  # a remark in brackets is not a name part
    ("Tertel [KGB] Ivan", "Иван Тертель"),
    ("Іван Церцель, 1966 г.н.", "Ivan Tertel"),  # a birth year after a comma
    ("Ivan Tertel — chairman of the KGB", "Иван Тертель"),  # a description after a dash
    ("Mr Ivan Tertel", "Іван Церцель"),  # a form of address
    ("палкоўнік Іван Церцель", "Ivan Tertel"),  # a rank
    ("Ivan<b>Tertel</b>", "Ivan Tertel"),  # markup is not a name
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), ORDERS)
def test_the_order_of_the_parts_and_initials_do_not_hide_a_person(a: str, b: str) -> None:
    assert names.score(a, b).value >= names.THRESHOLD


DIFFERENT = [  # look-alikes that are other people
    ("Igor Karpenkov", "Ігар Карпенка"),  # another surname, one letter more
    ("Yury Nazarau", "Юрый Назаранка"),
    ("Игорь Лосицкий", "Ігар Лосік"),
    ("Maria Rabkova", "Марфа Рабкова"),  # the same family name, another woman
    ("Тертель Иван Станиславович", "Тертель Иван Петрович"),  # patronymics differ
    ("I. Tertel", "Andrei Tertel"),  # the initial does not fit
    ("Ivan Tertel", "Tertel"),  # a surname alone is not enough
    ("Іван Церцель<script>", "Андрэй Script"),  # markup never becomes a surname
    ("Lieanid Horienau", "Aliena Horienau"),  # Лёня and Лена: diminutives that look alike
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_look_alikes_stay_apart(a: str, b: str) -> None:
    assert names.score(a, b).value < names.THRESHOLD


def test_a_score_says_why() -> None:
    found = names.score("Іван Церцель", "Тертель Иван Станиславович")
    assert found.value >= names.THRESHOLD
    assert any(reason.startswith("surname: same sounds") for reason in found.why)
    assert any(reason.startswith("given name:") for reason in found.why)
    apart = names.score("Igor Karpenkov", "Ігар Карпенка")
    assert apart.value == 0 and "surnames differ" in apart.why[0]


def test_a_name_is_parsed_into_its_parts() -> None:
    official = names.parse("ТЕРТЕЛЬ Иван Станиславович")
    assert [(p.text, p.role) for p in official.parts] == [
        ("ТЕРТЕЛЬ", "surname"), ("Иван", "given"), ("Станиславович", "patronymic"),
    ]  # fmt: skip
    # A rank in front is dropped; a surname that is also a rank stays.
    assert [p.text for p in names.parse("Major John Smith").parts] == ["John", "Smith"]
    assert [p.text for p in names.parse("John Major").parts] == ["John", "Major"]
    comma = names.parse("Tertel, Ivan")
    assert [(p.text, p.role) for p in comma.parts] == [("Tertel", "surname"), ("Ivan", "given")]
    initials = names.parse("И.С. Тертель")
    assert [(p.text, p.role, p.initial) for p in initials.parts] == [
        ("И", "given", True), ("С", "patronymic", True), ("Тертель", "surname", False),
    ]  # fmt: skip
    # A given name known to the table tells the order of two words; otherwise both are tried.
    assert [p.role for p in names.parse("Dziarzhynski Ales").parts] == ["surname", "given"]
    assert not names.parse("Dziarzhynski Kovalchuk").ordered
    with pytest.raises(ValueError):
        names.parse("  ,. ")
