"""Small-number suppression (statistical disclosure control), exactly as METRICS.md says — a pure rule.

- **Primary**: a count from 1 to k−1 (k = 5 unless configured) is shown as ``<5`` (``<k``); zero is shown as
  0. A rate whose numerator or denominator is from 1 to k−1 is shown as ``*``.
- **Secondary**: where cells are published with their total, no suppressed cell may be worked back from what
  is published. "Exactly one suppressed cell in a row with a total" is the obvious case; the rule here
  catches every case, including those that only show across several rows and columns at once: a suppressed
  cell is *exposed* when the published cells and the sums (the table's lines) fix its value — when it is
  determined by the linear system of the lines over the suppressed cells. While any is exposed, the next
  smallest published cell beside it (in a line it is in; a non-zero cell before a zero, a cell before a
  total) is suppressed too.

A cell suppressed to protect another is shown with the same ``<5`` as the cell it protects, so that the
reader cannot tell which of them is the small one (a different mark would say which cell is under 5, and
with the total often its value). Every page and file that shows these marks explains them
(:data:`LEGEND`).

The determinacy test is exact linear algebra over the integers modulo a 61-bit prime: the lines'
coefficients are 0 and ±1, so a rank found modulo p is the rank over the rationals unless p divides a
minor, which for tables of this size it cannot (every minor is far below 2⁶¹).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = (
    "K_DEFAULT",
    "LEGEND",
    "RATE_MARK",
    "Grid",
    "Line",
    "Protection",
    "count_shown",
    "exposed",
    "grid_lines",
    "mark",
    "protect",
    "protect_grid",
    "rate_hidden",
)

K_DEFAULT = 5
RATE_MARK = "*"
LEGEND = (
    "<{k} means fewer than {k}, or hidden so that a number under {k} cannot be worked out from the totals; "
    "* is a rate built on fewer than {k} people."
)
_P = (1 << 61) - 1  # a Mersenne prime


def mark(k: int = K_DEFAULT) -> str:
    """How a suppressed count is shown."""
    return f"<{k}"


def _small(value: int | None, k: int) -> bool:
    return value is not None and 1 <= value < k


def count_shown(value: int, k: int = K_DEFAULT) -> str:
    """A count published alone (no total beside it): ``<5`` for 1 to k−1, the number otherwise."""
    return mark(k) if _small(value, k) else str(value)


def rate_hidden(numerator: int | None, denominator: int | None, k: int = K_DEFAULT) -> bool:
    """Whether a rate must be shown as ``*``: its numerator or its denominator is from 1 to k−1."""
    return _small(numerator, k) or _small(denominator, k)


@dataclass(frozen=True, slots=True)
class Line:
    """A sum that is published: ``values[whole] == sum(values[p] for p in parts)`` (indices of cells)."""

    parts: tuple[int, ...]
    whole: int


@dataclass(frozen=True, slots=True)
class Protection:
    """Which cells are suppressed, and which of them for being small themselves."""

    values: tuple[int, ...]
    suppressed: frozenset[int]
    primary: frozenset[int]
    k: int

    def shown(self, index: int) -> str:
        return mark(self.k) if index in self.suppressed else str(self.values[index])


def _rref_determined(rows: list[dict[int, int]], unknowns: Sequence[int]) -> set[int]:
    """The unknowns whose value the equations ``rows`` (unknown → coefficient; constants dropped: they do not
    change which unknowns are fixed) determine: those whose reduced row has no free unknown in it."""
    order = {u: n for n, u in enumerate(unknowns)}
    pivots: dict[int, dict[int, int]] = {}  # pivot unknown → its reduced row
    for raw in rows:
        row = {u: c % _P for u, c in raw.items() if c % _P}
        # Eliminate every pivot already found from the new row.
        for pivot, prow in pivots.items():
            if (factor := row.get(pivot)) is not None:
                for u, c in prow.items():
                    value = (row.get(u, 0) - factor * c) % _P
                    if value:
                        row[u] = value
                    else:
                        row.pop(u, None)
        if not row:
            continue
        pivot = min(row, key=order.__getitem__)
        inverse = pow(row[pivot], _P - 2, _P)
        row = {u: c * inverse % _P for u, c in row.items()}
        # Keep the earlier rows reduced: eliminate the new pivot from them.
        for prow in pivots.values():
            if (factor := prow.get(pivot)) is not None:
                for u, c in row.items():
                    value = (prow.get(u, 0) - factor * c) % _P
                    if value:
                        prow[u] = value
                    else:
                        prow.pop(u, None)
        pivots[pivot] = row
    return {pivot for pivot, prow in pivots.items() if len(prow) == 1}


def exposed(lines: Sequence[Line], suppressed: Iterable[int]) -> set[int]:
    """The suppressed cells that the published cells and lines fix (could be worked back)."""
    hidden = set(suppressed)
    rows = []
    for line in lines:
        row: dict[int, int] = {}
        for p in line.parts:
            if p in hidden:
                row[p] = row.get(p, 0) + 1
        if line.whole in hidden:
            row[line.whole] = row.get(line.whole, 0) - 1
        if row:
            rows.append(row)
    return _rref_determined(rows, sorted(hidden))


def protect(
    values: Sequence[int],
    lines: Sequence[Line],
    k: int = K_DEFAULT,
    *,
    forced: Iterable[int] = (),
    counts: bool = True,
) -> Protection:
    """Primary and secondary suppression of ``values`` under the published sums ``lines``. ``forced`` cells
    are hidden whatever they hold (the hours of a row whose attendances are hidden, say); ``counts`` False
    says the values are not counts of people (hours), so none is hidden for being small, only to protect."""
    if k < 1:
        raise ValueError("k must be at least 1")
    values = tuple(values)
    primary = frozenset(i for i, v in enumerate(values) if counts and _small(v, k))
    suppressed = set(primary) | set(forced)
    wholes = {line.whole for line in lines}
    lines_of: dict[int, list[Line]] = {}
    for line in lines:
        for cell in (*line.parts, line.whole):
            lines_of.setdefault(cell, []).append(line)

    def preference(cell: int) -> tuple[bool, bool, int, int]:
        return (values[cell] == 0, cell in wholes, values[cell], cell)

    while found := exposed(lines, suppressed):
        # Lines where an exposed cell is the only hidden one first (the plain case of METRICS.md), over the
        # whole table, so that one new cell can close two of them; then the lines around the first exposed.
        alone = [ln for ln in lines if sum(c in suppressed for c in (*ln.parts, ln.whole)) == 1]
        around = alone or lines_of.get(min(found), [])
        candidates = {c for ln in around for c in (*ln.parts, ln.whole) if c not in suppressed}
        if not candidates:
            candidates = set(range(len(values))) - suppressed
        if not candidates:  # everything is hidden: nothing is left to work from
            break
        suppressed.add(min(candidates, key=preference))
    return Protection(values, frozenset(suppressed), primary, k)


@dataclass(frozen=True, slots=True)
class Grid:
    """A table as it may be published: each cell its number or ``<5``."""

    body: list[list[str]]
    row_totals: list[str] | None
    column_totals: list[str] | None
    grand_total: str | None
    hidden: frozenset[tuple[int, int]]
    """Body cells (row, column) that are suppressed."""


def grid_lines(rows: int, columns: int, *, row_totals: bool, column_totals: bool) -> list[Line]:
    """The sums a table with these totals publishes. Cells are numbered body first (row by row), then the row
    totals, the column totals and the grand total (published when both kinds of total are)."""
    body = rows * columns
    row_at = body
    column_at = body + (rows if row_totals else 0)
    grand = column_at + (columns if column_totals else 0)
    lines = []
    if row_totals:
        lines += [Line(tuple(r * columns + c for c in range(columns)), row_at + r) for r in range(rows)]
    if column_totals:
        lines += [Line(tuple(r * columns + c for r in range(rows)), column_at + c) for c in range(columns)]
    if row_totals and column_totals:
        lines.append(Line(tuple(row_at + r for r in range(rows)), grand))
        lines.append(Line(tuple(column_at + c for c in range(columns)), grand))
    return lines


def protect_grid(
    body: Sequence[Sequence[int]],
    k: int = K_DEFAULT,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    forced: Iterable[tuple[int, int]] = (),
) -> Grid:
    """Suppress a table of counts published with its row totals, column totals (and so the grand total)."""
    rows = len(body)
    columns = len(body[0]) if rows else 0
    if any(len(r) != columns for r in body):
        raise ValueError("every row of the table must have the same number of cells")
    flat = [int(v) for r in body for v in r]
    row_sums = [sum(r) for r in body]
    column_sums = [sum(body[r][c] for r in range(rows)) for c in range(columns)]
    values = flat + (row_sums if row_totals else []) + (column_sums if column_totals else [])
    if row_totals and column_totals:
        values.append(sum(row_sums))
    lines = grid_lines(rows, columns, row_totals=row_totals, column_totals=column_totals)
    result = protect(values, lines, k, forced=(r * columns + c for r, c in forced))
    shown = [result.shown(i) for i in range(len(values))]
    at = rows * columns
    row_out = shown[at : at + rows] if row_totals else None
    at += rows if row_totals else 0
    column_out = shown[at : at + columns] if column_totals else None
    return Grid(
        body=[shown[r * columns : (r + 1) * columns] for r in range(rows)],
        row_totals=row_out,
        column_totals=column_out,
        grand_total=shown[-1] if row_totals and column_totals else None,
        hidden=frozenset((i // columns, i % columns) for i in result.suppressed if i < rows * columns),
    )
