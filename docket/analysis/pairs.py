"""Pairs of names that may be one person, from a list: read a TSV or CSV of ids and names,
find the candidates by blocking, score them (names.py).

Blocking: two names are compared only when a part that may be the surname of one (its
surname, or either word where the order is unknown) shares a sound key with such a part of the
other. The scorer never matches names whose surnames share no key, so blocking loses no pair it
would keep: it only saves comparing "Tertel" with "Pratasevich", or every Ivan with every other.
Above 0.7 (what a surname alone scores) the scorer also needs the given names to agree, so
there the keys pair each surname key with what a given name agrees by: its consonants, its
line in the table of given names, or, against an initial, its first sound. A register where
hundreds share a surname then compares only those whose given names may be one.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from docket.analysis import names


class BadInput(ValueError):
    """The file cannot be read as a list of names; the message names the line."""


@dataclass(frozen=True)
class Entry:
    id: str
    name: names.Name


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    score: float
    why: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "score": self.score, "why": list(self.why)}


def read(data: bytes, filename: str = "") -> list[Entry]:
    """The entries of a UTF-8 TSV (by its name's .tsv, or a tab in its header) or CSV whose
    header names the columns `id` and `name`; other columns are ignored."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInput(f"line {line}: not UTF-8 text") from None
    header = text.split("\n", 1)[0]
    dialect = "excel-tab" if filename.lower().endswith(".tsv") or "\t" in header else "excel"
    rows = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    columns = [c.strip().lower() for c in next(rows, [])]
    for wanted in ("id", "name"):
        if wanted not in columns:
            raise BadInput(f"line 1: no column named {wanted!r} (the header has {columns})")
    at_id, at_name = columns.index("id"), columns.index("name")
    entries = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(at_id, at_name):
            raise BadInput(f"line {line}: fewer columns than the header")
        ident, name = row[at_id].strip(), row[at_name].strip()
        if not ident:
            raise BadInput(f"line {line}: the id is empty")
        try:
            entries.append(Entry(ident, names.parse(name)))
        except ValueError:
            raise BadInput(f"line {line}: the name is empty") from None
    return entries


#: The parts a name is blocked on: those that may be its surname.
SURNAME_ROLES = ("surname", "unknown")
#: What names.score gives a surname without an agreeing given name, at most.
SURNAME_ALONE = 0.7


def block_keys(name: names.Name) -> set[str]:
    """The sound keys of the parts that may be the name's surname (the scorer compares no two
    names whose surnames share no key)."""
    return {
        key
        for part in name.parts
        if part.role in SURNAME_ROLES and not part.initial
        for key in names.keys(part.text)
    }


def _given_keys(name: names.Name) -> tuple[set[str], set[str]]:
    """(own, probe) keys: two names may score above SURNAME_ALONE only when the own keys of
    one meet the probe keys of the other. F: a surname with a full given name's consonants or
    table line; I: with an initial; N: with a full given name's first sound, to meet an I."""
    own: set[str] = set()
    probe: set[str] = set()
    for reading in names.readings(name):
        surname = next((p for p in reading.parts if p.role == "surname"), None)
        given = next((p for p in reading.parts if p.role == "given"), None)
        if surname is None or given is None or surname.initial:
            continue  # a surname alone scores SURNAME_ALONE at most
        for key in names.keys(surname.text):
            firsts = {f"{key}|{sound}" for sound in names.first_sounds(given.text)}
            if given.initial:
                own |= {f"I|{k}" for k in firsts}
                probe |= {f"I|{k}" for k in firsts} | {f"N|{k}" for k in firsts}
                continue
            agree = {f"F|{key}|{c}" for c in names.given_classes(given.text)}
            own |= agree | {f"N|{k}" for k in firsts}
            probe |= agree | {f"I|{k}" for k in firsts}
    return own, probe


def keys_for(name: names.Name, threshold: float) -> tuple[set[str], set[str]]:
    """The (own, probe) block keys of a name for pairs at or above `threshold`."""
    if threshold > SURNAME_ALONE:
        return _given_keys(name)
    surname = block_keys(name)
    return surname, surname


def blocks(entries: list[Entry], threshold: float = names.THRESHOLD) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) of the entries whose block keys meet, each once."""
    by_key: dict[str, list[int]] = defaultdict(list)
    probes = []
    for index, entry in enumerate(entries):
        own, probe = keys_for(entry.name, threshold)
        for key in own:
            by_key[key].append(index)
        probes.append(probe)
    seen: set[tuple[int, int]] = set()
    for j, probe in enumerate(probes):
        for key in probe:
            for i in by_key.get(key, ()):
                pair = (i, j) if i < j else (j, i)
                if i != j and pair not in seen:
                    seen.add(pair)
                    yield pair


def pairs(entries: list[Entry], threshold: float = names.THRESHOLD) -> list[Pair]:
    """Every unordered pair of ids scoring at or above `threshold`, best first. Entries that
    share an id are one record's names: they are never paired with each other, and a pair of
    records scores as its best pair of names (in the order the ids first appear)."""
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        first.setdefault(entry.id, index)
    best: dict[tuple[str, str], Pair] = {}
    for i, j in blocks(entries, threshold):
        a, b = entries[i], entries[j]
        if a.id == b.id:
            continue
        if first[a.id] > first[b.id]:
            a, b = b, a
        score = names.score(a.name, b.name)
        known = best.get((a.id, b.id))
        if score.value >= threshold and (known is None or score.value > known.score):
            best[(a.id, b.id)] = Pair(a.id, b.id, score.value, score.why)
    return sorted(best.values(), key=lambda p: (-p.score, first[p.a], first[p.b]))


class Index:
    """Names to look others up against, blocked like `pairs`: what a form or an import asks
    when a name is typed ("may be the same as …"), without comparing it with every name."""

    def __init__(self, entries: Iterable[Entry] = (), threshold: float = names.THRESHOLD) -> None:
        self.threshold = threshold
        self._by_key: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        for key in keys_for(entry.name, self.threshold)[0]:
            self._by_key[key].append(entry)

    def matches(self, name: names.Name) -> list[tuple[str, names.Score]]:
        """The ids whose best name scores at or above the threshold against `name`, best
        first."""
        best: dict[str, names.Score] = {}
        for key in keys_for(name, self.threshold)[1]:
            for entry in self._by_key.get(key, ()):
                known = best.get(entry.id)
                if known is not None and known.value >= 1.0:
                    continue
                score = names.score(name, entry.name)
                if score.value >= self.threshold and (known is None or score.value > known.value):
                    best[entry.id] = score
        return sorted(best.items(), key=lambda found: -found[1].value)


def all_pairs(entries: Iterable[Entry]) -> Iterator[tuple[Entry, Entry, names.Score]]:
    """Every pair scored, without blocking (for measuring what blocking keeps)."""
    for a, b in combinations(list(entries), 2):
        yield a, b, names.score(a.name, b.name)
