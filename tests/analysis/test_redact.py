"""Anonymising narratives: on random sentences naming random persons of a register in any
script, case form and letter case, with badge numbers, addresses and dates of birth written
in random ways, nothing the register knows is left, and the words around it are."""

from __future__ import annotations

import random
import re
from datetime import date

from docket.analysis import redact

#: (surname nominative, forms a text may use, Latin spelling, given name)
SURNAMES = [
    ("Тертель", ["Тертеля", "Тертелем", "Тертелю", "тертель"], "Tertel", "Иван"),
    ("Иванова", ["Ивановой", "Иванову", "иванова"], "Ivanova", "Мария"),
    ("Кравец", ["Кравца", "Кравцом", "кравец"], "Kravets", "Алесь"),
    ("Лукашенко", ["Лукашенко", "лукашенко"], "Lukashenko", "Виктор"),
    ("Карпенков", ["Карпенкова", "Карпенковым", "карпенков"], "Karpenkov", "Николай"),
    ("Балаба", ["Балабы", "Балабой", "балаба"], "Balaba", "Дмитрий"),
]
FILLER = ["видел", "как", "на", "улице", "задержали", "people", "were", "beaten", "near", "the",
          "metro", "OMON", "officers", "в", "автозаке", "ночью"]  # fmt: skip


def test_nothing_known_is_left_in_random_narratives() -> None:
    rng = random.Random(2020)
    for _ in range(60):
        chosen = rng.sample(SURNAMES, 3)
        births = [date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
                  for _ in chosen]  # fmt: skip
        badge = f"{rng.choice(['АВ', 'МН', 'КС'])} {rng.randint(1000, 9999)}"
        known = redact.Known(
            persons=[
                (rng.choice(["[officer]", "[victim]"]), [f"{given} {surname}", latin])
                for surname, _, latin, given in chosen
            ],
            numbers=[badge],
            addresses=["ул. Притыцкого, 22"],
            births=births,
        )
        words: list[str] = []
        secrets: list[str] = []
        for (surname, forms, latin, given), born in zip(chosen, births, strict=True):
            name = rng.choice([surname, *forms, latin, latin.lower(), f"{given} {surname}"])
            day = rng.choice(
                [
                    born.isoformat(),
                    f"{born:%d.%m.%Y}",
                    f"{born.day} {redact.MONTHS['ru'][born.month - 1]} {born.year}",
                ]
            )
            words += [*rng.sample(FILLER, 3), name, f"({day})", *rng.sample(FILLER, 2)]
            secrets += [name, day]
        number = badge.replace(" ", rng.choice(["", "-", " "]))
        number = (
            number.translate(str.maketrans("АВМНКС", "ABMHKC")) if rng.random() < 0.5 else number
        )
        words += ["жетон", number, "ул.", "Притыцкого,", "22"]
        text = " ".join(words)
        out = redact.Redactor(known).redact(text)
        for secret in [*secrets, number, "Притыцкого"]:
            assert secret.casefold() not in out.casefold(), f"{secret!r} left in {out!r}"
        for filler in ("metro", "OMON", "автозаке", "жетон"):
            assert (filler in text) <= (filler in out), f"{filler!r} taken from {out!r}"
        assert not re.search(r"\d{4}", out), out  # no year of birth, no badge digits


def test_merged_spans_keep_the_longest_word() -> None:
    assert redact._merged([(0, 5, "[a]"), (3, 12, "[b]"), (20, 22, "[c]")]) == [
        (0, 12, "[b]"), (20, 22, "[c]"),
    ]  # fmt: skip


def test_numbers_coordinates_and_birth_years_go_and_the_events_dates_stay() -> None:
    out = redact.Redactor(redact.Known()).redact(
        "On 2020-08-09 and 10.08.2020, 12 people; phone +375 29 123-45-67, passport MP1234567, "
        "seen at 53.9045, 27.5615; he was born in 1987, she is 1990 г.р."
    )
    assert out == (
        "On 2020-08-09 and 10.08.2020, 12 people; phone +[number], passport MP[number], "
        "seen at [coordinates]; he was [date of birth], she is [date of birth]"
    )


def test_invisible_characters_inside_a_name_a_number_or_an_address_do_not_hide_it() -> None:
    """Text pasted from web pages carries soft hyphens and zero-width spaces: invisible on
    the page, they split a word for a pattern. They are taken out before anything is read."""
    known = redact.Known(
        persons=[("[officer]", ["Тертель Иван Иванович"])], numbers=["АВ 1234"],
        addresses=["ул. Окрестина, 36"],
    )  # fmt: skip
    redactor = redact.Redactor(known)
    for mark in ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e"):
        for text in (f"Тер{mark}тель бил", f"знак А{mark}В 1234", f"ул. Окре{mark}стина, 36"):
            out = redactor.redact(text)
            assert "тель" not in out and "1234" not in out and "стина" not in out, (mark, out)


def test_a_birth_date_with_an_ordinal_and_an_address_without_its_street_word_go() -> None:
    known = redact.Known(addresses=["ул. Окрестина, 36"], births=[date(1982, 4, 24)])
    redactor = redact.Redactor(known)
    for text in ("April 24th, 1982", "24th April 1982", "the 24th of April 1982"):
        assert "1982" not in redactor.redact(text), text
    for text in ("Окрестина 36", "Окрестина, д. 36", "улица Окрестина, 36"):
        assert "36" not in redactor.redact(text), text
    assert redactor.redact("36 задержанных на Окрестина") == "36 задержанных на Окрестина"
