"""Pure checks of HR spreadsheets: parse a CSV, validate every row, report ``line N: column: problem``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from registry.csv_import import CsvRow, RowCheck, duplicate, read_csv, refused
from registry.people.schemas import CSV_CLDSC_STATUSES, OrganisationIn, PractitionerIn, parse_iso_date
from registry.validation import problems_from

__all__ = (
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


def _model(model: type[M], row: CsvRow, columns: Collection[str], problems: list[str]) -> M | None:
    data = {c: row.cells.get(c, "") for c in columns}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(f"line {row.line}: {column}: {problem}" for column, problem in problems_from(exc).items())
        return None


def check_organisation_rows(rows: list[CsvRow]) -> RowCheck[tuple[int, OrganisationIn]]:
    result: RowCheck[tuple[int, OrganisationIn]] = RowCheck()
    seen: dict[str, int] = {}
    for row in rows:
        org = _model(OrganisationIn, row, ORGANISATION_COLUMNS, result.problems)
        if code := row.cells.get("code", "").upper():
            duplicate(seen, code, row.line, "code", result.problems)
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
            duplicate(seen, email, row.line, "email", result.problems)
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
