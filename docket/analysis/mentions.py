"""Names of the register's persons and units in running text (OCR pages, transcripts, messages,
event descriptions), in any script and spelling and in the case forms of Russian and
Belarusian: "Тертелем И.С.", "Церцеля", "Ivan Tertel" are mentions of Іван Церцель.

Pure Python, no Django. The method:

1. **Stems.** A Cyrillic word of the text may be a surname in any case, so each ending of
   data/case_endings.tsv it ends with is cut off in turn ("Тертелем": "Тертел" with "ем"). A
   surname is filed under the sound key (names.keys) of its own stem, which its declension
   says how to find ("Иванов" is its stem; "Иванова", "Лосицкий" and "Лукашенко" lose their
   final vowel; "Кравец" the vowel before its last consonant), with the endings its
   declensions allow. Keys fold scripts and spellings: "Tertel", "Тертель" and "Церцель" file
   under one key.
2. **Surnames.** Each word of a text is looked up once, by the keys of its stems: it is a
   surname when a stem's key is the surname's and the ending cut off is one the surname's
   declensions allow ("Ивановой" is Мария Иванова, not Иван Иванов). It must start with a
   capital letter, as names do.
3. **The rest of the name.** The words right beside the surname (two at most on a side, with
   nothing but spaces, or an initial's full stop, between) that are initials, known given
   names or patronymics are scored with names.score against the person's name. Agreeing
   ("Ивана", "И. С.") makes a strong mention; disagreeing ("Андрея Тертеля" for Іван Церцель)
   makes none: that is another person of the same surname. A surname with nothing beside it
   is a weaker mention (SURNAME_ALONE); a given name alone is none, as only surnames are filed.
4. **Units** are phrases: every word of one of a unit's names in order, each in any case form
   ("ОМОНа ГУВД Мингорисполкома").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from docket.analysis import names

#: A surname found with nothing beside it to tell which person of that name it is.
SURNAME_ALONE = 0.6
#: A unit found by a one-word name ("ОМОН"), and by a longer one.
UNIT_WORD, UNIT_PHRASE = 0.7, 0.9
#: Words beside a surname read as the rest of the name, on each side.
BESIDE = 2
#: Fewer consonant sounds than this ("Ким") and a surname is a mention only with its given name.
SHORT = 3
#: The letters a word keeps at least once an ending is cut off.
MIN_STEM = 2

WORD = re.compile(r"[^\W_]+(?:[-'’ʼ][^\W_]+)*")
NAME_GAP = re.compile(r"\s*")
INITIAL_GAP = re.compile(r"\.?\s*")
PHRASE_GAP = re.compile(r"[\s«»\"“”„'‘’()\-–—№#]*")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper()

    def initial(self, text: str) -> bool:
        """A capital letter and its full stop ("И." but not the preposition "О")."""
        return len(self.text) == 1 and self.capital and text[self.end : self.end + 1] == "."


@dataclass(frozen=True)
class Found:
    """A mention: whose (the caller's id of a person or unit), where (character offsets), how
    sure, and the words as the text writes them."""

    who: Hashable
    start: int
    end: int
    score: float
    words: str


@dataclass(frozen=True)
class Declension:
    name: str
    stem: str  # "whole", "final-vowel" or "fleeting"
    nominative: tuple[str, ...]  # empty: every surname whose key ends in a consonant
    endings: frozenset[str]


def tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]


@functools.cache
def declensions() -> tuple[Declension, ...]:
    found = []
    for line in (names.DATA / "case_endings.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, stem, nominative, endings = line.split("\t")
        ends = () if nominative == "-" else tuple(nominative.split())
        found.append(Declension(name, stem, ends, frozenset(endings.split())))
    return tuple(found)


@functools.cache
def _endings() -> tuple[str, ...]:
    return tuple(sorted({e for d in declensions() for e in d.endings}, key=len, reverse=True))


def _lower(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


@functools.lru_cache(maxsize=65536)
def forms(word: str) -> tuple[tuple[str, str], ...]:
    """(stem, ending) readings of a word of the text: the word as it stands (ending ""), and
    for a Cyrillic word each case ending it may carry cut off. Latin text is read in the
    nominative only (an English possessive aside)."""
    lower = _lower(word)
    found = [(word, "")]
    if CYRILLIC.search(lower):
        for ending in _endings():
            if lower.endswith(ending) and len(lower) - len(ending) >= MIN_STEM:
                found.append((word[: -len(ending)], ending))
    elif lower.endswith(("'s", "’s")):
        found.append((word[:-2], ""))
    return tuple(found)


def _keys_of(word: str) -> frozenset[str]:
    return names.keys(word) if any(c.isalpha() for c in word) else frozenset()


def _stem(rule: str, key: str) -> str | None:
    if rule == "whole":
        return key
    if rule == "final-vowel":
        return key[:-1] if key.endswith("V") and len(key) > 2 else None
    # fleeting: the vowel before the last consonant drops
    if len(key) > 3 and key[-2] == "V" and key[-1] != "V":
        return key[:-2] + key[-1]
    return None


def filed(surname: str) -> dict[str, frozenset[str]]:
    """The keys a surname is filed under, each with the endings that may follow it in a text
    ("" for a word as it stands: the nominative in any script)."""
    lower = _lower(surname)
    found: dict[str, set[str]] = defaultdict(set)
    for key in names.keys(surname):
        found[key].add("")
        for declension in declensions():
            belongs = (
                lower.endswith(declension.nominative)
                if declension.nominative
                else not key.endswith("V")
            )
            stem = _stem(declension.stem, key) if belongs else None
            if stem is not None:
                found[stem] |= declension.endings
    return {key: frozenset(endings) for key, endings in found.items()}


def _consonants(word: str) -> int:
    return max((sum(s != "V" for s in key) for key in names.keys(word)), default=0)


@dataclass(frozen=True)
class _Surname:
    who: Hashable
    name: names.Name  # the person's name, read with this surname
    surname: str
    endings: frozenset[str]


@dataclass(frozen=True)
class _Phrase:
    who: Hashable
    words: tuple[str, ...]


def _readings(text: str) -> list[tuple[names.Name, str]]:
    """The readings of a person's name, each with its surname: one where the order is known,
    one per word that may be the surname where it is not ("Tertel Ivan")."""
    try:
        parsed = names.parse(text)
    except ValueError:
        return []
    if parsed.ordered:
        surname = next((p for p in parsed.parts if p.role == "surname"), None)
        return [(parsed, surname.text)] if surname and not surname.initial else []
    readings = []
    for n, part in enumerate(parsed.parts):
        if names.is_given_name(part.text):
            continue  # "Иван" alone, or either word of "Иван Павел": a given name is no surname
        others = [names.Part(p.text, "given") for k, p in enumerate(parsed.parts) if k != n]
        parts = (*others, names.Part(part.text, "surname"))
        readings.append((names.Name(text, parts, True), part.text))
    return readings


def _unit_keys(word: str) -> frozenset[str]:
    """A word of a unit's name, with and without its final vowel (управление, управления)."""
    keys = _keys_of(word)
    return keys | {k[:-1] for k in keys if k.endswith("V") and len(k) > 2}


def _same_word(token: str, word: str) -> bool:
    if any(c.isdigit() for c in word):
        return _lower(token) == _lower(word)
    wanted = _unit_keys(word)
    return any(_keys_of(stem) & wanted for stem, _ in forms(token))


class Index:
    """The surnames of some persons and the names of some units, filed by sound key, to find
    them in texts: each word of a text is looked up once, whatever the number of names."""

    def __init__(self) -> None:
        self._surnames: dict[str, list[_Surname]] = defaultdict(list)
        self._units: dict[str, list[_Phrase]] = defaultdict(list)
        self._terms: set[str] = set()

    def add_person(self, who: Hashable, written: Iterable[str]) -> None:
        """A person, by every way their name is written (any script, any order)."""
        for text in written:
            for name, surname in _readings(text):
                self._terms.add(surname)
                for key, endings in filed(surname).items():
                    self._surnames[key].append(_Surname(who, name, surname, endings))

    def add_unit(self, who: Hashable, written: Iterable[str]) -> None:
        """A unit, by each of its names (a phrase of one word or more)."""
        for text in written:
            words = tuple(t.text for t in tokens(text))
            if sum(c.isalpha() for c in "".join(words)) < 3:
                continue
            self._terms.add(" ".join(words))
            for key in _unit_keys(words[0]):
                self._units[key].append(_Phrase(who, words))

    def keys(self) -> set[str]:
        """Every key the names are filed under (to file them in a database)."""
        return set(self._surnames) | set(self._units)

    def terms(self) -> set[str]:
        """The surnames and unit names, to ask a search index which texts may hold them."""
        return set(self._terms)

    def find(self, text: str) -> list[Found]:
        """Every mention in the text, the best one per name and span, in the text's order."""
        words = tokens(text)
        found: list[Found] = []
        for n in range(len(words)):
            found += self._persons_at(text, words, n)
            found += self._units_at(text, words, n)
        return _best(found)

    def _persons_at(self, text: str, words: list[Token], n: int) -> list[Found]:
        token = words[n]
        if not token.capital:
            return []
        found = []
        seen: set[tuple[Hashable, str]] = set()
        for stem, ending in forms(token.text):
            for key in _keys_of(stem):
                for entry in self._surnames.get(key, ()):
                    if ending in entry.endings and (entry.who, entry.name.text) not in seen:
                        seen.add((entry.who, entry.name.text))
                        hit = _person(entry, text, words, n)
                        if hit is not None:
                            found.append(hit)
        return found

    def _units_at(self, text: str, words: list[Token], n: int) -> list[Found]:
        found = []
        for stem, _ in forms(words[n].text):
            for key in _keys_of(stem):
                for phrase in self._units.get(key, ()):
                    end = _phrase_end(text, words, n, phrase.words)
                    if end is None or (len(phrase.words) == 1 and not words[n].capital):
                        continue
                    score = UNIT_PHRASE if len(phrase.words) > 1 else UNIT_WORD
                    start = words[n].start
                    found.append(Found(phrase.who, start, end, score, text[start:end]))
        return found


def lookup_keys(text: str) -> set[str]:
    """Every key the words of a text are looked up under: what to fetch from a table of filed
    names before finding them (Index.keys)."""
    return {key for t in tokens(text) for stem, _ in forms(t.text) for key in _keys_of(stem)}


def _phrase_end(text: str, words: list[Token], n: int, phrase: tuple[str, ...]) -> int | None:
    """Where the unit's phrase ends if it starts at word n, else None."""
    if len(words) - n < len(phrase):
        return None
    for k, word in enumerate(phrase):
        token = words[n + k]
        if k and not PHRASE_GAP.fullmatch(text, words[n + k - 1].end, token.start):
            return None
        if not _same_word(token.text, word):
            return None
    return words[n + len(phrase) - 1].end


def _joined(text: str, first: Token, second: Token) -> bool:
    """Whether two words are parts of one name: only spaces between, or an initial's stop."""
    gap = INITIAL_GAP if first.initial(text) else NAME_GAP
    return gap.fullmatch(text, first.end, second.start) is not None


@functools.lru_cache(maxsize=65536)
def _name_forms(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(stem for stem, _ in forms(word)))


def _is_given(token: Token, text: str) -> bool:
    return token.initial(text) or any(names.is_given_name(f) for f in _name_forms(token.text))


def _is_patronymic(token: Token, text: str) -> bool:
    return token.initial(text) or any(
        key.endswith(names.PATRONYMIC_ENDINGS)
        for f in _name_forms(token.text)
        for key in names.keys(f)
    )


def _beside(text: str, words: list[Token], n: int, step: int) -> list[Token]:
    """The given name (or initial) and patronymic right after (step 1) or before (step -1)
    word n, in the text's order; empty when the words there are not such."""
    run: list[Token] = []
    at = n
    while len(run) < BESIDE and 0 <= at + step < len(words):
        near = words[at + step]
        first, second = (words[at], near) if step > 0 else (near, words[at])
        if not near.capital or not _joined(text, first, second):
            break
        run.append(near)
        at += step
    if step < 0:
        run.reverse()
    # a given name or initial first, then perhaps a patronymic or a second initial
    if not run or not _is_given(run[0], text):
        return []
    return run[:2] if len(run) > 1 and _is_patronymic(run[1], text) else run[:1]


def _fit(entry: _Surname, text: str, side: list[Token]) -> float:
    """How well the words beside a surname fit the person's given name and patronymic."""
    patronymics = _name_forms(side[1].text) if len(side) > 1 else ("",)
    best = 0.0
    for given in _name_forms(side[0].text):
        for patronymic in patronymics:
            parts = [names.Part(given, "given", side[0].initial(text))]
            if patronymic:
                parts.append(names.Part(patronymic, "patronymic", side[1].initial(text)))
            parts.append(names.Part(entry.surname, "surname"))
            read = names.Name(" ".join(p.text for p in parts), tuple(parts), True)
            best = max(best, names.score(read, entry.name).value)
    return best


def _person(entry: _Surname, text: str, words: list[Token], n: int) -> Found | None:
    token = words[n]
    has_given = any(p.role == "given" for p in entry.name.parts)
    best: Found | None = None
    other_person = False
    for step in (1, -1):
        side = _beside(text, words, n, step) if has_given else []
        if not side:
            continue
        value = _fit(entry, text, side)
        if value < names.THRESHOLD:
            other_person = True
            continue
        start = min(token.start, side[0].start)
        last = side[-1]
        end = max(token.end, last.end + last.initial(text))
        if best is None or value > best.score:
            best = Found(entry.who, start, end, value, text[start:end])
    if best is not None:
        return best
    if other_person or _consonants(entry.surname) < SHORT:
        return None
    return Found(entry.who, token.start, token.end, SURNAME_ALONE, token.text)


def _best(found: list[Found]) -> list[Found]:
    """One mention per name where several overlap (a person filed under several spellings),
    the best kept."""
    kept: list[Found] = []
    for hit in sorted(found, key=lambda f: (-f.score, f.start)):
        if not any(k.who == hit.who and k.start < hit.end and hit.start < k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda f: (f.start, -f.score))


def snippet(text: str, start: int, end: int, width: int = 80) -> str:
    """The text around a span, on one line, cut at words, with … where it was cut."""
    left, right = max(0, start - width), min(len(text), end + width)
    if left:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    shown = " ".join(text[left:right].split())
    return ("…" if left else "") + shown + ("…" if right < len(text) else "")
