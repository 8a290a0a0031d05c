"""Benchmarks behind `docket bench`: each times Docket and a baseline on the same data in the
same run, and prints both with their ratio (baseline_seconds / seconds: 1.0 means as fast as
the baseline)."""
