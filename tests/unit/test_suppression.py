"""Small-number suppression (registry/exports/suppression.py): the cases of METRICS.md worked by hand, and a
property over random tables checked by an independent method (ranks over the rationals, not the rule's
elimination modulo a prime): no published cell is from 1 to k−1, and no suppressed cell is fixed by what is
published."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.exports.suppression import (
    Line,
    count_shown,
    exposed,
    grid_lines,
    protect,
    protect_grid,
    rate_hidden,
)


@pytest.mark.parametrize(
    ("value", "k", "shown"),
    [(0, 5, "0"), (1, 5, "<5"), (4, 5, "<5"), (5, 5, "5"), (123, 5, "123"), (2, 3, "<3"), (3, 3, "3"), (1, 1, "1")],
)
def test_a_count_alone_is_hidden_from_1_to_k_minus_1(value: int, k: int, shown: str) -> None:
    assert count_shown(value, k) == shown


@pytest.mark.parametrize(
    ("numerator", "denominator", "hidden"),
    [
        (0, 0, False),
        (0, 20, False),  # 0 of 20 is published: zero is not small
        (1, 20, True),
        (4, 20, True),
        (5, 20, False),
        (5, 4, True),  # a rate over fewer than 5 people, whatever its numerator
        (None, None, False),
        (3, None, True),
    ],
)
def test_a_rate_built_on_1_to_k_minus_1_is_a_star(numerator: int | None, denominator: int | None, hidden: bool) -> None:
    assert rate_hidden(numerator, denominator, 5) is hidden


def test_no_small_number_no_suppression() -> None:
    grid = protect_grid([[10, 0], [7, 30]])
    assert grid.body == [["10", "0"], ["7", "30"]]
    assert grid.row_totals == ["10", "37"]
    assert grid.column_totals == ["17", "30"]
    assert grid.grand_total == "47"
    assert grid.hidden == frozenset()


def test_one_small_cell_in_a_row_with_a_total_takes_the_next_smallest_with_it() -> None:
    # Column of counts with its total: 3 alone would be 60 − 20 − 30 − 7 = 3.
    grid = protect_grid([[20], [3], [30], [7]], row_totals=False)
    assert grid.body == [["20"], ["<5"], ["30"], ["<5"]]
    assert grid.column_totals == ["60"]


def test_the_complement_is_the_smallest_non_zero_cell_not_a_zero() -> None:
    grid = protect_grid([[0], [3], [9], [6]], row_totals=False)
    assert grid.body == [["0"], ["<5"], ["9"], ["<5"]]


def test_a_zero_is_taken_only_when_nothing_else_is_left() -> None:
    # 2 and 0 with a total of 2: the total is small and hidden, so nothing is exposed at all.
    assert protect_grid([[2], [0]], row_totals=False).body == [["<5"], ["0"]]
    # 2, 0 and 7, total 9: the 7 is taken, not the zero.
    assert protect_grid([[2], [0], [7]], row_totals=False).body == [["<5"], ["0"], ["<5"]]


def test_two_small_cells_in_a_line_protect_each_other() -> None:
    grid = protect_grid([[2], [3], [40]], row_totals=False)
    assert grid.body == [["<5"], ["<5"], ["40"]]


def test_a_table_with_both_totals_hides_a_rectangle() -> None:
    # The 2 is alone in its row and in its column: hiding one more cell in each is not enough on its own,
    # the fourth corner closes the rectangle so that no sum gives any of them away.
    grid = protect_grid([[2, 10, 20], [15, 25, 30], [40, 50, 60]])
    hidden = grid.hidden
    assert (0, 0) in hidden
    assert len(hidden) == 4
    rows = {r for r, _ in hidden}
    columns = {c for _, c in hidden}
    assert len(rows) == 2
    assert len(columns) == 2
    assert grid.row_totals is not None
    assert grid.column_totals is not None
    assert "<5" not in grid.row_totals
    assert "<5" not in grid.column_totals


def test_a_small_total_is_hidden_too() -> None:
    grid = protect_grid([[1, 0], [0, 0]])
    assert grid.body[0][0] == "<5"
    assert grid.row_totals == ["<5", "0"]
    assert grid.column_totals == ["<5", "0"]
    assert grid.grand_total == "<5"


def test_a_cell_exposed_only_across_several_lines_is_caught() -> None:
    # Hidden cells a, b, c with a + b published (line 1) and b published alone through line 2 (b = c) and
    # line 3 (c = 4, published): no line has exactly one hidden cell, yet a, b and c are all fixed.
    lines = [Line((0, 1), 3), Line((1,), 2), Line((2,), 4)]
    assert exposed(lines, {0, 1, 2}) == {0, 1, 2}
    assert exposed(lines, {0, 1, 2, 3, 4}) == set()  # hiding both sums leaves every one of them open


def test_forced_cells_are_hidden_and_protected() -> None:
    # The hours of a row whose attendances are hidden are hidden, and then need a partner in their column.
    grid = protect_grid([[12], [40], [30]], row_totals=False, forced=[(0, 0)])
    assert grid.body == [["<5"], ["40"], ["<5"]]


def test_k_is_configurable() -> None:
    assert protect_grid([[7], [20], [30]], k=10, row_totals=False).body == [["<10"], ["<10"], ["30"]]
    with pytest.raises(ValueError, match="k must be"):
        protect([1], [], 0)


def test_a_ragged_table_is_refused() -> None:
    with pytest.raises(ValueError, match="same number of cells"):
        protect_grid([[1, 2], [3]])


# -- the property, checked independently ---------------------------------------------------------------


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [r[:] for r in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for c in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][c] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][c] != 0:
                factor = matrix[r][c] / matrix[rank][c]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def _fixed_by_ranks(lines: list[Line], hidden: list[int]) -> set[int]:
    """A hidden cell is fixed by the published sums when its unit row lies in their span: adding it does not
    raise the rank of the sums' coefficients over the hidden cells."""
    where = {cell: n for n, cell in enumerate(hidden)}
    rows = []
    for line in lines:
        row = [Fraction(0)] * len(hidden)
        for p in line.parts:
            if p in where:
                row[where[p]] += 1
        if line.whole in where:
            row[where[line.whole]] -= 1
        rows.append(row)
    base = _rank(rows) if rows else 0
    fixed = set()
    for cell, n in where.items():
        unit = [Fraction(int(i == n)) for i in range(len(hidden))]
        if _rank([*rows, unit]) == base:
            fixed.add(cell)
    return fixed


