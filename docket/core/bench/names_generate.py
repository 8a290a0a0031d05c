"""Generated people for `docket bench names`'s de-duplication figures: Russian names made from
roots and suffixes, their Belarusian forms by the regular correspondences, and each rendered in
the spellings the sources use (Russian and Belarusian Cyrillic, the official order with a
patronymic, ICAO passports, BGN/PCGN, the Belarusian national system, Łacinka, Polish, an
initial), with look-alike decoys (the same surname with another given name, a surname one
letter longer). Fictional: no line names a real person on purpose."""

from __future__ import annotations

import random

ROOTS = (
    "Иван Петр Сидор Кузнец Ковал Мельник Новик Лукаш Гончар Бондар Шевч Ткач Кравч Рыбак "
    "Соколь Воробь Орл Волк Медвед Зайц Лисиц Бел Черн Сер Мороз Снег Гром Камен Берез Дуб "
    "Клен Лип Осип Тарас Степан Федор Григор Макар Демид Кирил Мирон Назар Остап Прокоп "
    "Савел Тимоф Ярош Лавр Карп Гордей Игнат Трофим Ефим Антон Артем Денис Борис Глеб Лев "
    "Роман Семен Юр Олег Захар Марк Матве Никит Павл Руслан Филип Яков Адам Валер Вадим "
    "Виталь Георг Гаврил Давид Евген Емель Жук Зуб Крот Лосев Мазур Нос Пан Рогач Сом Хмель "
    "Цвет Чиж Шаповал Щерб Бобр Дроздов Жаворон Колесник Кушнер Маляр Пекар Печник Плотник "
    "Полесь Садов Столяр Токар Шумск Бурак Гриб Капуст Морков Редьк Лук Горох Пшен Овс Лен"
).split()
#: More roots, made of two syllables, so that surnames are about as varied as a register's.
FIRST = (
    "Бур Гал Дор Жар Зор Кар Лаз Мар Нов Пар Рад Сав Тар Уш Хар Цар Чар Шал Яр Бел Вер "
    "Гор Дуб Зел Кос Лес Мир Нос Пол Рог Сух Тол Хол Чер Шум Вол Быч Пух Глаз Крук"
).split()
SECOND = "ан ен ин ок ук ич ял ас еш ор ут ым".split()
ROOTS = ROOTS + [a + b for a in FIRST for b in SECOND]
SUFFIXES = ("ов", "ев", "ин", "енко", "ович", "евич", "ский", "чук", "ик", "ко", "ёнок", "ец")
GIVEN = (  # Russian form, Belarusian form
    ("Александр", "Аляксандр"), ("Алексей", "Аляксей"), ("Андрей", "Андрэй"),
    ("Виктор", "Віктар"), ("Владимир", "Уладзімір"), ("Дмитрий", "Дзмітрый"),
    ("Евгений", "Яўген"), ("Иван", "Іван"), ("Игорь", "Ігар"), ("Николай", "Мікалай"),
    ("Михаил", "Міхаіл"), ("Павел", "Павел"), ("Пётр", "Пятро"), ("Сергей", "Сяргей"),
    ("Юрий", "Юрый"), ("Олег", "Алег"), ("Роман", "Раман"), ("Василий", "Васіль"),
    ("Геннадий", "Генадзь"), ("Леонид", "Леанід"), ("Анна", "Ганна"), ("Ольга", "Вольга"),
    ("Екатерина", "Кацярына"), ("Мария", "Марыя"), ("Наталья", "Наталля"),
    ("Татьяна", "Таццяна"), ("Светлана", "Святлана"), ("Елена", "Алена"), ("Ирина", "Ірына"),
    ("Людмила", "Людміла"), ("Анастасия", "Анастасія"), ("Юлия", "Юлія"),
)  # fmt: skip
MALE = {"Александр", "Алексей", "Андрей", "Виктор", "Владимир", "Дмитрий", "Евгений", "Иван",
        "Игорь", "Николай", "Михаил", "Павел", "Пётр", "Сергей", "Юрий", "Олег", "Роман",
        "Василий", "Геннадий", "Леонид"}  # fmt: skip

ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "і": "i",
    "ў": "u", "'": "",
}  # fmt: skip
BGN = {**ICAO, "й": "y", "ю": "yu", "я": "ya", "ё": "yo", "ь": "'", "ъ": '"', "ў": "ŭ"}
BELARUSIAN_NATIONAL = {**ICAO, "г": "h", "й": "j", "е": "ie", "ё": "io", "ю": "iu", "я": "ia"}
LACINKA = {
    **ICAO, "г": "h", "й": "j", "ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "ў": "ŭ",
    "е": "ie", "ё": "io", "ю": "iu", "я": "ia", "ь": "",
}  # fmt: skip
POLISH = {
    **ICAO, "в": "w", "й": "j", "ж": "ż", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz",
    "щ": "szcz", "е": "ie", "ё": "io", "ю": "iu", "я": "ia", "ы": "y",
}  # fmt: skip
VOWELS = set("аеёиоуыэюяі")


