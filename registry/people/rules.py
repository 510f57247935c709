"""Pure checks of HR spreadsheets: parse a CSV, validate every row, report ``line N: column: problem``."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from registry.errors import Invalid
from registry.people.schemas import CSV_CLDSC_STATUSES, OrganisationIn, PractitionerIn, parse_iso_date
from registry.validation import problems_from

__all__ = (
    "MAX_REPORTED_PROBLEMS",
    "ORGANISATION_COLUMNS",
    "PRACTITIONER_COLUMNS",
    "CldscColumns",
    "CsvRow",
    "PractitionerRow",
    "RowCheck",
    "check_organisation_rows",
    "check_practitioner_rows",
    "read_csv",
    "refused",
)

ORGANISATION_COLUMNS = ("code", "name", "kind", "local_authority")
ORGANISATION_REQUIRED = ("code", "name", "kind")
PRACTITIONER_COLUMNS = (
    "email", "given_name", "family_name", "organisation", "job_title", "contract", "weekly_hours", "setting",
    "locality", "practice_areas", "cld_qualified", "manager_email", "started_on", "left_on", "cldsc_status",
    "cldsc_category_since", "cldsc_number", "cldsc_renewal_due",
)  # fmt: skip
PRACTITIONER_REQUIRED = ("email", "given_name", "family_name", "organisation", "contract", "weekly_hours", "started_on")

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    cells: dict[str, str]


@dataclass(frozen=True, slots=True)
class CldscColumns:
    status: str
    since: date | None
    number: str | None
    renewal_due: date | None


@dataclass(frozen=True, slots=True)
class PractitionerRow:
    line: int
    practitioner: PractitionerIn
    cldsc: CldscColumns | None


@dataclass(slots=True)
class RowCheck(Generic[T]):
    """Valid rows, and every problem found as ``line N: column: problem``."""

    rows: list[T] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


MAX_REPORTED_PROBLEMS = 200
"""An import refused lists at most this many problems (and says how many more): a bad 50 MB file must not
build a report as big as itself."""


def refused(problems: list[str]) -> Invalid:
    """The error that refuses a whole import: every problem counted, the first ones listed."""
    shown = problems[:MAX_REPORTED_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(f"... and {len(problems) - len(shown)} more problem(s)")
    return Invalid(shown, detail=f"{len(problems)} problem(s); nothing was imported")


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


def _model(model: type[M], row: CsvRow, columns: Collection[str], problems: list[str]) -> M | None:
    data = {c: row.cells.get(c, "") for c in columns}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(f"line {row.line}: {column}: {problem}" for column, problem in problems_from(exc).items())
        return None


def _duplicate(seen: dict[str, int], key: str, line: int, column: str, problems: list[str]) -> None:
    if key in seen:
        problems.append(f"line {line}: {column}: {key} appears twice in the file (also line {seen[key]})")
    else:
        seen[key] = line


def check_organisation_rows(rows: list[CsvRow]) -> RowCheck[tuple[int, OrganisationIn]]:
    result: RowCheck[tuple[int, OrganisationIn]] = RowCheck()
    seen: dict[str, int] = {}
    for row in rows:
        org = _model(OrganisationIn, row, ORGANISATION_COLUMNS, result.problems)
        if code := row.cells.get("code", "").upper():
            _duplicate(seen, code, row.line, "code", result.problems)
        if org is not None:
            result.rows.append((row.line, org))
    return result


def _date(row: CsvRow, column: str, problems: list[str]) -> date | None:
    try:
        parsed = parse_iso_date(row.cells.get(column, ""))
    except ValueError as exc:
        problems.append(f"line {row.line}: {column}: {exc}")
        return None
    return parsed if isinstance(parsed, date) else None


def _cldsc(row: CsvRow, problems: list[str]) -> CldscColumns | None:
    status = row.cells.get("cldsc_status", "").lower()
    before = len(problems)
    since = _date(row, "cldsc_category_since", problems)
    renewal_due = _date(row, "cldsc_renewal_due", problems)
    if status and status not in CSV_CLDSC_STATUSES:
        problems.append(f"line {row.line}: cldsc_status: must be one of {', '.join(CSV_CLDSC_STATUSES)}")
    if len(problems) > before or not status or status == "none":
        return None
    return CldscColumns(status, since, row.cells.get("cldsc_number") or None, renewal_due)


def check_practitioner_rows(
    rows: list[CsvRow], known_organisations: Collection[str], allowed_organisations: Collection[str] | None = None
) -> RowCheck[PractitionerRow]:
    """Validate every row; ``allowed_organisations`` (None: any) limits a partner admin to their own."""
    result: RowCheck[PractitionerRow] = RowCheck()
    seen: dict[str, int] = {}
    for row in rows:
        practitioner = _model(PractitionerIn, row, PractitionerIn.model_fields, result.problems)
        cldsc = _cldsc(row, result.problems)
        email = practitioner.email if practitioner is not None else row.cells.get("email", "").lower()
        if email:
            _duplicate(seen, email, row.line, "email", result.problems)
        code = row.cells.get("organisation", "").upper()
        if code and code not in known_organisations:
            result.problems.append(f"line {row.line}: organisation: unknown organisation {code}")
        elif code and allowed_organisations is not None and code not in allowed_organisations:
            result.problems.append(
                f"line {row.line}: organisation: you can only import practitioners of your own organisation"
            )
        if practitioner is not None:
            result.rows.append(PractitionerRow(row.line, practitioner, cldsc))
    return result
