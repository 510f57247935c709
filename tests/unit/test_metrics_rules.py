"""The pure rules of the workforce metrics: periods and baselines, shares, the part-time ratio, the change and
its judgement, registration as C1 counts it, who sees which scope, and the required PL hours."""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.accounts.rules import Role, Viewer
from registry.learning.rules import Period, financial_year, parse_period, required_pl_hours
from registry.metrics.catalogue import METRICS
from registry.metrics.compute import COMPUTE
from registry.metrics.plans import BUILTIN_PLAN
from registry.metrics.rules import (
    baseline_for,
    change,
    counts_as_registered,
    judge,
    label_of,
    parity_ratio,
    previous_period,
    scope_problem,
    share,
    trend_periods,
)
from registry.metrics.schemas import MetricKey
from registry.registration.rules import RegistrationRow, summary_of


def _p(text: str) -> Period:
    return parse_period(text)


@pytest.mark.parametrize(
    ("period", "before"),
    [
        ("2025-26", "2024-25"),  # a financial year: the one before
        ("2024-25", "2023-24"),  # 2023-24 has 366 days (29 February 2024) and is still "the year before"
        ("2025-04-01..2025-06-30", "2025-01-01..2025-03-31"),  # a quarter: the quarter before
        ("2025-01-01..2025-12-31", "2024-01-01..2024-12-31"),  # a calendar year
        ("2025-03-01..2025-03-31", "2025-02-01..2025-02-28"),  # a month: the month before, however long
        ("2025-04-01..2025-04-01", "2025-03-31..2025-03-31"),  # one day
        ("2025-04-10..2025-04-19", "2025-03-31..2025-04-09"),  # ten days: ten days before
        ("2025-04-01..2025-04-15", "2025-03-17..2025-03-31"),  # not whole months: as many days
    ],
)
def test_the_baseline_is_the_period_of_the_same_length_just_before(period: str, before: str) -> None:
    assert previous_period(_p(period)) == _p(before)


def test_a_plans_own_baseline_wins() -> None:
    own = _p("2017-18")
    assert baseline_for(_p("2025-26"), own) is own
    assert baseline_for(_p("2025-26"), None) == _p("2024-25")


@given(st.dates(date(1990, 1, 1), date(2100, 1, 1)), st.integers(1, 800))
def test_the_baseline_ends_the_day_before_and_never_overlaps(start: date, days: int) -> None:
    period = Period(start, start + timedelta(days=days - 1), "p")
    before = previous_period(period)
    assert before.end == period.start - timedelta(days=1)
    assert before.start <= before.end
    if not (start.day == 1 and (period.end + timedelta(days=1)).day == 1):
        assert before.days == period.days


@given(st.dates(date(1990, 1, 1), date(2100, 1, 1)))
def test_a_financial_year_is_followed_back_by_the_financial_year_before(day: date) -> None:
    year = financial_year(day)
    assert previous_period(year) == financial_year(year.start - timedelta(days=1))


def test_the_trend_is_five_periods_oldest_first() -> None:
    assert [p.label for p in trend_periods(_p("2025-26"))] == ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
    assert len(trend_periods(_p("2025-04-01..2025-04-07"), 3)) == 3


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [(date(2025, 4, 1), date(2026, 3, 31), "2025-26"), (date(2025, 4, 1), date(2025, 6, 30), "2025-04-01..2025-06-30")],
)
def test_labels(start: date, end: date, label: str) -> None:
    assert label_of(start, end) == label


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"), [(3, 8, 0.375), (0, 5, 0.0), (0, 0, None), (5, 5, 1.0)]
)
def test_shares_are_unrounded_fractions_and_empty_without_a_whole(
    numerator: int, denominator: int, expected: float | None
) -> None:
    assert share(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("part_time", "full_time", "expected"),
    [
        (0.5, 0.5, 1.0),  # parity
        (0.3, 0.6, 0.5),
        (1.0, 0.6, 1 / 0.6),
        (None, 0.6, None),  # no part-time members: empty
        (0.5, None, None),  # no full-time members: empty
        (0.5, 0.0, None),  # full-time members, none attended: no ratio exists
        (0.0, 0.5, 0.0),
    ],
)
def test_the_part_time_ratio(part_time: float | None, full_time: float | None, expected: float | None) -> None:
    assert parity_ratio(part_time, full_time) == expected