def latin(word: str, table: dict[str, str]) -> str:
    out: list[str] = []
    for n, char in enumerate(word.lower()):
        mapped = table.get(char, char)
        before = word[n - 1].lower() if n else ""
        if char in "еёюя" and (not before or before in VOWELS or before in "ьъ'"):
            mapped = "y" + mapped[-1] if table is BGN else "j" + mapped[-1]
            if char == "е" and table is ICAO:
                mapped = "e"
        if char == "ь" and table is LACINKA and out:
            out[-1] = {"n": "ń", "s": "ś", "z": "ź", "c": "ć", "l": "ĺ"}.get(out[-1], out[-1])
            continue
        out.append(mapped)
    return "".join(out).capitalize()


def belarusian(russian: str) -> str:
    """A Russian surname's Belarusian form by the regular correspondences."""
    word = russian.lower()
    for ru, be in (("енко", "енка"), ("ский", "скі"), ("ович", "овіч"), ("евич", "евіч")):
        if word.endswith(ru):
            word = word[: -len(ru)] + be
    if word.endswith(("ов", "ев")):
        word = word[:-1] + "ў"
    first_vowel = next((n for n, c in enumerate(word) if c in VOWELS), -1)
    letters = list(word)
    for n, char in enumerate(letters):
        after = letters[n + 1] if n + 1 < len(letters) else ""
        if char == "о" and n != first_vowel:
            letters[n] = "а"  # akanye
        elif char == "и":
            letters[n] = "ы" if n and letters[n - 1] in "жшчрц" else "і"
        elif char == "т" and after in ("е", "і", "и", "я", "ю", "ь"):
            letters[n] = "ц"
        elif char == "д" and after in ("е", "і", "и", "я", "ю", "ь"):
            letters[n] = "дз"
        elif char == "щ":
            letters[n] = "шч"
    return "".join(letters).capitalize()


def patronymic(given_ru: str) -> str:
    stem = given_ru.rstrip("йь")
    return stem + ("евич" if given_ru.endswith(("й", "ь")) else "ович")


def renderings(given: tuple[str, str], surname_ru: str, rng: random.Random) -> list[str]:
    ru_given, be_given = given
    be_surname = belarusian(surname_ru)
    forms = [
        f"{ru_given} {surname_ru}",
        f"{be_given} {be_surname}",
        f"{latin(ru_given, ICAO).upper()} {latin(surname_ru, ICAO).upper()}",
        f"{latin(ru_given, BGN)} {latin(surname_ru, BGN)}",
        f"{latin(be_given, BELARUSIAN_NATIONAL)} {latin(be_surname, BELARUSIAN_NATIONAL)}",
        f"{latin(be_given, LACINKA)} {latin(be_surname, LACINKA)}",
        f"{latin(ru_given, POLISH)} {latin(surname_ru, POLISH)}",
        f"{ru_given[0]}. {surname_ru}",
    ]
    if ru_given in MALE:
        forms.append(f"{surname_ru.upper()} {ru_given} {patronymic(rng.choice(sorted(MALE)))}")
    return rng.sample(forms, rng.randint(2, 5))


def people(count: int, *, decoys: int, seed: int = 20) -> list[tuple[str, str]]:
    """(cluster, name) lines: `count` people in 2-5 spellings each, then `decoys` look-alikes
    that are other people, each a cluster of its own."""
    rng = random.Random(seed)
    surnames = [root + suffix for root in ROOTS for suffix in SUFFIXES]
    rows: list[tuple[str, str]] = []
    chosen: list[tuple[tuple[str, str], str]] = []
    taken: set[tuple[str, str]] = set()
    while len(chosen) < count:
        person = (rng.choice(GIVEN), rng.choice(surnames))
        if (person[0][0], person[1]) in taken:
            continue
        taken.add((person[0][0], person[1]))
        chosen.append(person)
    for n, (given, surname) in enumerate(chosen):
        rows += [(f"p{n}", name) for name in renderings(given, surname, rng)]
    for n in range(decoys):
        given, surname = rng.choice(chosen)
        if n % 2:
            other = rng.choice([g for g in GIVEN if g != given])
            if (other[0], surname) in taken:
                continue
            rows.append((f"d{n}", f"{other[0]} {surname}"))
        else:
            rows.append((f"d{n}", f"{given[0]} {surname}{rng.choice('аоу')}в"))
    rng.shuffle(rows)
    return rows
