"""The register's vocabularies, read from the TOML files in `vocabularies/`.

No Django import: the data files are the source of truth, this module reads and checks them,
and a migration (`sync` in docket/register/migrations) copies them into the Term table, where
administrators may add local terms. Codes are stable: a term's meaning never changes under
its code, so exported data stays readable; a term is retired, never deleted or renumbered.
A term's parent is the longest other code that prefixes it up to a dot ("10.20" is under
"10"; "7.1.f" under "7.1").
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

DIRECTORY = Path(__file__).parent / "vocabularies"
LANGUAGES = ("en", "be", "ru")


class VocabularyError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    code: str
    parent: str | None
    labels: dict[str, str]


@dataclass(frozen=True)
class Vocabulary:
    name: str
    labels: dict[str, str]
    terms: list[Term]


def parent_of(code: str, codes: set[str]) -> str | None:
    parts = code.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:cut])
        if candidate in codes:
            return candidate
    return None


def read(path: Path) -> Vocabulary:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{path.name}: {exc}") from exc
    name = data.get("vocabulary")
    if name != path.stem:
        raise VocabularyError(f"{path.name}: `vocabulary` must be {path.stem!r}, not {name!r}")
    labels = _labels(data, path.name)
    seen: set[str] = set()
    rows = data.get("terms") or []
    for row in rows:
        code = str(row.get("code", ""))
        if not code or code in seen:
            raise VocabularyError(f"{path.name}: missing or repeated code {code!r}")
        seen.add(code)
    terms = [
        Term(str(row["code"]), parent_of(str(row["code"]), seen), _labels(row, path.name))
        for row in rows
    ]
    return Vocabulary(name, labels, terms)


def _labels(row: dict[str, object], where: str) -> dict[str, str]:
    labels = {language: str(row.get(language, "")).strip() for language in LANGUAGES}
    missing = [language for language, label in labels.items() if not label]
    if missing:
        raise VocabularyError(f"{where}: {row.get('code', 'vocabulary')} lacks {missing}")
    return labels


def load_all(directory: Path = DIRECTORY) -> dict[str, Vocabulary]:
    return {path.stem: read(path) for path in sorted(directory.glob("*.toml"))}


@functools.cache
def titles() -> dict[str, str]:
    """Vocabulary name -> its English title, read once per process (the files change only
    with a new release, and a migration loads them then)."""
    return {name: vocabulary.labels["en"] for name, vocabulary in load_all().items()}


@functools.cache
def titles_in_all() -> dict[str, dict[str, str]]:
    """Vocabulary name -> its title in each language, for pages shown in any of them."""
    return {name: dict(vocabulary.labels) for name, vocabulary in load_all().items()}
