"""Small-cell suppression for published counts: no count from 1 to 4 can be read, or worked
out from the others.

Pure Python, no Django. A table is a grid of counts with, if published, its row totals, its
column totals and (with both) the grand total. The method:

1. **Primary suppression.** Every published number from 1 to THRESHOLD - 1 (totals included:
   a total of 3 says as much as a cell of 3) is withheld and shown as "<5". Zeros are shown:
   "nothing of this kind was recorded" identifies nobody, and hiding zeros would hide most of
   a sparse table.
2. **Complementary suppression.** Every total is a linear equation over the cells (a row's
   cells minus its total make 0). With the withheld numbers as unknowns, one is recoverable
   by subtraction, along one row or column or several, exactly when it is determined by
   these equations: when every solution of the equations, with the published numbers put
   in, gives it the same value (read off their reduced echelon form). While a
   withheld number is recoverable, one more number of an equation it is in is withheld: the
   smallest that makes it unrecoverable (non-zero before zero, cells before totals), or, when
   no single one does, the smallest, and the check is made again. A number withheld because
   another table withholds it (`forced`) is kept from being recoverable in the same way.
   Each step withholds one more number, and when everything is withheld nothing non-zero
   is determined, so it ends.

Tables for reports are small: a list of 40 takes a millisecond, a 20 × 8 table with its
margins under half a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

THRESHOLD = 5

SHOWN, PRIMARY, COMPLEMENTARY = "shown", "primary", "complementary"

#: A variable of a table: ("cell", i, j), ("row", i, 0), ("column", 0, j), ("grand", 0, 0).
Var = tuple[str, int, int]


@dataclass(frozen=True)
class Protected:
    """What may be published of a table: each number's state (SHOWN, PRIMARY, COMPLEMENTARY)."""

    cells: list[list[str]]
    row_totals: list[str]  # empty when row totals are not published
    column_totals: list[str]  # empty when column totals are not published
    grand_total: str  # "" when there is no grand total

    def state(self, var: Var) -> str:
        kind, i, j = var
        if kind == "cell":
            return self.cells[i][j]
        if kind == "row":
            return self.row_totals[i]
        if kind == "column":
            return self.column_totals[j]
        return self.grand_total


def variables(rows: int, columns: int, *, row_totals: bool, column_totals: bool) -> list[Var]:
    found: list[Var] = [("cell", i, j) for i in range(rows) for j in range(columns)]
    if row_totals:
        found += [("row", i, 0) for i in range(rows)]
    if column_totals:
        found += [("column", 0, j) for j in range(columns)]
    if row_totals and column_totals:
        found.append(("grand", 0, 0))
    return found


def equations(
    rows: int, columns: int, *, row_totals: bool, column_totals: bool
) -> list[dict[Var, int]]:
    """The totals as equations: each a map variable -> coefficient, summing to zero."""
    found: list[dict[Var, int]] = []
    if row_totals:
        for i in range(rows):
            found.append({**{("cell", i, j): 1 for j in range(columns)}, ("row", i, 0): -1})
    if column_totals:
        for j in range(columns):
            found.append({**{("cell", i, j): 1 for i in range(rows)}, ("column", 0, j): -1})
    if row_totals and column_totals:
        found.append({**{("row", i, 0): 1 for i in range(rows)}, ("grand", 0, 0): -1})
        found.append({**{("column", 0, j): 1 for j in range(columns)}, ("grand", 0, 0): -1})
    return found


#: Elimination is done modulo this prime, in plain integers (fractions are fifty times
#: slower). A rank modulo a prime differs from the rationals' only when the prime divides a
#: minor of the matrix; the totals' coefficients are 0 and ±1 and their minors a few units.
PRIME = (1 << 61) - 1


def _reduced(matrix: list[list[int]]) -> list[tuple[int, list[int]]]:
    """The reduced row echelon form of a matrix: (pivot column, row) for each pivot."""
    rows = [[a % PRIME for a in row] for row in matrix if any(row)]
    pivots: list[int] = []
    width = len(rows[0]) if rows else 0
    for column in range(width):
        rank = len(pivots)
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        inverse = pow(rows[rank][column], PRIME - 2, PRIME)
        lead = rows[rank] = [a * inverse % PRIME for a in rows[rank]]
        for r in range(len(rows)):
            factor = rows[r][column]
            if r != rank and factor:
                rows[r] = [(a - factor * b) % PRIME for a, b in zip(rows[r], lead, strict=True)]
        pivots.append(column)
    return [(column, rows[n]) for n, column in enumerate(pivots)]


