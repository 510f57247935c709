"""Pure rules of the workforce metrics (METRICS.md): periods and their baseline, shares and the part-time
ratio, the change and whether it goes the way the indicator wants, and who may see which scope."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from registry.accounts.rules import ALLIANCE_ROLES, Role, Viewer
from registry.learning.rules import Period, financial_year
from registry.registration.rules import ACTIVE_STATUSES, RegistrationSummary

__all__ = (
    "DIRECTIONS",
    "PLAN_CODE",
    "REPORTER_ROLES",
    "TREND_PERIODS",
    "Judgement",
    "MetricResult",
    "baseline_for",
    "change",
    "correction",
    "counts_as_registered",
    "financial_quarter",
    "judge",
    "label_of",
    "last_finished_quarter",
    "nightly_periods",
    "parity_ratio",
    "previous_period",
    "quarter_name",
    "scope_key",
    "scope_problem",
    "share",
    "share_result",
    "trend_periods",
    "year_to_date",
)

DIRECTIONS: tuple[str, ...] = ("up", "down")
"""The way an indicator wants its value to go (all the 2018–21 indicators want "up")."""
REPORTER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN})
"""Who sees the metrics: leads and admins for any scope, partner admins for their own organisation."""
TREND_PERIODS = 5
PLAN_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,29}$")
"""Plan codes: capitals, digits and hyphens (``CLD-2024-27``)."""

Judgement = Literal["improving", "worsening", "no_change"]


@dataclass(frozen=True, slots=True)
class MetricResult:
    """One metric for one period: its value, and for shares and ratios what it divides; the breakdown
    METRICS.md names (only for the period reported on, not its baseline or trend)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    breakdown: dict[str, Any] = field(default_factory=dict)


def share_result(numerator: float, denominator: float, breakdown: dict[str, Any] | None = None) -> MetricResult:
    """A share of a whole: value numerator / denominator, empty when the whole is empty."""
    return MetricResult(share(numerator, denominator), numerator, denominator, breakdown or {})


def label_of(start: date, end: date) -> str:
    """``2025-26`` for a financial year, else the dates as INTERFACE.md writes a period."""
    year = financial_year(start)
    if (year.start, year.end) == (start, end):
        return year.label
    return f"{start.isoformat()}..{end.isoformat()}"


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def previous_period(period: Period) -> Period:
    """METRICS.md's baseline: the period of the same length ending the day before ``period`` starts.

    "The same length" is read as people count it: a period of whole calendar months (a financial year, a
    quarter) is followed back by as many whole months — 2025-26 by 2024-25 although 2024 had a 29 February —
    and any other period by as many days.
    """
    end = period.start - timedelta(days=1)
    if period.start.day == 1 and period.end == _month_end(period.end):
        months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
        start = _months_before(period.start, months)
    else:
        start = end - timedelta(days=period.days - 1)
    return Period(start, end, label_of(start, end))


def baseline_for(period: Period, plan_baseline: Period | None) -> Period:
    """The plan's own baseline period where it sets one, else the period before (``previous_period``)."""
    return plan_baseline if plan_baseline is not None else previous_period(period)


def trend_periods(period: Period, count: int = TREND_PERIODS) -> list[Period]:
    """The ``count`` periods ending with ``period``, oldest first, each the one before the next."""
    periods = [period]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return list(reversed(periods))


def share(numerator: float, denominator: float) -> float | None:
    """A share as a fraction (0.375), unrounded; None when there is nothing to share out."""
    return numerator / denominator if denominator else None


def parity_ratio(part_time_rate: float | None, full_time_rate: float | None) -> float | None:
    """D4: the part-time rate over the full-time rate (1.0 is parity). Empty when a group has no members
    (its rate is None) and when no full-time member attended, since no ratio exists then."""
    if part_time_rate is None or not full_time_rate:
        return None
    return part_time_rate / full_time_rate


def change(value: float | None, baseline: float | None) -> float | None:
    """Value minus baseline (in fractions for shares: 0.05 is 5 percentage points); None if either is empty."""
    if value is None or baseline is None:
        return None
    return value - baseline


def judge(difference: float | None, direction: str) -> Judgement | None:
    """Whether the change goes the way the indicator wants (``up`` or ``down``); None without a change."""
    if difference is None:
        return None
    if abs(difference) < 1e-12:  # float noise of a share computed two ways is no change
        return "no_change"
    wanted = difference > 0 if direction == "up" else difference < 0
    return "improving" if wanted else "worsening"


def counts_as_registered(summary: RegistrationSummary, day: date) -> bool:
    """C1: status ``registered`` or ``associate`` on ``day`` as METRICS.md defines it, from the registry's one
    summary (registration.history.summary_on).

    The summary tells an associate who records ``applied`` as status ``applied`` with their associate cycle
    still running; METRICS.md counts them as the associate they still are until the outcome is recorded (an
    ``applied`` row does not end the membership before it), lapsed once that cycle's renewal date passes.
    """
    if summary.status in ACTIVE_STATUSES:
        return True
    return (
        summary.status == "applied"
        and summary.category is not None
        and (summary.renewal_due is None or summary.renewal_due >= day)
    )


def scope_problem(viewer: Viewer, organisation_id: int | None, asks_local_authority: bool) -> str | None:
    """Why the viewer may not see the metrics of that scope, or None: leads and admins see any; partner admins
    their own organisation only (they are given it when they ask for none); nobody else sees metrics."""
    if viewer.role in ALLIANCE_ROLES:
        return None
    if viewer.role is not Role.PARTNER_ADMIN:
        return "The workforce metrics are for partner admins, alliance leads and admins"
    if asks_local_authority:
        return "Partner admins see their own organisation's metrics, not a local authority's"
    if organisation_id is not None and organisation_id != viewer.organisation_id:
        return "Partner admins see their own organisation's metrics only"
    return None


def financial_quarter(day: date) -> Period:
    """The financial quarter containing ``day``: Q1 is April–June (METRICS.md), Q4 January–March."""
    first_month = day.month - (day.month - 4) % 3
    start = date(day.year, first_month, 1)
    end = _month_end(date(day.year, first_month + 2, 1))
    return Period(start, end, label_of(start, end))


def last_finished_quarter(today: date) -> Period:
    """The financial quarter that ended last before ``today``."""
    return financial_quarter(financial_quarter(today).start - timedelta(days=1))


def year_to_date(quarter: Period) -> Period:
    """From the start of the quarter's financial year to the quarter's end (Q4's is the whole year)."""
    start = financial_year(quarter.start).start
    return Period(start, quarter.end, label_of(start, quarter.end))


def nightly_periods(today: date) -> list[Period]:
    """What the nightly snapshot works out: the financial year and the quarter that ``today`` is in, to date."""
    return [financial_year(today), financial_quarter(today)]


def scope_key(organisation: str | None, local_authority: str | None) -> str | None:
    """How a snapshot names its scope: ``""`` the whole alliance, ``organisation:CODE`` one organisation; None
    for a scope no snapshot is kept of (a local authority's organisations, which a lead picks at will)."""
    if local_authority:
        return None
    return f"organisation:{organisation}" if organisation else ""


def correction(reported: float | None, now: float | None) -> float | None:
    """How far the value worked out now has moved from the one reported (now − reported); None when they agree
    or either is missing."""
    if reported is None or now is None or abs(now - reported) < 1e-12:
        return None
    return now - reported


def quarter_name(quarter: Period) -> str:
    """``Q3 2026-27`` for a financial quarter (Q1 April–June)."""
    return f"Q{(quarter.start.month - 4) % 12 // 3 + 1} {financial_year(quarter.start).label}"
