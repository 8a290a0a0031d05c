"""Anonymising a narrative for a public report: every name of the register's persons (in any
script, spelling and case form), badge numbers, exact addresses, coordinates and dates of
birth replaced by a word in brackets ("[officer]", "[victim]", "[address]").

Format characters (soft hyphens, zero-width spaces, bidi controls) are taken out of the text
first: invisible on the page, they would split a name for every pattern.

Pure Python, no Django. It errs on the side of removing: a report is public for ever, and a
word too many taken out costs a reader little. What is looked for:

1. **Names, as the mentions finder reads them** (docket/analysis/mentions.py): surnames in
   every case form, with the given name, patronymic or initials beside them. The text is read
   a second time with every word capitalised, so "тертеля" written in small letters is found
   as "Тертеля" would be.
2. **Every word of a name, alone**: any word whose stems share a sound key with a word of a
   person's name (three letters or more), in any script: "Tertel", "Церцеля", "ivan". Shorter
   name words are taken out where they stand whole.
3. **Every name as written**, whatever the spaces and the case.
4. **Numbers**: each badge or other identifier, whatever the separators and whether its
   letters are Latin or Cyrillic look-alikes ("АВ 1234", "ab-1234"), and any run of seven
   digits or more (a phone, a passport, a personal number).
5. **Addresses and coordinates**: each exact address as written (any case and spacing) or by
   its own words without its street word ("Окрестина 36" for "ул. Окрестина, 36"), a
   street and house number anywhere ("ул. Притыцкого, 22"), and decimal coordinates.
6. **Dates of birth**: each person's, in the ways dates are written (2001-03-14, 14.03.2001,
   14/3/2001, 14 March 2001, March 14th, 2001, 14 марта 2001, 14 сакавіка 2001), and any
   year or date after "born", "г. р.", "года рождения", "нарадзіўся" and the like.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from docket.analysis import mentions, names

PERSON = "[person]"
NUMBER = "[number]"
ADDRESS = "[address]"
COORDINATES = "[coordinates]"
BIRTH = "[date of birth]"

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"],
    "be": ["студзеня", "лютага", "сакавіка", "красавіка", "мая", "чэрвеня", "ліпеня",
           "жніўня", "верасня", "кастрычніка", "лістапада", "снежня"],
}  # fmt: skip
#: Latin and Cyrillic letters that look alike in badge numbers
LOOKALIKE = dict(zip("ABCEHKMOPTXY", "АВСЕНКМОРТХУ", strict=True))
BORN = (
    r"(?:born|b\.|date of birth|d\.o\.b\.?|dob|род\.|родил(?:ся|ась)|дата рождения|"
    r"г\.\s*р\.|года рождения|гады нараджэння|нарадзіў(?:ся)|нарадзілася|дата нараджэння)"
)
DATE = (
    r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\s+[^\W\d_]+\.?\s+\d{4}|[^\W\d_]+\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}"
)
GENERIC = [
    (re.compile(rf"{BORN}\s*(?:on|in|:)?\s*(?:{DATE})(?:\s*(?:г\.|года|year))?", re.I), BIRTH),
    (re.compile(rf"(?:{DATE})\s*(?:г\.\s*р\.|года рождения|гады нараджэння)", re.I), BIRTH),
    # decimal coordinates, alone or in pairs; not the end of a date (14.08.2020)
    (
        re.compile(r"(?<![\d.,])-?\d{1,3}[.,]\d{3,}\s*[,;]?\s*-?\d{1,3}[.,]\d{3,}(?![\d.,])"),
        COORDINATES,
    ),
    (re.compile(r"(?<![\d.])-?\d{1,3}\.\d{4,}(?![\d.])"), COORDINATES),
    (
        re.compile(
            r"(?:\b(?:ул|вул|пр|просп|пер|пл|бул|д|кв)\.|\b(?:улица|вуліца|проспект|"
            r"праспект|переулок|завулак|street|avenue)\b)\s*[^\W\d_][\w.’'-]*"
            r"(?:\s+[^\W\d_][\w.’'-]*){0,2},?\s*(?:д\.|дом|no\.|№)?\s*\d+[а-яa-z]?"
            r"(?:\s*[,/-]\s*(?:кв\.|к\.)?\s*\d+)?",
            re.I,
        ),
        ADDRESS,
    ),
    # seven digits or more, single spaces or hyphens between (a phone, a personal number);
    # an ISO date is not one
    (re.compile(r"(?<!\d)(?!\d{4}-\d\d-\d\d(?!\d))\d(?:[ -]?\d){6,}(?!\d)"), NUMBER),
]


@dataclass
class Known:
    """What the register knows that must not be published."""

    persons: list[tuple[str, list[str]]] = field(default_factory=list)  # (role word, names)
    numbers: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    births: list[date] = field(default_factory=list)


def _fold(text: str) -> str:
    """NFC, without format characters (soft hyphens, zero-width spaces and joiners, bidi
    controls): invisible on the page, they would split a name for every pattern."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


