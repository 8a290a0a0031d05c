"""The benchmarks behind `docket bench` run and print their figures and ratios (small sizes:
the figures themselves are measured by `make bench`, not asserted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.bench


def _bench(tmp_path: Path, *args: str) -> dict[str, Any]:
    """`docket bench ARGS --json` in a fresh workdir, outside any configured instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    result = subprocess.run(
        [sys.executable, "-m", "docket", "bench", *args, "--json",
         "--workdir", str(tmp_path / "bench")],
        capture_output=True, text=True, env=env, check=True, timeout=600,
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def test_the_benchmark_prints_its_figures_and_ratio(tmp_path: Path) -> None:
    figures = _bench(tmp_path, "ingest", "--total-mb", "8", "--repeat", "3", "--no-drop-caches")
    assert figures["bytes"] == 8 * 1024 * 1024
    # The seconds are printed rounded to milliseconds, so recompute the ratio loosely.
    assert figures["ratio"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["baseline_seconds"] / figures["seconds"], rel=0.05, abs=0.01
    )
    assert 0 < figures["peak_rss_mb"] < 500
    # Three runs of each side, and the figures are their medians.
    assert figures["repeat"] == 3
    assert len(figures["seconds_runs"]) == len(figures["baseline_seconds_runs"]) == 3
    assert figures["seconds"] == sorted(figures["seconds_runs"])[1]
    assert figures["baseline_seconds"] == sorted(figures["baseline_seconds_runs"])[1]
    assert figures["before_each_side"] == "synced"  # the machine's page cache left alone


def test_the_register_benchmark_prints_percentiles_per_view(tmp_path: Path) -> None:
    figures = _bench(tmp_path, "register", "--events", "120", "--persons", "300")
    assert figures["events"] == 120 and figures["database"] == "sqlite"
    assert set(figures["views"]) == {
        "list", "filter", "search", "detail",  # the event list's views
        "persons", "persons_by_events", "units", "units_by_events",  # the index pages
        "places", "places_by_events", "overview",
    }  # fmt: skip
    for view in figures["views"].values():
        assert 0 < view["p50_ms"] <= view["p95_ms"]
    assert set(figures["ratio_p95_to_baseline"]) == set(figures["views"])


def test_the_enrichment_benchmark_prints_its_three_ratios(tmp_path: Path) -> None:
    figures = _bench(tmp_path, "enrich", "--files", "4", "--pages", "1", "--speech-minutes", "0.25")
    assert figures["files"] == 4 and figures["ocr_pages"] == 1
    assert figures["pipeline_ratio"] == pytest.approx(
        figures["baseline_seconds"] / figures["pipeline_seconds"], rel=0.05, abs=0.01
    )
    assert figures["ocr_ratio"] == pytest.approx(
        figures["ocr_pages_per_second"] / figures["tesseract_pages_per_second"], rel=0.05
    )
    # The same page as a scanned PDF, against pdftoppm and tesseract run by hand.
    assert figures["ocr_document_ratio"] == pytest.approx(
        figures["ocr_document_baseline_seconds"] / figures["ocr_document_seconds"], rel=0.05
    )
    assert figures["stt_realtime_cpu"] == pytest.approx(
        figures["stt_seconds"] / figures["audio_seconds"], rel=0.05
    )
    assert 15 <= figures["audio_seconds"] < 40
    assert figures["stt_speed_cpu"] == pytest.approx(1 / figures["stt_realtime_cpu"], rel=0.05)
    assert figures["stt_ratio"] == pytest.approx(
        figures["stt_speed_cpu"] / figures["stt_bare_speed_cpu"], rel=0.05
    )
    assert "gpu" in figures
    quick = _bench(tmp_path / "quick", "enrich", "--files", "2", "--pages", "1", "--no-speech")
    assert "stt_seconds" not in quick and quick["files"] == 2
    # Without the worker's own start, timed as a worker with nothing to do, the ratios grow.
    assert len(quick["worker_idle_seconds"]) == 2 and min(quick["worker_idle_seconds"]) > 0.1
    assert quick["pipeline_ratio_started"] > quick["pipeline_ratio"]
    assert quick["ocr_ratio_started"] > quick["ocr_ratio"]


def test_the_names_benchmark_prints_quality_and_speed(tmp_path: Path) -> None:
    figures = _bench(
        tmp_path, "names", "--no-baseline", "--dedupe-persons", "3000", "--dedupe-sample", "400"
    )
    assert figures["pairs"] == 122 * 121 // 2
    assert figures["threshold"] == 0.8
    assert figures["precision"] >= 0.98 and figures["f1"] >= 0.95
    assert figures["pairs_per_second"] > 0
    dedupe = figures["dedupe"]
    assert dedupe["persons"] == 3000 and dedupe["seconds"] > 0
    assert dedupe["sample_pairs_above_threshold"] > 0
    assert dedupe["candidate_recall"] == 1.0  # blocking loses no pair the scorer keeps


def test_the_duplicates_benchmark_answers_as_the_linear_scan(tmp_path: Path) -> None:
    figures = _bench(tmp_path, "duplicates", "--hashes", "20000")
    assert set(figures) == {"hashes", "p95_ms", "linear_p95_ms", "identical"}
    assert figures["hashes"] == 20000 and figures["identical"] is True
    assert 0 < figures["p95_ms"] and 0 < figures["linear_p95_ms"]


def test_the_matching_benchmark_checks_the_index_against_brute_force(tmp_path: Path) -> None:
    figures = _bench(
        tmp_path, "match", "--items", "3000", "--match-events", "400", "--sample", "40"
    )
    assert (figures["items"], figures["events"]) == (3000, 400)
    assert figures["identical"] is True
    assert figures["brute_force_sample_events"] == 40
    assert figures["seconds"] > 0 and figures["brute_force_seconds"] > 0


def test_the_bundle_benchmark_builds_a_case_of_every_item(tmp_path: Path) -> None:
    figures = _bench(tmp_path, "bundle", "--bundle-items", "6", "--item-kb", "4")
    assert figures["items"] == 6 and figures["package_mb"] > 0
    assert 0 < figures["pdf_seconds"] < figures["seconds"]
    assert figures["ratio"] == pytest.approx(
        figures["baseline_seconds"] / figures["seconds"], rel=0.05, abs=0.01
    )
