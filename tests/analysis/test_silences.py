"""The cutter of long recordings: every cut falls in a pause, no piece is longer than the
window, the pieces cover the recording in order; and each cut is the quietest point of its
window, as a brute-force search over the same energies finds it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from docket.analysis import silences

RATE = 16000


def talk(rng: np.random.Generator, spans: list[tuple[float, bool]]) -> np.ndarray:
    """Noise bursts ("words") and near-silences of the given lengths, in order."""
    parts = []
    for seconds, loud in spans:
        n = int(seconds * RATE)
        level = 0.3 if loud else 0.001
        parts.append((rng.standard_normal(n) * level).astype(np.float32))
    return np.concatenate(parts)


def brute_force(samples: np.ndarray, longest: float, shortest: float) -> list[tuple[int, int]]:
    power = silences.energy(samples)
    frame, total, start, cuts = silences.FRAME, len(samples), 0, []
    while total - start > longest * RATE:
        window = [
            k for k in range(len(power))
            if start + shortest * RATE <= k * frame + frame // 2 <= start + longest * RATE
        ]  # fmt: skip
        best = min(window, key=lambda k: (power[k], k))
        cuts.append((start, best * frame + frame // 2))
        start = cuts[-1][1]
    cuts.append((start, total))
    return cuts


@pytest.mark.parametrize("seed", range(6))
def test_cuts_fall_in_pauses_and_pieces_fit_the_window(seed: int) -> None:
    rng = np.random.default_rng(seed)
    spans: list[tuple[float, bool]] = []
    for _ in range(40):
        spans.append((float(rng.uniform(2, 9)), True))
        spans.append((float(rng.uniform(0.4, 1.5)), False))
    samples = talk(rng, spans)
    pauses, at = [], 0.0
    for seconds, loud in spans:
        if not loud:
            pauses.append((at, at + seconds))
        at += seconds
    pieces = silences.pieces(samples, RATE, longest=30, shortest=20)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(samples)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert sum(end - start for start, end in pieces) == len(samples)
    assert all(0 < end - start <= 30 * RATE for start, end in pieces)
    for _, end in pieces[:-1]:
        cut = end / RATE
        assert any(a <= cut <= b for a, b in pauses), (cut, pauses)
    assert pieces == brute_force(samples, 30, 20)


def test_continuous_sound_is_cut_at_the_window_and_short_sound_is_one_piece() -> None:
    rng = np.random.default_rng(7)
    steady = (rng.standard_normal(95 * RATE) * 0.2).astype(np.float32)
    pieces = silences.pieces(steady, RATE, longest=30, shortest=20)
    assert all(end - start <= 30 * RATE for start, end in pieces)
    assert sum(end - start for start, end in pieces) == len(steady)
    assert pieces == brute_force(steady, 30, 20)
    assert silences.pieces(steady[: 12 * RATE], RATE) == [(0, 12 * RATE)]
    assert silences.pieces(steady[:100], RATE) == [(0, 100)]


def test_a_pause_in_the_window_wins_over_a_quiet_frame_inside_a_word() -> None:
    rng = np.random.default_rng(3)
    samples = (rng.standard_normal(40 * RATE) * 0.3).astype(np.float32)
    samples[int(21 * RATE) : int(21 * RATE) + 200] = 0  # a dip shorter than a frame
    samples[int(26.0 * RATE) : int(26.6 * RATE)] = 0  # a real pause
    (_start, end), _ = silences.pieces(samples, RATE, longest=30, shortest=20)
    assert 26.0 <= end / RATE <= 26.6
