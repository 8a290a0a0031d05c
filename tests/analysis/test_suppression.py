"""Small-cell suppression: on random tables, no count under 5 can be read from what is
published, or worked out by subtraction along rows and columns, one at a time or several
together; a naive suppression (small cells alone) is caught by the same attacker."""

from __future__ import annotations

import random

import numpy as np

from docket.analysis import suppression as s
from docket.analysis.suppression import COMPLEMENTARY, PRIMARY, SHOWN, Protected, Var


def table(rng: random.Random, rows: int, columns: int) -> list[list[int]]:
    """Sparse small counts, as a filtered register gives: many zeros, many under 5."""
    return [
        [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(columns)]
        for _ in range(rows)
    ]


def values(cells: list[list[int]], *, rows: bool, columns: bool) -> dict[Var, int]:
    found: dict[Var, int] = {
        ("cell", i, j): c for i, row in enumerate(cells) for j, c in enumerate(row)
    }
    if rows:
        found.update({("row", i, 0): sum(row) for i, row in enumerate(cells)})
    if columns:
        found.update({("column", 0, j): sum(col) for j, col in enumerate(zip(*cells, strict=True))})
    if rows and columns:
        found[("grand", 0, 0)] = sum(map(sum, cells))
    return found


def attack_by_subtraction(
    value: dict[Var, int], states: dict[Var, str], system: list[dict[Var, int]]
) -> set[Var]:
    """What a reader works out: any total with one number withheld gives it by subtraction,
    and each number found may open another row or column."""
    known = {v: n for v, n in value.items() if states[v] == SHOWN}
    found: set[Var] = set()
    progress = True
    while progress:
        progress = False
        for equation in system:
            missing = [v for v in equation if v not in known]
            if len(missing) == 1:
                (var,) = missing
                rest = sum(c * known[v] for v, c in equation.items() if v != var)
                known[var] = -rest // equation[var]
                assert known[var] == value[var]
                found.add(var)
                progress = True
    return found


def attack_by_algebra(states: dict[Var, str], system: list[dict[Var, int]]) -> set[Var]:
    """What any combination of totals gives (adding and subtracting whole rows and columns):
    an unknown is fixed when its unit vector is a combination of the equations' rows,
    restricted to the unknowns (least squares in floating point, independent of the module's
    exact ranks)."""
    unknown = [v for v, state in states.items() if state != SHOWN]
    if not unknown:
        return set()
    matrix = np.array([[eq.get(v, 0) for v in unknown] for eq in system], dtype=float)
    found = set()
    for k, var in enumerate(unknown):
        target = np.zeros(len(unknown))
        target[k] = 1
        combination, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
        if np.allclose(matrix.T @ combination, target, atol=1e-8):
            found.add(var)
    return found


def states_of(protected: Protected, value: dict[Var, int]) -> dict[Var, str]:
    return {v: protected.state(v) for v in value}


def check(cells: list[list[int]], *, rows: bool, columns: bool) -> None:
    value = values(cells, rows=rows, columns=columns)
    protected = s.protect(
        cells,
        row_totals=[value[("row", i, 0)] for i in range(len(cells))] if rows else None,
        column_totals=[value[("column", 0, j)] for j in range(len(cells[0]))] if columns else None,
    )
    states = states_of(protected, value)
    system = s.equations(len(cells), len(cells[0]), row_totals=rows, column_totals=columns)
    small = {v for v, n in value.items() if 0 < n < 5}
    assert {v for v, st in states.items() if st == PRIMARY} == small
    assert all(value[v] == 0 or value[v] >= 5 for v, st in states.items() if st == COMPLEMENTARY)
    leaked = small & (
        attack_by_subtraction(value, states, system) | attack_by_algebra(states, system)
    )
    assert not leaked, f"{cells}: {sorted(leaked)} can be worked out"
    published = [[s.shown(cells[i][j], protected.cells[i][j]) for j in range(len(cells[0]))]
                 for i in range(len(cells))]  # fmt: skip
    assert all(text not in {"1", "2", "3", "4"} for row in published for text in row)


def test_no_small_cell_of_a_random_table_with_both_margins_can_be_worked_out() -> None:
    rng = random.Random(2020)
    for _ in range(300):
        check(table(rng, rng.randint(1, 6), rng.randint(1, 5)), rows=True, columns=True)


def test_no_small_cell_of_a_random_list_with_its_total_can_be_worked_out() -> None:
    rng = random.Random(809)
    for _ in range(300):
        check(table(rng, rng.randint(1, 12), 1), rows=False, columns=True)


def test_the_attacker_catches_a_naive_suppression() -> None:
    """Small cells alone withheld: the attacks above recover them, so they can fail."""
    cells = [[3, 8, 12], [7, 0, 9]]
    value = values(cells, rows=True, columns=True)
    naive = {v: PRIMARY if 0 < n < 5 else SHOWN for v, n in value.items()}
    system = s.equations(2, 3, row_totals=True, column_totals=True)
    assert ("cell", 0, 0) in attack_by_subtraction(value, naive, system)
    # one complement per row, in a row only: the column still gives the cell away
    naive[("cell", 0, 2)] = COMPLEMENTARY
    assert ("cell", 0, 0) in attack_by_subtraction(value, naive, system)
    # a rectangle of four: nothing follows by subtraction, alone or combined
    naive[("cell", 1, 0)] = naive[("cell", 1, 2)] = COMPLEMENTARY
    assert not attack_by_subtraction(value, naive, system) & {("cell", 0, 0)}
    assert ("cell", 0, 0) not in attack_by_algebra(naive, system)


def test_the_complement_is_the_next_smallest_count_and_zeros_are_shown() -> None:
    protected = s.protect([[2], [0], [40], [7], [11]], column_totals=[60])
    assert protected.cells == [[PRIMARY], [SHOWN], [SHOWN], [COMPLEMENTARY], [SHOWN]]
    assert protected.column_totals == [SHOWN]
    counts = [2, 0, 40, 7, 11]
    published = [s.shown(n, st[0]) for n, st in zip(counts, protected.cells, strict=True)]
    assert published == ["<5", "0", "40", "x", "11"]


def test_a_small_total_is_withheld_too() -> None:
    protected = s.protect([[3], [0]], column_totals=[3])
    assert protected.column_totals == [PRIMARY] and protected.cells[0] == [PRIMARY]


def test_a_number_withheld_elsewhere_is_withheld_here_and_still_protects_its_cells() -> None:
    # 12 is withheld by another table publishing it: here too, and the 2 beside it stays hidden
    protected = s.protect([[2], [12], [30]], column_totals=[44], forced=[("cell", 1, 0)])
    assert protected.cells == [[PRIMARY], [COMPLEMENTARY], [SHOWN]]


def test_a_number_withheld_elsewhere_cannot_be_worked_out_here_either() -> None:
    # the total is withheld by another table; the one row here equals it and would give it back
    protected = s.protect([[51]], column_totals=[51], forced=[("column", 0, 0)])
    assert protected.column_totals == [COMPLEMENTARY] and protected.cells == [[COMPLEMENTARY]]
    protected = s.protect([[40], [11], [0]], column_totals=[51], forced=[("column", 0, 0)])
    assert protected.column_totals == [COMPLEMENTARY]
    assert [row[0] for row in protected.cells].count(COMPLEMENTARY) >= 1
