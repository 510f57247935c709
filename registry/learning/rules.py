"""Pure rules of professional learning: kinds, periods, the pro-rata requirement, who may read or verify."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from registry.accounts.rules import Role, Viewer, is_self

__all__ = (
    "KINDS",
    "MAX_HOURS",
    "MIN_HOURS",
    "VERIFICATION_STATES",
    "Period",
    "can_read_reflection",
    "can_verify",
    "completion_problem",
    "employed_days",
    "employed_span",
    "financial_year",
    "may_manage_own_learning",
    "may_record_need",
    "parse_period",
    "required_pl_hours",
    "verifier_problem",
)

KINDS: tuple[str, ...] = (
    "course", "conference", "event", "online_learning", "professional_reading", "peer_support", "shadowing",
    "community_of_practice", "practitioner_enquiry", "working_group", "secondment", "formal_study", "reflection",
    "other",
)  # fmt: skip
"""The CLDSC kinds of professional learning (INTERFACE.md, learning CSV)."""
MIN_HOURS = 0.25
MAX_HOURS = 200.0
VERIFICATION_STATES = ("none", "requested", "verified", "returned")


@dataclass(frozen=True, slots=True)
class Period:
    """Whole dates, inclusive at both ends (METRICS.md)."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def financial_year(day: date) -> Period:
    """The Scottish public-sector reporting year (1 April – 31 March) containing ``day``."""
    first = day.year if day.month >= 4 else day.year - 1
    return Period(date(first, 4, 1), date(first + 1, 3, 31), f"{first}-{(first + 1) % 100:02d}")


def parse_period(text: str) -> Period:
    """``2025-26`` (a financial year) or ``2025-04-01..2025-06-30``; ValueError with a readable message."""
    text = text.strip()
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        first = int(match.group(1))
        if (first + 1) % 100 != int(match.group(2)):
            raise ValueError(f"{text} is not a financial year: write it like 2025-26")
        return financial_year(date(first, 4, 1))
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        try:
            start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            raise ValueError(f"{text} has a date that does not exist") from None
        if end < start:
            raise ValueError(f"{text} ends before it starts")
        return Period(start, end, text)
    raise ValueError("period must be a financial year like 2025-26 or dates like 2025-04-01..2025-06-30")


def employed_span(period: Period, started_on: date, left_on: date | None) -> tuple[date, date] | None:
    """The first and last day of the period the person is employed, or None: from the start date up to the day
    before the leaving date (a leaver's last working day is the day before ``left_on``)."""
    first = max(period.start, started_on)
    last = period.end if left_on is None else min(period.end, left_on - timedelta(days=1))
    return (first, last) if first <= last else None


def employed_days(period: Period, started_on: date, left_on: date | None) -> int:
    """How many days of the period the person is employed (``employed_span``)."""
    span = employed_span(period, started_on, left_on)
    return 0 if span is None else (span[1] - span[0]).days + 1


def required_pl_hours(weekly_hours: float, period: Period, started_on: date, left_on: date | None) -> float:
    """METRICS.md: weekly hours × days of the period they were employed / 365, rounded to one decimal.

    Rounded half up in whole numbers (weekly hours to the hundredth, then tenths of an hour), as a person
    rounds and as the metrics' SQL does alike on SQLite and PostgreSQL (registry.metrics.sql): Python's
    ``round`` on the float would give 1.2 for a weekly 1.25 hours over a year, and 0.1 for an exact 0.15.
    """
    hundredths = math.floor(weekly_hours * 100 + 0.5)
    tenths, rest = divmod(hundredths * employed_days(period, started_on, left_on), 3650)
    return (tenths + (1 if 2 * rest >= 3650 else 0)) / 10


def can_read_reflection(
    viewer: Viewer,
    practitioner_id: int,
    manager_email: str | None,
    manager_since: date | None,
    verifier_email: str | None,
    logged_on: date,
) -> bool:
    """Reflections and review notes: the practitioner, their named verifier, and their line manager for the
    records logged since the day they became the manager (``manager_since``; an earlier record only when the
    practitioner asks them to verify it, which names them verifier).

    Partner admins and leads see hours and competences, never the reflection — unless they are one of those.
    Naming someone line manager therefore never opens the reflections written before.
    """
    email = viewer.email.lower()
    if is_self(viewer, practitioner_id):
        return True
    if verifier_email is not None and email == verifier_email.lower():
        return True
    return (
        manager_email is not None
        and email == manager_email.lower()
        and manager_since is not None
        and logged_on >= manager_since
    )


def can_verify(viewer: Viewer, practitioner_id: int, verifier_email: str | None, state: str) -> bool:
    """Only the named verifier, on a record waiting for them, and never on their own learning."""
    email = viewer.email.lower()
    return (
        state == "requested"
        and verifier_email is not None
        and email == verifier_email.lower()
        and not is_self(viewer, practitioner_id)
    )


def verifier_problem(
    verifier_email: str, practitioner_email: str, manager_email: str | None, verifier_status: str | None
) -> str | None:
    """Why this person cannot verify this practitioner's learning, or None.

    CLDSC: verification follows a reflective discussion with the line manager or a mentor, ideally a
    registered CLD practitioner; so the line manager, or a practitioner registered (or associate) today.
    """
    verifier = verifier_email.lower()
    if verifier == practitioner_email.lower():
        return "you cannot verify your own learning"
    if manager_email and verifier == manager_email.lower():
        return None
    if verifier_status in {"registered", "associate"}:
        return None
    return "choose your line manager or a practitioner registered with the CLD Standards Council"


def may_manage_own_learning(viewer: Viewer, practitioner_id: int) -> bool:
    """Learning records are written by the practitioner themself."""
    return is_self(viewer, practitioner_id)


def may_record_need(viewer: Viewer, practitioner_id: int, manager_email: str | None) -> bool:
    """Learning needs are recorded by the practitioner or their line manager (and by leads for the alliance)."""
    email = viewer.email.lower()
    return (
        is_self(viewer, practitioner_id)
        or (manager_email is not None and email == manager_email.lower())
        or viewer.role in {Role.LEAD, Role.ADMIN}
    )


def completion_problem(completed_on: date, today: date) -> str | None:
    """Learning is logged once it is done: a completion date after today is refused."""
    return "must be today or in the past" if completed_on > today else None