@pytest.mark.parametrize(
    ("value", "baseline", "direction", "difference", "judgement"),
    [
        (3, 2, "up", 1, "improving"),
        (2, 3, "up", -1, "worsening"),
        (2, 3, "down", -1, "improving"),
        (3, 2, "down", 1, "worsening"),
        (2, 2, "up", 0, "no_change"),
        (0.1 + 0.2, 0.3, "up", pytest.approx(0), "no_change"),  # float noise is no change
        (None, 2, "up", None, None),
        (2, None, "up", None, None),
    ],
)
def test_the_change_and_whether_it_goes_the_wanted_way(
    value: float | None, baseline: float | None, direction: str, difference: object, judgement: str | None
) -> None:
    assert change(value, baseline) == difference
    assert judge(change(value, baseline), direction) == judgement


def _row(n: int, status: str, start: date, due: date | None = None, state: str = "confirmed") -> RegistrationRow:
    return RegistrationRow(n, status, start, due, state)


DAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], False),
        ([_row(1, "registered", date(2024, 1, 1), date(2027, 1, 1))], True),
        ([_row(1, "associate", date(2025, 5, 1), date(2028, 5, 1))], True),
        # An associate who applies for full membership is still an associate.
        ([_row(1, "associate", date(2025, 5, 1), date(2028, 5, 1)), _row(2, "applied", date(2026, 1, 10))], True),
        # ... until that membership's renewal date passes.
        ([_row(1, "associate", date(2020, 5, 1), date(2023, 5, 1)), _row(2, "applied", date(2023, 1, 10))], False),
        ([_row(1, "applied", date(2025, 9, 1))], False),
        ([_row(1, "registered", date(2023, 3, 30), date(2026, 3, 30))], False),  # lapsed the day before
        ([_row(1, "registered", date(2023, 3, 31), date(2026, 3, 31))], True),  # renewal due on the day itself
        ([_row(1, "registered", date(2022, 1, 1), date(2025, 1, 1)), _row(2, "withdrawn", date(2024, 1, 1))], False),
        # A withdrawal ends the membership: a later application does not bring it back.
        (
            [
                _row(1, "registered", date(2022, 1, 1), date(2027, 1, 1)),
                _row(2, "withdrawn", date(2024, 1, 1)),
                _row(3, "applied", date(2025, 1, 1)),
            ],
            False,
        ),
        ([_row(1, "registered", date(2024, 1, 1), date(2027, 1, 1), state="pending")], False),  # a claim
        ([_row(1, "registered", date(2026, 4, 1), date(2029, 4, 1))], False),  # not yet in effect
    ],
)
def test_registration_as_c1_counts_it(rows: list[RegistrationRow], expected: bool) -> None:
    assert counts_as_registered(summary_of(rows, DAY), DAY) is expected


def _viewer(role: Role, organisation_id: int | None = None) -> Viewer:
    return Viewer(1, "someone@example.org", "Someone", role, organisation_id=organisation_id)


@pytest.mark.parametrize(
    ("role", "organisation_id", "asked", "local_authority", "allowed"),
    [
        (Role.LEAD, None, None, False, True),
        (Role.ADMIN, None, 7, True, True),
        (Role.PARTNER_ADMIN, 7, None, False, True),  # given their own organisation
        (Role.PARTNER_ADMIN, 7, 7, False, True),
        (Role.PARTNER_ADMIN, 7, 8, False, False),  # another organisation's
        (Role.PARTNER_ADMIN, 7, None, True, False),  # a local authority's
        (Role.MANAGER, None, None, False, False),
        (Role.PRACTITIONER, None, None, False, False),
    ],
)
def test_who_sees_which_scope(
    role: Role, organisation_id: int | None, asked: int | None, local_authority: bool, allowed: bool
) -> None:
    assert (scope_problem(_viewer(role, organisation_id), asked, local_authority) is None) is allowed


