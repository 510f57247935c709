"""The snapshot job's periods and scopes (registry.metrics.rules): financial quarters, the quarter just ended,
the year to date, what the night works out, how a scope is named, and what counts as a correction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.learning.rules import financial_year
from registry.metrics.rules import (
    correction,
    financial_quarter,
    last_finished_quarter,
    nightly_periods,
    quarter_name,
    scope_key,
    year_to_date,
)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("year", [2023, 2027])  # 2023-24 holds 29 February 2024; 2027-28 holds 29 February 2028
def test_every_day_of_a_financial_year_is_in_one_of_its_four_quarters(year: int) -> None:
    days = _days(date(year, 4, 1), date(year + 1, 3, 31))
    quarters = {financial_quarter(day) for day in days}
    assert sorted((q.start, q.end) for q in quarters) == [
        (date(year, 4, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 9, 30)),
        (date(year, 10, 1), date(year, 12, 31)), (date(year + 1, 1, 1), date(year + 1, 3, 31)),
    ]  # fmt: skip
    for day in days:
        quarter = financial_quarter(day)
        assert quarter.start <= day <= quarter.end
        assert quarter.label == f"{quarter.start.isoformat()}..{quarter.end.isoformat()}"


def test_the_quarter_just_ended_is_the_one_before_todays() -> None:
    for today in _days(date(2026, 1, 1), date(2027, 12, 31)):
        ended = last_finished_quarter(today)
        assert ended.end == financial_quarter(today).start - timedelta(days=1)
        assert ended.end < today
    assert last_finished_quarter(date(2026, 4, 1)).start == date(2026, 1, 1)  # Q4 2025-26, the day after
    assert last_finished_quarter(date(2026, 3, 31)).start == date(2025, 10, 1)  # its last day: not yet ended


def test_the_year_to_date_runs_from_the_financial_years_start() -> None:
    assert (year_to_date(financial_quarter(date(2026, 5, 1))).start, year_to_date(financial_quarter(date(2026, 5, 1))).end) == (
        date(2026, 4, 1), date(2026, 6, 30),
    )  # fmt: skip
    q3 = year_to_date(financial_quarter(date(2026, 11, 19)))
    assert (q3.start, q3.end, q3.label) == (date(2026, 4, 1), date(2026, 12, 31), "2026-04-01..2026-12-31")
    q4 = year_to_date(financial_quarter(date(2027, 2, 1)))
    assert q4 == financial_year(date(2027, 2, 1))  # Q4's year to date is the year, labelled as one
    assert q4.label == "2026-27"


def test_the_night_works_out_this_year_and_this_quarter() -> None:
    year, quarter = nightly_periods(date(2026, 11, 19))
    assert year.label == "2026-27"
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))


def test_quarters_are_named_as_the_financial_year_counts_them() -> None:
    names = [quarter_name(financial_quarter(date(2026, m, 15) if m >= 4 else date(2027, m, 15))) for m in (4, 7, 10, 1)]
    assert names == ["Q1 2026-27", "Q2 2026-27", "Q3 2026-27", "Q4 2026-27"]


def test_a_scope_is_named_for_the_alliance_and_an_organisation_only() -> None:
    assert scope_key(None, None) == ""
    assert scope_key("DCC", None) == "organisation:DCC"
    assert scope_key(None, "Dundee City") is None
    assert scope_key("DCC", "Dundee City") is None


@pytest.mark.parametrize(
    ("reported", "now", "expected"),
    [(3, 4, 1), (4, 3, -1), (3, 3, None), (0.25, 0.25 + 1e-15, None), (None, 3, None), (3, None, None), (0, 2, 2)],
)
def test_a_correction_is_how_far_now_has_moved_from_what_was_reported(
    reported: float | None, now: float | None, expected: float | None
) -> None:
    assert correction(reported, now) == expected
