"""Screening: for each name of a list (a partner's vetting request, a sanctions list), the known
persons it may name, best first. A match is a lead for a person to check, never a finding.

Blocking as in pairs.py (its Index): a listed name is scored only against the known names
whose block keys meet its own, which loses no match and spares comparing a list of 10,000
names with every name of the register.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docket.analysis import names, pairs

#: The longest list screened at once: longer ones are refused rather than cut short, so that
#: nobody takes a partial answer for a whole one.
MAX_NAMES = 10_000


@dataclass(frozen=True)
class Known:
    """One of a known person's names (a person with three spellings is three of these)."""

    person: int
    name: names.Name


@dataclass(frozen=True)
class Match:
    person: int
    score: float
    why: tuple[str, ...]


class Index:
    """Known names by block key, for scoring many listed names against them."""

    def __init__(self, known: Iterable[Known], threshold: float = names.THRESHOLD) -> None:
        self._index = pairs.Index(
            (pairs.Entry(str(k.person), k.name) for k in known), threshold=threshold
        )

    def matches(self, name: names.Name) -> list[Match]:
        """The persons one of whose names scores at or above the threshold against `name`,
        each once with its best-scoring name, best first."""
        found = [Match(int(p), s.value, s.why) for p, s in self._index.matches(name)]
        return sorted(found, key=lambda m: (-m.score, m.person))


def read_lines(text: str) -> list[pairs.Entry]:
    """A pasted list, one name per line; each name's id is its line number. Blank lines are
    skipped (and still counted, so the ids are the lines a person sees)."""
    entries = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entries.append(pairs.Entry(str(line), names.parse(raw.strip())))
        except ValueError:
            raise pairs.BadInput(f"line {line}: no letters in the name") from None
    return entries
