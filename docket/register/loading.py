"""Copy the built-in vocabularies and gazetteer from their data files into the database.

Called by migrations with the migration's historical models, so it works at every point of
the schema's history; idempotent, so a later migration calls it again after the files change.
Built-in rows are matched by code: labels are updated, new codes added, and codes gone from
the files are retired (terms) or left alone (places), never deleted, because records use them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from docket.register.vocabulary import load_all

PLACES = Path(__file__).parent / "places.toml"


def sync_vocabularies(term_model: Any) -> int:
    changed = 0
    for name, vocabulary in load_all().items():
        by_code = {t.code: t for t in term_model.objects.filter(vocabulary=name)}
        in_files = set()
        for term in vocabulary.terms:  # parents come before children in the files
            in_files.add(term.code)
            values = {
                "label_en": term.labels["en"],
                "label_be": term.labels["be"],
                "label_ru": term.labels["ru"],
                "builtin": True,
                "retired": False,
                "parent": by_code.get(term.parent) if term.parent else None,
            }
            row, touched = _upsert(
                term_model, by_code.get(term.code), values, vocabulary=name, code=term.code
            )
            by_code[term.code] = row
            changed += touched
        gone = [c for c, t in by_code.items() if t.builtin and c not in in_files]
        changed += term_model.objects.filter(vocabulary=name, code__in=gone).update(retired=True)
    return changed


def read_places() -> list[dict[str, Any]]:
    return list(tomllib.loads(PLACES.read_text(encoding="utf-8"))["places"])


def sync_places(place_model: Any) -> int:
    changed = 0
    by_code = {p.code: p for p in place_model.objects.exclude(code=None)}
    for entry in read_places():
        values = {
            "kind": entry["kind"],
            "name_en": entry["en"],
            "name_be": entry["be"],
            "name_ru": entry["ru"],
            "latitude": entry.get("lat"),
            "longitude": entry.get("lon"),
            "precision": entry["precision"],
            "parent": by_code[entry["parent"]] if entry.get("parent") else None,
            "builtin": True,
        }
        row, touched = _upsert(place_model, by_code.get(entry["code"]), values, code=entry["code"])
        by_code[entry["code"]] = row
        changed += touched
    return changed


def _upsert(model: Any, row: Any, values: dict[str, Any], **key: Any) -> tuple[Any, int]:
    """Create the row or bring it in line with `values`; 1 if anything changed."""
    if row is None:
        return model.objects.create(**key, **values), 1
    if all(getattr(row, k) == v for k, v in values.items()):
        return row, 0
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row, 1