YEAR = financial_year(date(2025, 6, 1))


@pytest.mark.parametrize(
    ("weekly", "started", "left", "expected"),
    [
        (35, date(2015, 1, 1), None, 35.0),  # full-time, the whole year: 35 h (CLDSC)
        (15, date(2015, 1, 1), None, 15.0),
        (17.5, date(2015, 1, 1), None, 17.5),
        (35, date(2025, 10, 1), None, 17.5),  # mid-period starter: 35 × 182 / 365 = 17.45
        (21, date(2015, 1, 1), date(2026, 3, 31), 20.9),  # left on the last day: 364 days employed
        (1.25, date(2015, 1, 1), None, 1.3),  # an exact half is rounded up (Python's round gives 1.2)
        (0.25, date(2025, 9, 1), None, 0.1),  # 0.25 × 212 / 365 = 0.145...
        (6, date(2026, 4, 1), None, 0.0),  # not employed in the period
        (6, date(2015, 1, 1), date(2025, 4, 1), 0.0),  # left on its first day
    ],
)
def test_required_pl_hours(weekly: float, started: date, left: date | None, expected: float) -> None:
    assert required_pl_hours(weekly, YEAR, started, left) == expected


@given(st.integers(0, 6000).map(lambda h: h / 100), st.integers(0, 366))
def test_required_hours_round_half_up_on_the_exact_value(weekly: float, days: int) -> None:
    period = Period(date(2024, 4, 1), date(2024, 4, 1) + timedelta(days=days - 1), "p") if days else YEAR
    employed = period.days if days else 0
    started = period.start if days else date(2030, 1, 1)
    exact = Decimal(str(weekly)) * employed / 365
    expected = float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    assert required_pl_hours(weekly, period, started, None) == expected
    assert math.isclose(required_pl_hours(weekly, period, started, None), float(exact), abs_tol=0.05 + 1e-9)


def test_every_metric_of_metrics_md_is_defined_computed_and_accepted() -> None:
    keys = {
        "shared_learning_needs", "collaborative_learning_partners", "school_qualified_involvement",
        "learning_opportunities", "participation", "cldsc_registration_rate", "competence_linked_learning",
        "cldsc_awareness", "verified_learning_share", "protected_time", "part_time_access_ratio",
    }  # fmt: skip
    assert set(METRICS) == set(COMPUTE) == set(get_args(MetricKey)) == keys


def test_the_strategys_indicators_are_seeded_as_product_md_tabulates_them() -> None:
    with BUILTIN_PLAN.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["plan_code"] for r in rows} == {"CLD-2018-21"}
    assert [(r["indicator_code"], r["metric"]) for r in rows] == [
        ("A1", "shared_learning_needs"), ("A2", "collaborative_learning_partners"),
        ("A3", "school_qualified_involvement"), ("B1", "learning_opportunities"), ("B2", "participation"),
        ("C1", "cldsc_registration_rate"), ("C2", "competence_linked_learning"), ("D1", "cldsc_awareness"),
        ("D2", "verified_learning_share"), ("D3", "protected_time"), ("D4", "part_time_access_ratio"),
    ]  # fmt: skip
    actions = {r["action_code"]: r["action_title"] for r in rows}
    assert actions == {
        "A": "Agree collaborative learning priorities across the CLD partners",
        "B": "Develop and deliver a range of learning opportunities to meet agreed priorities, linked to the shared "
        "national workforce development plan",
        "C": "Promote strong professional practice and identity",
        "D": "Implement the recommendations of the CLD Workforce Study 2018 and the TFPLA professional learning study",
    }
    titles = [r["indicator_title"] for r in rows]
    assert titles[0] == "Partners work together to identify shared learning needs"
    assert titles[-1] == "Ensuring part-time staff can access learning opportunities"
    assert {r["direction"] for r in rows} == {"up"}
