"""Name matching across scripts and spellings: "Akrestsina", "Okrestina", "Акрэсціна" and
"Окрестина" are one place; "Lukashenka", "Łukašenka" and "Лукашенко" one name.

No Django import. The method: every word becomes a consonant *skeleton*.
1. Lower-case, Cyrillic (Russian and Belarusian) transliterated letter by letter to Latin,
   diacritics removed (Łacinka's š and č become s and c; ł becomes l).
2. Letters are read left to right, digraphs first, and each sound is put in a class whose
   members the transliteration systems in use swap for one another:
   - ш щ ж з с / sh shch zh sz z s         -> s
   - ц ч т / ts tz cz ch c t                -> t   (Belarusian сц ↔ Russian ст, ці ↔ ти)
   - г х / g h kh                           -> h   (Belarusian Гродна = Hrodna ↔ Grodno)
   - дз д / dz d                            -> d   (Belarusian дзе ↔ Russian де)
   - в ў w, and u after a vowel (Łacinka and BGN ou for ў) -> v
   - x -> ks, q -> k; every vowel, й, ь, ъ and apostrophe is dropped (Belarusian akanye
     writes a where Russian writes o, so vowels cannot be trusted).
3. A letter repeated in the skeleton counts once.
"ch" is ambiguous: English for ч, Łacinka and Polish for х. A word with "ch" in Latin letters
gets both readings, so `skeletons()` returns a set; two words match when their sets meet.

The price is some false friends (short names with the same consonants): search ranks exact
word matches above skeleton matches, and the skeleton is only for finding, never for merging.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "j", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "w", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "tsh", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "ju", "я": "ja", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
# ч becomes "tsh", not "ch": "ch" in Latin input is ambiguous, Cyrillic input is not.

VOWELS = set("aeiouy")
# Longest first, so "shch" is read before "sh" and "sh" before "s".
DIGRAPHS = [
    ("shch", "s"), ("tsh", "t"), ("sch", "s"), ("zh", "s"), ("sh", "s"), ("sz", "s"),
    ("kh", "h"), ("ts", "t"), ("tz", "t"), ("cz", "t"), ("dz", "d"), ("ck", "k"),
    ("ph", "f"),
]  # fmt: skip
SINGLE = {
    "s": "s", "z": "s", "c": "t", "t": "t", "g": "h", "h": "h", "d": "d", "v": "v", "w": "v",
    "x": "ks", "q": "k", "b": "b", "p": "p", "f": "f", "k": "k", "l": "l", "m": "m", "n": "n",
    "r": "r",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*", re.UNICODE)
MAX_READINGS = 8


def fold(text: str) -> str:
    """Lower case, Cyrillic in Latin letters, no diacritics: the form words are indexed in."""
    text = text.lower().replace("ł", "l").replace("ø", "o").replace("ß", "ss")
    text = "".join(CYRILLIC.get(c, c) for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of `text`, folded; numbers and punctuation are not words here."""
    return [fold(w) for w in WORD.findall(text)]


def skeletons(word: str) -> set[str]:
    """Every consonant skeleton of one word (more than one only for Latin "ch")."""
    folded = fold(word)
    readings = [""]
    i = 0
    previous_vowel = False
    while i < len(folded):
        if folded.startswith("ch", i):
            readings = [r + t for r in readings for t in ("t", "h")][:MAX_READINGS]
            i += 2
            previous_vowel = False
            continue
        for graph, sound in DIGRAPHS:
            if folded.startswith(graph, i):
                readings = [r + sound for r in readings]
                i += len(graph)
                previous_vowel = False
                break
        else:
            letter = folded[i]
            i += 1
            if letter == "u" and previous_vowel:
                readings = [r + "v" for r in readings]
                previous_vowel = False
            elif letter in VOWELS or letter == "j":
                previous_vowel = letter in VOWELS
            else:
                readings = [r + SINGLE.get(letter, letter) for r in readings]
                previous_vowel = False
    return {_squeeze(r) for r in readings if r}


def _squeeze(reading: str) -> str:
    return "".join(letter for letter, _ in itertools.groupby(reading))


def match(a: str, b: str) -> bool:
    """True if every word of the shorter name has a skeleton in common with a word of the
    other, in order — "Lukashenka" matches "Александр Лукашенко"."""
    first, second = words(a), words(b)
    if not first or not second:
        return False
    if len(first) > len(second):
        first, second = second, first
    remaining = [skeletons(w) for w in second]
    position = 0
    for word in first:
        wanted = skeletons(word)
        while position < len(remaining) and not wanted & remaining[position]:
            position += 1
        if position == len(remaining):
            return False
        position += 1
    return True
