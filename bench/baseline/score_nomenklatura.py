"""The baseline of `docket bench names`: OpenSanctions' nomenklatura (logic-v2, yente's
default matcher) on every pair of a names file. Runs in its own virtual environment
(.venv-baseline, from bench/baseline/requirements.lock) and prints one JSON line. It cannot
import Docket from there, so it counts precision and recall itself, as docket/core/bench/names.py
does for Docket's matcher."""

import itertools
import json
import sys
import time
from importlib.metadata import version

from followthemoney import model
from nomenklatura.matching import LogicV2
from nomenklatura.matching.types import ScoringConfig

THRESHOLD = 0.7  # nomenklatura's own default for a match


def main(path: str) -> None:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                cluster, name = line.rstrip("\n").split("\t")
                rows.append((cluster, name))
    entities = []
    for n, (cluster, name) in enumerate(rows):
        entity = model.make_entity("Person")
        entity.id = f"p{n}"
        entity.add("name", name)
        entities.append((cluster, entity))
    config = ScoringConfig.defaults()
    tp = fp = fn = 0
    start = time.perf_counter()
    for (ca, a), (cb, b) in itertools.combinations(entities, 2):
        hit = LogicV2.compare(a, b, config).score >= THRESHOLD
        tp += hit and ca == cb
        fp += hit and ca != cb
        fn += (not hit) and ca == cb
    seconds = time.perf_counter() - start
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pairs = len(entities) * (len(entities) - 1) // 2
    print(
        json.dumps(
            {
                "name": "nomenklatura logic-v2",
                "version": version("nomenklatura"),
                "threshold": THRESHOLD,
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
                "pairs_per_second": round(pairs / seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