def determined(system: list[dict[Var, int]], unknown: Sequence[Var]) -> set[Var]:
    """The unknowns the equations fix, whatever the values. In the reduced echelon form of
    the equations over the unknowns, an unknown is fixed when it is a pivot whose row has
    nothing in the free columns: every solution then gives it the same value."""
    unknown = list(unknown)
    matrix = [[eq.get(v, 0) for v in unknown] for eq in system]
    reduced = _reduced(matrix)
    pivots = {column for column, _ in reduced}
    free = [k for k in range(len(unknown)) if k not in pivots]
    return {unknown[column] for column, row in reduced if not any(row[f] for f in free)}


def protect(
    cells: Sequence[Sequence[int]],
    *,
    row_totals: Sequence[int] | None = None,
    column_totals: Sequence[int] | None = None,
    grand_total: int | None = None,
    threshold: int = THRESHOLD,
    forced: Iterable[Var] = (),
) -> Protected:
    """Which numbers of a table to withhold. Totals are given (not summed here) because a
    report's totals may count distinct people, who are not the sum of the rows; the
    equations treat them as sums all the same, which only withholds more. `forced` numbers
    are withheld from the start: those another table publishing the same number withholds."""
    n_rows = len(cells)
    n_columns = len(cells[0]) if n_rows else len(column_totals or [])
    has_rows, has_columns = row_totals is not None, column_totals is not None
    value: dict[Var, int] = {("cell", i, j): cells[i][j] for i in range(n_rows)
                             for j in range(n_columns)}  # fmt: skip
    if row_totals is not None:
        value.update({("row", i, 0): row_totals[i] for i in range(n_rows)})
    if column_totals is not None:
        value.update({("column", 0, j): column_totals[j] for j in range(n_columns)})
    if has_rows and has_columns:
        if grand_total is None:
            grand_total = sum(row_totals or [])
        value[("grand", 0, 0)] = grand_total
    order = variables(n_rows, n_columns, row_totals=has_rows, column_totals=has_columns)
    system = equations(n_rows, n_columns, row_totals=has_rows, column_totals=has_columns)
    primary = [v for v in order if 0 < value[v] < threshold]
    withheld: list[Var] = list(primary)
    withheld += [v for v in dict.fromkeys(forced) if v in value and v not in withheld]
    # A forced number is hidden elsewhere for a reason: it must not be worked out here either.
    guarded = [v for v in withheld if value[v] != 0]

    def cost(var: Var) -> tuple[bool, bool, int]:
        return (value[var] == 0, var[0] != "cell", value[var])

    while True:
        exposed = [v for v in guarded if v in determined(system, withheld)]
        if not exposed:
            break
        var = exposed[0]
        near = sorted(
            {w for eq in system if var in eq for w in eq if w not in withheld},
            key=lambda w: (cost(w), order.index(w)),
        )
        if not near:  # cannot happen: a determined unknown has a known partner; be safe
            near = sorted((w for w in order if w not in withheld), key=cost)
        chosen = next((w for w in near if var not in determined(system, [*withheld, w])), near[0])
        withheld.append(chosen)

    def state(var: Var) -> str:
        if var in primary:
            return PRIMARY
        return COMPLEMENTARY if var in withheld else SHOWN

    return Protected(
        cells=[[state(("cell", i, j)) for j in range(n_columns)] for i in range(n_rows)],
        row_totals=[state(("row", i, 0)) for i in range(n_rows)] if has_rows else [],
        column_totals=[state(("column", 0, j)) for j in range(n_columns)] if has_columns else [],
        grand_total=state(("grand", 0, 0)) if has_rows and has_columns else "",
    )


def shown(count: int, state: str) -> str:
    """A number as published: the count, "<5" for a small one, "x" for one withheld so that a
    small one cannot be worked out."""
    if state == PRIMARY:
        return f"<{THRESHOLD}"
    if state == COMPLEMENTARY:
        return "x"
    return str(count)