small_tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            st.lists(st.one_of(st.integers(0, 6), st.integers(0, 60)), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(table=small_tables, k=st.integers(2, 6), row_totals=st.booleans(), column_totals=st.booleans())
def test_no_published_cell_is_small_and_none_hidden_can_be_worked_back(
    table: list[list[int]], k: int, row_totals: bool, column_totals: bool
) -> None:
    rows, columns = len(table), len(table[0])
    lines = grid_lines(rows, columns, row_totals=row_totals, column_totals=column_totals)
    row_sums = [sum(r) for r in table]
    column_sums = [sum(table[r][c] for r in range(rows)) for c in range(columns)]
    values = [v for r in table for v in r]
    values += (row_sums if row_totals else []) + (column_sums if column_totals else [])
    if row_totals and column_totals:
        values.append(sum(row_sums))
    result = protect(values, lines, k)
    published = [v for i, v in enumerate(values) if i not in result.suppressed]
    assert not [v for v in published if 1 <= v < k]
    assert _fixed_by_ranks(lines, sorted(result.suppressed)) == set()
    # The grid form says the same as the cell form.
    grid = protect_grid(table, k, row_totals=row_totals, column_totals=column_totals)
    flat = [s for r in grid.body for s in r] + (grid.row_totals or []) + (grid.column_totals or [])
    flat += [grid.grand_total] if grid.grand_total is not None else []
    assert flat == [result.shown(i) for i in range(len(values))]
    # Nothing is hidden that did not need to be when there is nothing small.
    if not any(1 <= v < k for v in values):
        assert result.suppressed == frozenset()
