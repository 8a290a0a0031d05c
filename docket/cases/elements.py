"""The elements of each qualification, read from elements.toml (the data is the source of
truth: a lawyer can read and correct it without reading code).

`of(term)` gives a qualification's elements in matrix order: the contextual elements its kind
of crime shares (art. 7's attack and the perpetrator's knowledge of it) first, then its own.
A qualification with no entry has no elements to prove here: its matrix row says so.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

DATA = Path(__file__).with_name("elements.toml")
LANGUAGES = ("en", "be", "ru")


class ElementsError(ValueError):
    pass


@dataclass(frozen=True)
class Element:
    code: str
    labels: dict[str, str]
    contextual: bool = False

    @property
    def label(self) -> str:
        """The element in the page's language (English where a translation is missing)."""
        return self.labels.get(get_language() or "en") or self.labels["en"]


def _element(raw: dict[str, Any], *, contextual: bool, where: str) -> Element:
    code = str(raw.get("code", "")).strip()
    if not code or not raw.get("en"):
        raise ElementsError(f"{where}: every element needs a code and an English text")
    labels = {lang: str(raw[lang]) for lang in LANGUAGES if raw.get(lang)}
    return Element(code=code, labels=labels, contextual=contextual)


@functools.cache
def table() -> dict[str, tuple[Element, ...]]:
    """ "vocabulary:code" -> its elements, contextual ones first; checked as it is read."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    contexts = {
        name: [_element(e, contextual=True, where=f"context {name}") for e in raw["elements"]]
        for name, raw in data.pop("contexts", {}).items()
    }
    found: dict[str, tuple[Element, ...]] = {}
    for key, raw in data.items():
        context = raw.get("context")
        if context is not None and context not in contexts:
            raise ElementsError(f"{key}: unknown context {context!r}")
        own = [_element(e, contextual=False, where=key) for e in raw.get("elements", [])]
        elements = [*contexts.get(context or "", []), *own]
        codes = [e.code for e in elements]
        if len(set(codes)) != len(codes):
            raise ElementsError(f"{key}: an element code is used twice")
        found[key] = tuple(elements)
    return found


def of(term: Any) -> tuple[Element, ...]:
    """The elements of a qualification (a register Term of a qualifying vocabulary)."""
    return table().get(f"{term.vocabulary}:{term.code}", ())


def find(term: Any, code: str) -> Element | None:
    return next((e for e in of(term) if e.code == code), None)