#: words that name a street or a house rather than say where: left out of an address's
#: own words, which are then found with any punctuation (and "д.", "№") between them
STREET_WORDS = {
    "ул", "вул", "пр", "просп", "пер", "пл", "бул", "д", "дом", "кв", "к", "улица", "вуліца",
    "проспект", "праспект", "переулок", "завулак", "street", "st", "avenue", "ave", "no",
}  # fmt: skip


def _address_words(address: str) -> re.Pattern[str] | None:
    """An exact address found without its street word and whatever the punctuation:
    "ул. Окрестина, 36" also as "Окрестина 36", "улица Окрестина, д. 36"."""
    words = [w for w in re.findall(r"\w+", address) if w.casefold() not in STREET_WORDS]
    if len(words) < 2 or not any(w.isdigit() for w in words) or all(w.isdigit() for w in words):
        return None
    between = r"\W+(?:(?:д|дом|no|№)\.?\s*)?"
    return re.compile(r"(?<!\w)" + between.join(map(re.escape, words)) + r"(?!\w)", re.I)


def _spaced(text: str) -> str:
    """A phrase as a pattern: any spacing between its words."""
    return r"\s+".join(re.escape(w) for w in text.split())


def _number(value: str) -> re.Pattern[str] | None:
    chars = [c for c in value.upper() if c.isalnum()]
    if len(chars) < 3:
        return None
    parts = []
    for c in chars:
        twin = LOOKALIKE.get(c) or next((k for k, v in LOOKALIKE.items() if v == c), None)
        parts.append(f"[{re.escape(c)}{re.escape(twin)}]" if twin else re.escape(c))
    return re.compile(r"(?<![\w])" + r"[\s./№#-]*".join(parts) + r"(?![\w])", re.I)


def _date_forms(day: date) -> list[str]:
    d, m, y = day.day, day.month, day.year
    forms = [f"{y}-{m:02d}-{d:02d}"]
    for sep in "./-":
        forms += [
            f"{d:02d}{sep}{m:02d}{sep}{y}", f"{d}{sep}{m}{sep}{y}",
            f"{m:02d}{sep}{d:02d}{sep}{y}", f"{d:02d}{sep}{m:02d}{sep}{y % 100:02d}",
        ]  # fmt: skip
    for months in MONTHS.values():
        name = months[m - 1]
        forms += [f"{d} {name} {y}", f"{d:02d} {name} {y}", f"{name} {d}, {y}", f"{name} {d} {y}",
                  f"{d} {name[:3]} {y}"]  # fmt: skip
    nth = f"{d}{'th' if 10 <= d % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"
    english = MONTHS["en"][m - 1]
    forms += [f"{nth} {english} {y}", f"{nth} of {english} {y}", f"{english} {nth}, {y}",
              f"{english} {nth} {y}"]  # fmt: skip
    return forms


