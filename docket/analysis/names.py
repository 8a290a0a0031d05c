"""Personal names across scripts: "Іван Церцель", "Тертель Иван Станиславович", "Ivan Tertel",
"IVAN TSERTSEL" and "Iwan Tiertiel" are one man; "Igor Karpenkov" is not "Ігар Карпенка".

Pure Python, no Django. The method, in three steps:

1. **Parse** a name into parts with roles: given name, surname, patronymic, or unknown where
   the order cannot be told ("Ivan Tertel" or "Tertel Ivan"). "Surname, Given" puts the
   surname first; three words with a patronymic (-ович, -евич, -ич; -овна, -евна, -ична; be
   -авіч, -эвіч, -аўна) are read in the official order "SURNAME Given Patronymic" or as
   "Given Patronymic Surname"; a word in capitals among others is the surname; a known given
   name (data/given_names.tsv) tells the order of two words. Initials ("И. С.", "I.") are kept
   as initials. What lists and the press write around a name is dropped first: a remark in
   brackets, a description after a spaced dash, a part after a comma that holds a digit (a
   birth year), a title or rank in front (data/titles.txt).
2. **Sound keys** per part. Every spelling is read into one alphabet of sounds, so that the
   transliteration systems in use (Belarusian and Russian BGN/PCGN, the Belarusian national
   system of 2007 and passports, Łacinka, Russian GOST/ISO 9 and the scholarly system, Polish
   spellings, English press forms) give the same key. The regular differences between the
   Belarusian and Russian forms of one name are folded in too:
   - every vowel is one sound, V (akanye writes а for о, яканне я for е; і/и, ы/и, э/е), and
     й, j and a y before a vowel are glides, dropped;
   - ў, w, v and a u after a vowel (BGN's "ou", Łacinka's "ŭ") are v (-оў/-ов: Раўкоў, Равков,
     Raukou); a word-initial у before a consonant is v too (Уладзімір, Владимир);
   - ц, c, ts, tz and т are T (Belarusian ц where Russian has т before a soft vowel: Церцель,
     Тертель); дз, dz, dź and д are D (Дзмітрый, Дмитрий);
   - г, h, g, х, kh are G (Belarusian г is h: Галоўчанка, Головченко, Halouchanka);
   - ч, č, cz, tsh are C; ш, š, sz, sh are S; ж, ž, ż, zh, Polish rz are Z; щ is SC;
   - Latin "ch" is C (English) or G (Polish, Łacinka); "cz" is C (Polish) or T (GOST 7.79 B);
     "x" is ks (English) or G (GOST 7.79 B, the scholarly system): each reading is a key;
   - ь, ъ, apostrophes and Łacinka's acute (ś ć ń ź ĺ) only soften: dropped;
   - q is k; a letter doubled counts once.
   A second, looser key drops the vowels, for given names only (Alexander, Aliaksandr).
3. **Score** two names in [0, 1] with the reasons: the surnames must have a sound key in
   common (no near misses: Karpenka and Karpenkov are two families, and consonants alone are
   not enough); then the given names (same key, a consonant key, the same name in the table
   of cognates and diminutives, or an initial that fits) and the patronymics (when both have
   one, they must agree). Where the order of a name is unknown, both readings are tried.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"

#: The score at and above which two names are taken as one person's (measured on the
#: development set by `docket bench names`).
THRESHOLD = 0.8

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "G", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
    "ж": "Z", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "j", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "T", "у": "u", "ў": "w", "ф": "f",
    "х": "G", "ц": "T", "ч": "C", "ш": "S", "щ": "SC", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "ju", "я": "ja", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
#: Latin letters with marks, before the marks are dropped.
MARKED = {
    "č": "C", "š": "S", "ž": "Z", "ż": "Z", "ŭ": "w", "ł": "l", "ø": "o", "ß": "s",
    "ć": "T", "ś": "s", "ź": "z", "ń": "n", "ĺ": "l", "ŝ": "SC", "ĉ": "C", "ẑ": "J",
    "û": "ju", "â": "ja",  # ISO 9's ю and я
}  # fmt: skip
#: Latin letter groups, longest first (an upper-case letter is a sound already read).
GROUPS = [
    ("shch", "SC"), ("szcz", "SC"), ("shh", "SC"), ("tsh", "C"), ("sch", "S"), ("dzh", "J"),
    ("rzh", "rZ"),  # р+ж in English and BGN (Dziarzhynski, Rzhev), not Polish rz+h
    ("dz", "D"), ("zh", "Z"), ("sh", "S"), ("sz", "S"), ("rz", "Z"), ("kh", "G"), ("ts", "T"),
    ("tz", "T"), ("ck", "k"), ("ph", "f"), ("th", "T"),
]  # fmt: skip
SOUNDS = {
    "t": "T", "c": "T", "d": "D", "g": "G", "h": "G", "w": "v", "q": "k",
}  # fmt: skip
#: Latin letters that different systems read differently: each reading makes a key.
#: "ch": ч in English, х in Polish, Łacinka and German; "cz": ч in Polish, ц in Russian GOST
#: 7.79 B; "x": кс in English, х in GOST 7.79 B and the scholarly system.
AMBIGUOUS = [("ch", ("C", "G")), ("cz", ("C", "T")), ("x", ("ks", "G"))]
VOWELS = set("aeiouy")
MAX_KEYS = 8

PATRONYMIC_ENDINGS = (
    "vVC",
    "vnV",  # -ович/-евич/-авіч, -овна/-евна/-аўна
    "CnV",  # -ична
)
NAME_CHARS = "'’ʼ-."


@dataclass(frozen=True)
class Part:
    text: str
    role: str  # "given", "surname", "patronymic", "other", or "unknown"
    initial: bool = False


@dataclass(frozen=True)
class Name:
    text: str
    parts: tuple[Part, ...]
    #: False where the order of the parts could not be told (two words, neither a known
    #: given name): the scorer tries both readings.
    ordered: bool


@dataclass(frozen=True)
class Score:
    value: float
    why: tuple[str, ...]


def _letters(word: str) -> str:
    """The word in the sound alphabet, before vowels and glides are settled: lower-case
    Latin letters still to read, upper-case letters already read as sounds."""
    word = unicodedata.normalize("NFC", word.strip(NAME_CHARS)).lower()
    out = []
    for char in word:
        if char in CYRILLIC:
            out.append(CYRILLIC[char])
        elif char in MARKED:
            out.append(MARKED[char])
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def keys(word: str) -> frozenset[str]:
    """The sound keys of one word (more than one only for Latin "ch", "cz" and "x"); kept for
    the words seen last, since a list repeats its given names and surnames."""
    letters = _letters(word)
    readings = [""]
    i = 0
    glide = False
    while i < len(letters):
        rest = letters[i:]
        either = next(((g, sounds) for g, sounds in AMBIGUOUS if rest.startswith(g)), None)
        if either is not None:
            readings = [r + sound for r in readings for sound in either[1]][:MAX_KEYS]
            i += len(either[0])
            glide = False
            continue
        for group, sound in GROUPS:
            if rest.startswith(group):
                readings = [r + sound for r in readings]
                i += len(group)
                glide = False
                break
        else:
            letter = letters[i]
            i += 1
            before = readings[0][-1:] if readings[0] else ""
            after = letters[i : i + 1]
            if letter == "j" or (letter == "y" and after in VOWELS):
                glide = True  # й, and j or y before a vowel
                continue
            after_i = i >= 2 and letters[i - 2] == "i"  # "iu" is ю (national system, ICAO)
            if (
                letter == "u"
                and not glide
                and not after_i
                and (before == "V" or (not before and after and after not in VOWELS))
            ):
                readings = [r + "v" for r in readings]  # non-syllabic u (ў), initial у-
            elif letter in VOWELS:
                readings = [r if r.endswith("V") else r + "V" for r in readings]
            elif letter.isalpha():
                readings = [r + SOUNDS.get(letter, letter) for r in readings]
            glide = False
    return frozenset(_squeeze(r) for r in readings if r)


#: The vowel a name starts with, for initials: а and о are one (akanye), as are и, і and ы.
INITIAL_VOWELS = {"a": "a", "o": "a", "e": "e", "i": "i", "y": "i", "u": "u"}


def first_sounds(word: str) -> set[str]:
    """The sound a word (or an initial) starts with; for a vowel, which vowel (я counts as a,
    ю as u, е as e, whatever the spelling's j or y)."""
    letters = _letters(word)
    if letters[:1] in ("j", "y") and letters[1:2] in INITIAL_VOWELS:
        letters = letters[1:]
    if letters[:1] in INITIAL_VOWELS:
        return {INITIAL_VOWELS[letters[0]]}
    return {key[:1] for key in keys(word)}


def _squeeze(reading: str) -> str:
    out: list[str] = []
    for sound in reading:
        if not out or out[-1] != sound:
            out.append(sound)
    return "".join(out)


def loose(key: str) -> str:
    """A key without its vowels: the second, looser comparison."""
    return key.replace("V", "")


@functools.cache
def _given_names() -> tuple[dict[str, frozenset[int]], frozenset[str]]:
    """key -> the table lines it is a form on (two names are one when their keys share a
    line; lines are never merged, so that a short diminutive shared by two names, such as
    Лена and Лёня, does not make Алена and Леанід one); and every key of a known given name."""
    lines: dict[str, set[int]] = {}
    for number, line in enumerate((DATA / "given_names.tsv").read_text("utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        for form in line.split("\t"):
            for key in keys(form):
                lines.setdefault(key, set()).add(number)
    table = {key: frozenset(numbers) for key, numbers in lines.items()}
    return table, frozenset(table)


def is_given_name(word: str) -> bool:
    return bool(keys(word) & _given_names()[1])


def _looks_patronymic(word: str) -> bool:
    return any(k.endswith(PATRONYMIC_ENDINGS) for k in keys(word))


def _is_initial(word: str) -> bool:
    bare = word.strip(NAME_CHARS)
    return len(bare) == 1 or (word.endswith(".") and len(bare) <= 2)


#: A remark written with a name, not part of it: "Іван Іваноў (старэйшы)", "Petrov [OMON]",
#: and anything that looks like markup.
REMARK = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|<[^>]*>")
#: A dash between spaces starts a description: "Ivan Tertel — chairman of the KGB".
DESCRIPTION = re.compile(r"\s[—–-]+\s")


@functools.cache
def _titles() -> frozenset[str]:
    lines = (DATA / "titles.txt").read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _the_name(text: str) -> str:
    """The name without what lists and the press write around it: remarks in brackets, a
    description after a spaced dash, a part after a comma that holds a digit ("Іван Церцель,
    1966 г.н."), words with digits."""
    text = DESCRIPTION.split(REMARK.sub(" ", text), maxsplit=1)[0]
    kept = [part for part in text.split(",") if not any(c.isdigit() for c in part)]
    return " ".join(w for w in ",".join(kept).split() if not any(c.isdigit() for c in w))


def _words(text: str) -> list[str]:
    cleaned = "".join(c if c.isalpha() or c in NAME_CHARS else " " for c in text)
    words: list[str] = []
    for chunk in cleaned.split():
        # "И.С." is two initials
        pieces = [p + "." for p in chunk.split(".") if p] if chunk.count(".") > 1 else [chunk]
        words.extend(p for p in pieces if p.strip(NAME_CHARS))
    while len(words) > 1 and words[0].lower().rstrip(".") in _titles():
        words = words[1:]  # "Mr", "палкоўнік": a form of address or a rank, not a name
    return words


def parse(text: str) -> Name:
    """The parts of a personal name and, where it can be told, what each is."""
    text = _the_name(text)
    surname_first = "," in text
    words = _words(text)
    if not words:
        raise ValueError("a name needs at least one letter")
    initials = [_is_initial(w) for w in words]
    full = [w for w, i in zip(words, initials, strict=True) if not i]
    roles = ["unknown"] * len(words)

    def assign(*pairs: tuple[int, str]) -> Name:
        for index, role in pairs:
            roles[index] = role
        parts = tuple(
            Part(w.strip(NAME_CHARS), roles[n] if not initials[n] or roles[n] != "surname"
                 else "given", initials[n])
            for n, w in enumerate(words)
        )  # fmt: skip
        return Name(text, parts, ordered=True)

    n = len(words)
    if n == 1:
        return Name(text, (Part(words[0].strip(NAME_CHARS), "unknown", initials[0]),), False)
    if any(initials):
        # "И. С. Тертель", "Tertel I.": the full word is the surname, the initials the rest
        if len(full) == 1:
            surname = words.index(full[0])
            pairs = [(surname, "surname")]
            rest = [k for k in range(n) if k != surname]
            pairs += [(rest[0], "given")] + [(k, "patronymic") for k in rest[1:2]]
            pairs += [(k, "other") for k in rest[2:]]
            return assign(*pairs)
    if surname_first:
        return assign(
            (0, "surname"), (1, "given"), *[(k, "patronymic") for k in range(2, min(n, 3))]
        )
    capitals = [k for k, w in enumerate(words) if w.isupper() and len(w) > 1]
    if n == 3:
        if _looks_patronymic(words[2]) and not _looks_patronymic(words[1]):
            if is_given_name(words[0]) and not is_given_name(words[1]):
                return assign((0, "given"), (1, "other"), (2, "surname"))
            return assign((0, "surname"), (1, "given"), (2, "patronymic"))
        if _looks_patronymic(words[1]):
            return assign((0, "given"), (1, "patronymic"), (2, "surname"))
        return assign((0, "given"), (1, "other"), (2, "surname"))
    if n == 2:
        if len(capitals) == 1:
            other = 1 - capitals[0]
            return assign((capitals[0], "surname"), (other, "given"))
        given = [is_given_name(w) for w in words]
        if given[0] != given[1]:
            first = 0 if given[0] else 1
            return assign((first, "given"), (1 - first, "surname"))
        return Name(text, tuple(Part(w.strip(NAME_CHARS), "unknown") for w in words), False)
    # Four words or more: "Given [Middle …] Surname"
    return assign((0, "given"), *[(k, "other") for k in range(1, n - 1)], (n - 1, "surname"))


@functools.lru_cache(maxsize=262144)
def _same(a: str, b: str) -> tuple[float, str]:
    """How well two words agree, and how: same sound key, same consonants, or not at all."""
    ka, kb = keys(a), keys(b)
    if ka & kb:
        return 1.0, "same sounds"
    if {loose(k) for k in ka} & {loose(k) for k in kb}:
        return 0.9, "same consonants"
    return 0.0, "different"


@functools.lru_cache(maxsize=65536)
def given_classes(word: str) -> frozenset[str]:
    """What a full given name agrees with another by (`_given`): its consonants (a shared
    sound key shares them too) or a line of the table of given names."""
    table = _given_names()[0]
    return frozenset(
        {f"k{loose(k)}" for k in keys(word)}
        | {f"t{n}" for k in keys(word) for n in table.get(k, ())}
    )


@functools.lru_cache(maxsize=262144)
def _given(a: Part, b: Part) -> tuple[float, str]:
    if a.initial or b.initial:
        fits = first_sounds(a.text) & first_sounds(b.text)
        return (0.8, "initial fits") if fits else (0.0, "initial differs")
    score, how = _same(a.text, b.text)
    if score:
        return score, how
    table = _given_names()[0]
    lines_a = {n for k in keys(a.text) for n in table.get(k, ())}
    if lines_a & {n for k in keys(b.text) for n in table.get(k, ())}:
        return 0.95, "one given name (cognate or diminutive)"
    return 0.0, "different"


def _of(name: Name, role: str) -> Part | None:
    return next((p for p in name.parts if p.role == role), None)


@functools.lru_cache(maxsize=262144)
def readings(name: Name) -> tuple[Name, ...]:
    if name.ordered or len(name.parts) != 2:
        if not name.ordered and len(name.parts) == 1:
            only = name.parts[0]
            return (Name(name.text, (Part(only.text, "surname", only.initial),), True),)
        return (name,)
    a, b = name.parts
    return (
        Name(name.text, (Part(a.text, "given"), Part(b.text, "surname")), True),
        Name(name.text, (Part(a.text, "surname"), Part(b.text, "given")), True),
    )


def score(a: str | Name, b: str | Name) -> Score:
    """How likely two names are one person's, in [0, 1], with the reasons."""
    first = a if isinstance(a, Name) else parse(a)
    second = b if isinstance(b, Name) else parse(b)
    best = Score(0.0, ("surnames differ",))
    for x in readings(first):
        for y in readings(second):
            found = _score_ordered(x, y)
            if found.value > best.value:
                best = found
    return best


def _score_ordered(a: Name, b: Name) -> Score:
    sa, sb = _of(a, "surname"), _of(b, "surname")
    if sa is None or sb is None:
        return Score(0.0, ("no surname to compare",))
    # Surnames agree by a sound key, never by consonants alone (Gorinovich, Goranevich).
    surname, how = (1.0, "same sounds") if keys(sa.text) & keys(sb.text) else (0.0, "")
    if not surname:
        return Score(0.0, (f"surnames differ ({sa.text} / {sb.text})",))
    why = [f"surname: {how} ({sa.text} / {sb.text})"]
    ga, gb = _of(a, "given"), _of(b, "given")
    if ga is None or gb is None:
        return Score(round(0.7 * surname, 3), (*why, "one has no given name"))
    given, how = _given(ga, gb)
    if not given:
        return Score(round(0.3 * surname, 3), (*why, f"given names differ ({ga.text} / {gb.text})"))
    why.append(f"given name: {how} ({ga.text} / {gb.text})")
    value = (surname + given) / 2
    pa, pb = _of(a, "patronymic"), _of(b, "patronymic")
    if pa is not None and pb is not None:
        agrees, how = _given(pa, pb) if (pa.initial or pb.initial) else _same(pa.text, pb.text)
        if agrees:
            why.append(f"patronymic: {how}")
            value = min(1.0, value + 0.05)
        else:
            why.append(f"patronymics differ ({pa.text} / {pb.text})")
            value *= 0.5
    return Score(round(value, 3), tuple(why))
