"""Protected learning time pro rata (learning_time/rules.py): every case the issue names, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from registry.accounts.rules import Role, Viewer
from registry.learning.rules import Period, parse_period
from registry.learning_time.rules import (
    Adjustment,
    HoursFrom,
    Ledger,
    Policy,
    behind,
    entitlement_hours,
    may_adjust,
    may_decide_request,
    may_set_policy,
    request_problem,
)

YEAR = parse_period("2026-27")  # 1 April 2026 – 31 March 2027: 365 days
LEAP = parse_period("2027-28")  # holds 29 February 2028: 366 days
START = date(2010, 1, 1)


def hours(weekly: float, since: date = START) -> list[HoursFrom]:
    return [HoursFrom(since, weekly)]


@pytest.mark.parametrize(
    ("case", "period", "started_on", "left_on", "history", "policies", "expected"),
    [
        # The CLDSC minimum: a year's protected hours equal the weekly hours.
        ("full-time 35 h", YEAR, START, None, hours(35), [], 35.0),
        ("full-time in a leap year", LEAP, START, None, hours(35), [], 35.0),
        ("part-time 17.5 h", YEAR, START, None, hours(17.5), [], 17.5),
        ("sessional 6 h", YEAR, START, None, hours(6), [], 6.0),
        ("volunteer 4 h", YEAR, START, None, hours(4), [], 4.0),
        # 1 October to 31 March is 182 of 365 days: 35 × 182 / 365 = 17.45… → 17.5.
        ("starter on 1 October", YEAR, date(2026, 10, 1), None, hours(35, date(2026, 10, 1)), [], 17.5),
        # Leaving on 1 July: employed 1 April – 30 June, 91 days: 35 × 91 / 365 = 8.726… → 8.7.
        ("leaver in June", YEAR, START, date(2026, 7, 1), hours(35), [], 8.7),
        # 35 h to 30 September (183 days), then 21 h (182 days): (35 × 183 + 21 × 182) / 365 = 28.02… → 28.0.
        ("hours changed on 1 October", YEAR, START, None, [HoursFrom(START, 35), HoursFrom(date(2026, 10, 1), 21)], [],
         28.0),
        # A policy of 70 h per 35 h from 1 January: 35 × (275 + 2 × 90) / 365 = 43.63… → 43.6.
        ("policy doubled from 1 January", YEAR, START, None, hours(35), [Policy(70, 35, date(2027, 1, 1))], 43.6),
        # A policy of 42 h per 37 h: 18.5 × 42 / 37 = 21.0.
        ("part-time under a 42 h / 37 h policy", YEAR, START, None, hours(18.5), [Policy(42, 37, date(2020, 4, 1))],
         21.0),
        # A policy set later does not rewrite an earlier year.
        ("next year's policy leaves this year alone", YEAR, START, None, hours(35), [Policy(70, 35, date(2027, 4, 1))],
         35.0),
        ("left before the period", YEAR, START, date(2026, 3, 1), hours(35), [], 0.0),
        ("starts after the period", YEAR, date(2027, 5, 1), None, hours(35, date(2027, 5, 1)), [], 0.0),
        ("no hours history", YEAR, START, None, [], [], 0.0),
        # A quarter: 1 April – 30 June is 91 days: 35 × 91 / 365 = 8.7.
        ("a quarter", parse_period("2026-04-01..2026-06-30"), START, None, hours(35), [], 8.7),
        # Two years: 35 + 35.
        ("two financial years", Period(date(2026, 4, 1), date(2028, 3, 31), "two"), START, None, hours(35), [], 70.0),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_entitlement_pro_rata(
    case: str,
    period: Period,
    started_on: date,
    left_on: date | None,
    history: list[HoursFrom],
    policies: list[Policy],
    expected: float,
) -> None:
    assert entitlement_hours(period, started_on, left_on, history, policies) == expected


def test_adjustments_count_for_their_year_pro_rata_to_the_days_of_the_period() -> None:
    extra = [Adjustment(date(2026, 4, 1), 14)]
    assert entitlement_hours(YEAR, START, None, hours(35), [], extra) == 49.0
    # Half a year (1 April – 30 September, 183 days): 35 × 183/365 + 14 × 183/365 = 24.56… → 24.6.
    half = parse_period("2026-04-01..2026-09-30")
    assert entitlement_hours(half, START, None, hours(35), [], extra) == 24.6
    assert entitlement_hours(parse_period("2025-26"), START, None, hours(35), [], extra) == 35.0
    # Fewer hours never make the entitlement negative.
    assert entitlement_hours(YEAR, START, None, hours(6), [], [Adjustment(date(2026, 4, 1), -20)]) == 0.0


def test_remaining_never_goes_below_zero() -> None:
    assert Ledger(35, 20, 10).remaining_hours == 5
    assert Ledger(35, 30, 10).remaining_hours == 0
    assert Ledger(0, 0, 0).taken_share == 1.0
    assert Ledger(20, 5, 5).taken_share == 0.5


@pytest.mark.parametrize(
    ("used", "booked", "today", "started_on", "expected"),
    [
        # Half the year gone (1 April – 30 September: 183 of 365 days) → 35 × 183/365 = 17.55 due; behind when
        # used + booked < 17.55 − 3.5 = 14.05.
        (14.0, 0.0, date(2026, 9, 30), START, True),
        (10.0, 4.1, date(2026, 9, 30), START, False),
        # A starter on 1 October: the share is of the days they are employed (182); on 31 December 92 are gone.
        # Entitlement 17.5 → 17.5 × 92/182 = 8.85 due; behind below 8.85 − 1.75 = 7.1.
        (7.0, 0.0, date(2026, 12, 31), date(2026, 10, 1), True),
        (7.2, 0.0, date(2026, 12, 31), date(2026, 10, 1), False),
        (0.0, 0.0, date(2026, 9, 30), date(2026, 10, 1), False),  # not started yet
    ],
)
def test_who_is_behind(used: float, booked: float, today: date, started_on: date, expected: bool) -> None:
    entitlement = entitlement_hours(YEAR, started_on, None, hours(35, started_on))
    assert behind(Ledger(entitlement, used, booked), YEAR, started_on, None, today) is expected


def test_nobody_is_behind_in_the_first_weeks() -> None:
    # 30 April: 30 days gone → 35 × 30/365 = 2.88 due; 2.88 − 3.5 < 0, so nobody can be behind yet.
    assert behind(Ledger(35, 0, 0), YEAR, START, None, date(2026, 4, 30)) is False
    # 31 August: 153 days → 14.67 due − 3.5 = 11.17: nothing taken is behind.
    assert behind(Ledger(35, 0, 0), YEAR, START, None, date(2026, 8, 31)) is True
    assert behind(Ledger(0, 0, 0), YEAR, START, None, date(2027, 3, 31)) is False


def viewer(role: Role, *, email: str = "someone@example.org", organisation: int = 1, practitioner: int = 50) -> Viewer:
    return Viewer(1, email, "Someone", role, organisation, practitioner)


def test_who_may_set_a_policy() -> None:
    assert may_set_policy(viewer(Role.PARTNER_ADMIN, organisation=1), 1)
    assert not may_set_policy(viewer(Role.PARTNER_ADMIN, organisation=2), 1)
    assert may_set_policy(viewer(Role.LEAD), 7)
    assert may_set_policy(viewer(Role.ADMIN), 7)
    assert not may_set_policy(viewer(Role.MANAGER, organisation=1), 1)
    assert not may_set_policy(viewer(Role.PRACTITIONER, organisation=1), 1)


def test_who_may_adjust_and_decide() -> None:
    manager = viewer(Role.MANAGER, email="graham@example.org", organisation=3)
    assert may_adjust(manager, 10, 1, "Graham@example.org")
    assert not may_adjust(manager, 10, 1, "other@example.org")
    assert may_adjust(viewer(Role.PARTNER_ADMIN, organisation=1), 10, 1, None)
    # Nobody adjusts their own time or decides their own request, whatever their role or email.
    lead = viewer(Role.LEAD, email="lead@example.org", practitioner=10)
    assert not may_adjust(lead, 10, 1, "lead@example.org")
    assert not may_decide_request(lead, 10, "lead@example.org")
    assert may_decide_request(manager, 10, "graham@example.org")
    assert not may_decide_request(viewer(Role.ADMIN), 10, "graham@example.org")
    assert not may_decide_request(manager, 10, None)


def test_request_problems() -> None:
    today = date(2026, 11, 19)
    assert request_problem(date(2026, 12, 1), date(2026, 12, 2), 14, today) == {}
    assert "ends_on" in request_problem(date(2026, 12, 2), date(2026, 12, 1), 7, today)
    assert "hours" in request_problem(date(2026, 12, 1), date(2026, 12, 1), 25, today)
    assert "starts_on" in request_problem(date(2025, 11, 1), date(2025, 11, 1), 7, today)
