"""The CSV import kit every importer shares: read a UTF-8 file with a header row, collect problems as
``line N: column: problem``, refuse a whole file at once. Pure: no area, no database."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from registry.errors import Invalid

__all__ = ("MAX_REPORTED_PROBLEMS", "CsvRow", "ImportRefused", "RowCheck", "duplicate", "read_csv", "refused")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    cells: dict[str, str]


@dataclass(slots=True)
class RowCheck(Generic[T]):
    """Valid rows, and every problem found as ``line N: column: problem``."""

    rows: list[T] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


MAX_REPORTED_PROBLEMS = 200
"""An import refused lists at most this many problems (and says how many more): a bad 50 MB file must not
build a report as big as itself."""


class ImportRefused(Invalid):
    """An import refused: the first problems listed (``lines``), and every one kept (``every_problem``) for the
    import page's CSV of them (registry.people.import_reports)."""

    def __init__(self, shown: list[str], every_problem: list[str], detail: str) -> None:
        super().__init__(shown, detail=detail)
        self.every_problem = every_problem


def refused(problems: list[str]) -> Invalid:
    """The error that refuses a whole import: every problem counted, the first ones listed."""
    shown = problems[:MAX_REPORTED_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(f"... and {len(problems) - len(shown)} more problem(s)")
    return ImportRefused(shown, problems, detail=f"{len(problems)} problem(s); nothing was imported")


def read_csv(text: str, required: Collection[str]) -> tuple[list[CsvRow], list[str]]:
    """Rows keyed by (lower-cased) header; extra columns are ignored, missing required columns are a problem."""
    text = text.removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte-order mark
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        headers = []
    if not any(headers):
        return [], ["line 1: header: the file is empty or has no header row"]
    missing = [c for c in required if c not in headers]
    if missing:
        return [], [f"line 1: header: missing column {c}" for c in missing]
    rows: list[CsvRow] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(CsvRow(line=line, cells={h: c.strip() for h, c in zip(headers, record, strict=False)}))
            line = reader.line_num + 1
    except csv.Error as exc:
        return [], [f"line {line}: file: {exc}"]
    if not rows:
        return [], ["line 2: file: there are no rows after the header"]
    return rows, []


def duplicate(seen: dict[str, int], key: str, line: int, column: str, problems: list[str]) -> None:
    if key in seen:
        problems.append(f"line {line}: {column}: {key} appears twice in the file (also line {seen[key]})")
    else:
        seen[key] = line
