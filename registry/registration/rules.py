"""CLDSC registration rules: the status on a date, the 3-yearly renewal, categories."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = (
    "ACTIVE_STATUSES",
    "RENEWAL_YEARS",
    "STATUSES",
    "RegistrationRow",
    "category_for",
    "default_renewal_due",
    "status_on",
)

STATUSES: tuple[str, ...] = ("applied", "registered", "associate", "lapsed", "withdrawn")
ACTIVE_STATUSES = frozenset({"registered", "associate"})
"""Statuses that lapse when their renewal date passes."""
RENEWAL_YEARS = 3


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """One appended registration change."""

    id: int
    status: str
    effective_from: date
    renewal_due: date | None


def status_on(rows: Iterable[RegistrationRow], day: date) -> str:
    """METRICS.md: the latest row with ``effective_from <= day``; an active row past its renewal is ``lapsed``."""
    current: RegistrationRow | None = None
    for row in rows:
        if row.effective_from <= day and (
            current is None or (row.effective_from, row.id) > (current.effective_from, current.id)
        ):
            current = row
    if current is None:
        return "none"
    if current.status in ACTIVE_STATUSES and current.renewal_due is not None and current.renewal_due < day:
        return "lapsed"
    return current.status


def default_renewal_due(cycle_start: date) -> date:
    """Three years from the start of the cycle (29 February falls back to 28 February)."""
    try:
        return cycle_start.replace(year=cycle_start.year + RENEWAL_YEARS)
    except ValueError:
        return cycle_start.replace(year=cycle_start.year + RENEWAL_YEARS, day=28)


def category_for(status: str) -> str | None:
    """The CLDSC category a status belongs to."""
    return {"registered": "registered_member", "associate": "associate_member"}.get(status)