class Redactor:
    """Built once from what the register knows; `redact` each text of the report."""

    def __init__(self, known: Known) -> None:
        self.index = mentions.Index()
        self.roles: dict[int, str] = {}
        self.word_keys: dict[str, str] = {}
        self.short_words: dict[str, str] = {}
        literal: list[tuple[str, str]] = []
        for n, (role, written) in enumerate(known.persons):
            written = [_fold(w) for w in written if _fold(w).strip()]
            self.roles[n] = role
            self.index.add_person(n, written)
            for text in written:
                literal.append((text, role))
                for token in mentions.tokens(text):
                    word = token.text
                    if sum(c.isalpha() for c in word) >= 3:
                        for key in names.keys(word):
                            self._file(self.word_keys, key, role)
                    elif len(word) > 1:
                        self._file(self.short_words, _fold(word).casefold(), role)
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        for text, role in sorted(literal, key=lambda p: -len(p[0])):
            self.patterns.append((re.compile(_spaced(text), re.I), role))
        for value in known.numbers:
            if (pattern := _number(_fold(value))) is not None:
                self.patterns.append((pattern, NUMBER))
        for address in known.addresses:
            if _fold(address).strip():
                self.patterns.append((re.compile(_spaced(_fold(address)), re.I), ADDRESS))
                if (words := _address_words(_fold(address))) is not None:
                    self.patterns.append((words, ADDRESS))
        forms = sorted({f for day in known.births for f in _date_forms(day)}, key=len, reverse=True)
        for form in forms:
            self.patterns.append((re.compile(r"(?<!\d)" + _spaced(form) + r"(?!\d)", re.I), BIRTH))
        self.patterns += GENERIC

    @staticmethod
    def _file(table: dict[str, str], key: str, role: str) -> None:
        table[key] = role if table.get(key, role) == role else PERSON

    def _capitalised(self, text: str) -> str:
        """The text with every word's first letter a capital, at the same offsets."""
        chars = list(text)
        for token in mentions.tokens(text):
            upper = chars[token.start].upper()
            if len(upper) == 1:
                chars[token.start] = upper
        return "".join(chars)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for hit in self.index.find(text) + self.index.find(self._capitalised(text)):
            found.append((hit.start, hit.end, self.roles[int(str(hit.who))]))
        for token in mentions.tokens(text):
            role = self.short_words.get(_fold(token.text).casefold())
            if role is None and sum(c.isalpha() for c in token.text) >= 3:
                role = next(
                    (self.word_keys[key] for stem in _stems(token.text)
                     for key in names.keys(stem) if key in self.word_keys),
                    None,
                )  # fmt: skip
            if role is not None:
                found.append((token.start, token.end, role))
        for pattern, word in self.patterns:
            found += [
                (m.start(), m.end(), word) for m in pattern.finditer(text) if m.end() > m.start()
            ]
        return _merged(found)

    def redact(self, text: str) -> str:
        text = _fold(text)
        out, at = [], 0
        for start, end, word in self.spans(text):
            out.append(text[at:start])
            out.append(word)
            at = end
        out.append(text[at:])
        return "".join(out)


def _stems(word: str) -> list[str]:
    """A word and what it may be without a case ending: the mentions finder's Cyrillic
    endings, and for a Latin word (a transliterated "Тертеля": "Tertelya") up to three final
    letters, keeping four."""
    found = [stem for stem, _ in mentions.forms(word)]
    if not mentions.CYRILLIC.search(word):
        found += [word[:-n] for n in (1, 2, 3) if len(word) - n >= 4]
    return [stem for stem in found if any(c.isalpha() for c in stem)]


def _merged(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one, with the word of the longest."""
    merged: list[tuple[int, int, str, int]] = []
    for start, end, word in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if merged and start < merged[-1][1]:
            first, last, kept, length = merged[-1]
            if end - start > length:
                kept, length = word, end - start
            merged[-1] = (first, max(last, end), kept, length)
        else:
            merged.append((start, end, word, end - start))
    return [(s, e, w) for s, e, w, _ in merged]
