"""Protected learning time as pure rules: the entitlement pro rata, the ledger, who is behind, and who may do
what. No I/O; tests/unit/test_learning_time_rules.py takes every case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from registry.accounts.rules import ALLIANCE_ROLES, Role, Viewer, is_self
from registry.learning.rules import Period, employed_days, employed_span, financial_year

__all__ = (
    "DEFAULT_POLICY",
    "REQUEST_STATUSES",
    "Adjustment",
    "HoursFrom",
    "Ledger",
    "Policy",
    "behind",
    "entitlement_hours",
    "ledger",
    "may_adjust",
    "may_decide_request",
    "may_set_policy",
    "request_problem",
)

REQUEST_STATUSES = ("requested", "approved", "declined", "withdrawn", "logged")
BEHIND_MARGIN = 0.10
"""Used + booked may fall this share of the entitlement short of the pro-rata share before a person is flagged."""


@dataclass(frozen=True, slots=True)
class Policy:
    """Protected hours a year for a full-time post and the full-time weekly hours they are pro rata to."""

    hours_per_year: float
    full_time_weekly_hours: float
    applies_from: date = date.min

    @property
    def hours_per_weekly_hour(self) -> float:
        return self.hours_per_year / self.full_time_weekly_hours


DEFAULT_POLICY = Policy(hours_per_year=35.0, full_time_weekly_hours=35.0)
"""The CLDSC minimum (PRODUCT.md): a year's protected hours equal to the weekly hours worked, 35 h for 35 h a
week, until an organisation records its own policy."""


@dataclass(frozen=True, slots=True)
class HoursFrom:
    """Weekly hours worked from a day (the practitioner's hours history)."""

    from_on: date
    weekly_hours: float


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Extra (positive) or fewer (negative) hours for the financial year starting ``year_start``."""

    year_start: date
    hours: float


def _latest(changes: Sequence[HoursFrom], day: date) -> float:
    """The weekly hours worked on ``day``: the latest change from that day or before (the first one before the
    history begins)."""
    hours = changes[0].weekly_hours
    for change in changes:
        if change.from_on > day:
            break
        hours = change.weekly_hours
    return hours


def _policy_on(policies: Sequence[Policy], day: date) -> Policy:
    chosen = DEFAULT_POLICY
    for policy in policies:
        if policy.applies_from > day:
            break
        chosen = policy
    return chosen


def entitlement_hours(
    period: Period,
    started_on: date,
    left_on: date | None,
    hours: Sequence[HoursFrom],
    policies: Sequence[Policy] = (),
    adjustments: Sequence[Adjustment] = (),
) -> float:
    """Protected learning hours for the period: for each day employed, the weekly hours worked that day × the
    policy that day (hours a year per full-time weekly hour) ÷ the days of that financial year; plus each
    adjustment pro rata to the days of its year inside the period. Never below zero; one decimal.

    A whole year at 35 h a week under the default policy gives exactly 35 h, in a leap year too. ``hours`` and
    ``policies`` must be sorted by their dates; with no hours history there is no entitlement.
    """
    if not hours:
        return 0.0
    ordered_hours = sorted(hours, key=lambda h: h.from_on)
    ordered_policies = sorted(policies, key=lambda p: p.applies_from)
    # Walk the days in runs where nothing changes: a change of hours, of policy or of financial year.
    breaks = sorted(
        {h.from_on for h in ordered_hours}
        | {p.applies_from for p in ordered_policies if p.applies_from != date.min}
        | {date(y, 4, 1) for y in range(period.start.year, period.end.year + 2)}
    )
    total = 0.0
    span = employed_span(period, started_on, left_on)
    if span is not None:
        day, last = span
        while day <= last:
            run_end = min([last, *[b - timedelta(days=1) for b in breaks if b > day]])
            year = financial_year(day)
            rate = _latest(ordered_hours, day) * _policy_on(ordered_policies, day).hours_per_weekly_hour / year.days
            total += rate * ((run_end - day).days + 1)
            day = run_end + timedelta(days=1)
    for adjustment in adjustments:
        year = financial_year(adjustment.year_start)
        overlap = (min(year.end, period.end) - max(year.start, period.start)).days + 1
        if overlap > 0:
            total += adjustment.hours * overlap / year.days
    return max(0.0, round(total, 1))


@dataclass(frozen=True, slots=True)
class Ledger:
    """One person's protected learning time for a period (INTERFACE.md's learning-time, and the team view)."""

    entitlement_hours: float
    used_hours: float
    """Learning in the period taken in protected time (attended events included: METRICS.md)."""
    booked_hours: float
    """Confirmed places at events in the period not yet attended, and approved requests not yet logged."""
    verified_hours: float = 0.0
    """Learning in the period whose verifier has recorded their review."""

    @property
    def remaining_hours(self) -> float:
        """What is left to take or book; zero once used and booked reach the entitlement."""
        return max(0.0, round(self.entitlement_hours - self.used_hours - self.booked_hours, 2))

    @property
    def taken_share(self) -> float:
        """Used + booked as a share of the entitlement (1.0 when there is none to take), for the bars."""
        if self.entitlement_hours <= 0:
            return 1.0
        return min(1.0, (self.used_hours + self.booked_hours) / self.entitlement_hours)


def ledger(entitlement: float, used: float, booked: float, verified: float = 0.0) -> Ledger:
    return Ledger(round(entitlement, 1), round(used, 2), round(booked, 2), round(verified, 2))


def behind(
    entry: Ledger, period: Period, started_on: date, left_on: date | None, today: date
) -> bool:
    """Used + booked fall short of the entitlement's share for the days gone (of the days the person is employed
    in the period) by more than 10 % of the entitlement."""
    if entry.entitlement_hours <= 0:
        return False
    employed = employed_days(period, started_on, left_on)
    if employed == 0:
        return False
    gone = employed_days(Period(period.start, min(period.end, today), period.label), started_on, left_on)
    expected = entry.entitlement_hours * gone / employed
    return entry.used_hours + entry.booked_hours < expected - BEHIND_MARGIN * entry.entitlement_hours


# ---------------------------------------------------------------- who may do what


def may_set_policy(viewer: Viewer, organisation_id: int) -> bool:
    """Partner admins set their own organisation's policy; leads and admins any organisation's."""
    if viewer.role in ALLIANCE_ROLES:
        return True
    return viewer.role is Role.PARTNER_ADMIN and viewer.organisation_id == organisation_id


def may_adjust(viewer: Viewer, practitioner_id: int, organisation_id: int, manager_email: str | None) -> bool:
    """The line manager, a partner admin of the person's organisation, a lead or an admin — never the person."""
    if is_self(viewer, practitioner_id):
        return False
    if manager_email is not None and manager_email.lower() == viewer.email.lower():
        return True
    return may_set_policy(viewer, organisation_id)


def may_decide_request(viewer: Viewer, practitioner_id: int, manager_email: str | None) -> bool:
    """Only the line manager decides a time request; never the person asking, whatever their role."""
    return (
        not is_self(viewer, practitioner_id)
        and manager_email is not None
        and manager_email.lower() == viewer.email.lower()
    )


def request_problem(starts_on: date, ends_on: date, hours: float, today: date) -> dict[str, str]:
    """What is wrong with a time request's dates and hours (an empty dict when nothing)."""
    problems: dict[str, str] = {}
    if ends_on < starts_on:
        problems["ends_on"] = "must be on or after the first day"
    elif hours > 24 * ((ends_on - starts_on).days + 1):
        problems["hours"] = "must fit in the days asked for (24 hours a day at most)"
    if starts_on < today - timedelta(days=365):
        problems["starts_on"] = "must be within the last year"
    return problems
