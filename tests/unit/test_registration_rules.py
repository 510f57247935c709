"""CLDSC registration: the status on a day, the three-yearly renewal and the categories."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.registration.rules import (
    ACTIVE_STATUSES,
    RENEWAL_YEARS,
    STATUSES,
    RegistrationRow,
    category_for,
    default_renewal_due,
    status_on,
)

DAY = date(2026, 11, 24)


def row(id_: int, status: str, effective_from: date, renewal_due: date | None = None) -> RegistrationRow:
    return RegistrationRow(id=id_, status=status, effective_from=effective_from, renewal_due=renewal_due)


def test_constants() -> None:
    assert STATUSES == ("applied", "registered", "associate", "lapsed", "withdrawn")
    assert frozenset({"registered", "associate"}) == ACTIVE_STATUSES
    assert RENEWAL_YEARS == 3


def test_no_rows_is_none() -> None:
    assert status_on([], DAY) == "none"


def test_only_future_rows_is_none() -> None:
    assert status_on([row(1, "registered", DAY + timedelta(days=1))], DAY) == "none"


def test_row_effective_on_the_day_counts() -> None:
    assert status_on([row(1, "applied", DAY)], DAY) == "applied"


def test_latest_effective_row_wins_whatever_the_order() -> None:
    rows = [
        row(3, "applied", date(2020, 1, 1)),
        row(1, "registered", date(2024, 6, 1), date(2027, 6, 1)),
        row(2, "associate", date(2022, 1, 1), date(2025, 1, 1)),
    ]
    assert status_on(rows, DAY) == "registered"
    assert status_on(reversed(rows), DAY) == "registered"


def test_future_rows_are_ignored() -> None:
    rows = [
        row(1, "registered", date(2024, 6, 1), date(2027, 6, 1)),
        row(2, "withdrawn", DAY + timedelta(days=1)),
        row(3, "associate", date(2030, 1, 1), date(2033, 1, 1)),
    ]
    assert status_on(rows, DAY) == "registered"
    assert status_on(rows, DAY + timedelta(days=1)) == "withdrawn"


def test_same_day_ties_are_broken_by_higher_id() -> None:
    rows = [
        row(5, "withdrawn", date(2025, 1, 1)),
        row(9, "applied", date(2025, 1, 1)),
        row(7, "registered", date(2025, 1, 1)),
    ]
    assert status_on(rows, DAY) == "applied"
    assert status_on(list(reversed(rows)), DAY) == "applied"


def test_later_date_beats_higher_id() -> None:
    rows = [row(100, "applied", date(2024, 1, 1)), row(1, "withdrawn", date(2025, 1, 1))]
    assert status_on(rows, DAY) == "withdrawn"


def test_status_on_accepts_a_generator() -> None:
    rows = [row(1, "applied", date(2024, 1, 1)), row(2, "registered", date(2025, 1, 1), date(2028, 1, 1))]
    assert status_on((r for r in rows), DAY) == "registered"


@pytest.mark.parametrize("status", ["registered", "associate"])
@pytest.mark.parametrize(
    ("renewal_due", "expected_is_lapsed"),
    [
        (DAY - timedelta(days=1), True),
        (DAY - timedelta(days=900), True),
        (DAY, False),
        (DAY + timedelta(days=1), False),
        (None, False),
    ],
)
def test_active_status_lapses_after_renewal_due(
    status: str, renewal_due: date | None, expected_is_lapsed: bool
) -> None:
    rows = [row(1, status, date(2023, 1, 1), renewal_due)]
    assert status_on(rows, DAY) == ("lapsed" if expected_is_lapsed else status)


@pytest.mark.parametrize("status", ["applied", "withdrawn", "lapsed"])
def test_inactive_statuses_never_auto_lapse(status: str) -> None:
    assert status_on([row(1, status, date(2020, 1, 1), date(2021, 1, 1))], DAY) == status


def test_lapse_depends_on_the_day_asked_about() -> None:
    rows = [row(1, "registered", date(2023, 1, 1), date(2026, 1, 1))]
    assert status_on(rows, date(2025, 12, 31)) == "registered"
    assert status_on(rows, date(2026, 1, 1)) == "registered"
    assert status_on(rows, date(2026, 1, 2)) == "lapsed"
    assert status_on(rows, date(2022, 12, 31)) == "none"


def test_renewal_of_an_older_row_does_not_matter() -> None:
    rows = [
        row(1, "registered", date(2020, 1, 1), date(2023, 1, 1)),
        row(2, "registered", date(2023, 1, 1), date(2026, 12, 1)),
    ]
    assert status_on(rows, DAY) == "registered"


def test_withdrawal_after_registration() -> None:
    rows = [row(1, "registered", date(2024, 1, 1), date(2027, 1, 1)), row(2, "withdrawn", date(2025, 1, 1))]
    assert status_on(rows, date(2024, 6, 1)) == "registered"
    assert status_on(rows, DAY) == "withdrawn"


def reference_status(rows: list[RegistrationRow], day: date) -> str:
    effective = sorted((r for r in rows if r.effective_from <= day), key=lambda r: (r.effective_from, r.id))
    if not effective:
        return "none"
    latest = effective[-1]
    if latest.status in {"registered", "associate"} and latest.renewal_due is not None and latest.renewal_due < day:
        return "lapsed"
    return latest.status


_DATES = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def registration_rows(draw: st.DrawFn) -> list[RegistrationRow]:
    count = draw(st.integers(min_value=0, max_value=8))
    ids = draw(st.lists(st.integers(min_value=1, max_value=1000), min_size=count, max_size=count, unique=True))
    return [
        row(
            id_,
            draw(st.sampled_from(STATUSES)),
            draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2018, 1, 10)) | _DATES),
            draw(st.none() | _DATES),
        )
        for id_ in ids
    ]


@given(registration_rows(), _DATES, st.randoms(use_true_random=False))
def test_status_on_matches_reference(rows: list[RegistrationRow], day: date, rng: random.Random) -> None:
    expected = reference_status(rows, day)
    assert status_on(rows, day) == expected
    shuffled = list(rows)
    rng.shuffle(shuffled)
    assert status_on(shuffled, day) == expected
    assert expected in {"none", *STATUSES}


# ---------------------------------------------------------------- renewal and categories


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2025, 4, 1), date(2028, 4, 1)),
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2028, 2, 29), date(2031, 2, 28)),
        (date(2025, 2, 28), date(2028, 2, 28)),
        (date(2025, 3, 1), date(2028, 3, 1)),
        (date(2023, 12, 31), date(2026, 12, 31)),
        (date(2026, 1, 1), date(2029, 1, 1)),
    ],
)
def test_default_renewal_due(start: date, due: date) -> None:
    assert default_renewal_due(start) == due


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9990, 12, 31)))
def test_default_renewal_due_is_three_years_later(start: date) -> None:
    due = default_renewal_due(start)
    assert due.year == start.year + 3
    assert due.month == start.month
    if (start.month, start.day) == (2, 29):
        assert due.day == 28
    else:
        assert due.day == start.day
    assert 365 * 3 <= (due - start).days <= 365 * 3 + 1


@pytest.mark.parametrize(
    ("status", "category"),
    [
        ("registered", "registered_member"),
        ("associate", "associate_member"),
        ("applied", None),
        ("lapsed", None),
        ("withdrawn", None),
        ("none", None),
        ("", None),
    ],
)
def test_category_for(status: str, category: str | None) -> None:
    assert category_for(status) == category


# ---------------------------------------------------------------- the one summary

SUMMARY_DAY = date(2026, 6, 1)


def _row(n: int, status: str, start: date, due: date | None, number: str | None = None, state: str = "confirmed"):  # type: ignore[no-untyped-def]
    from registry.registration.rules import RegistrationRow

    return RegistrationRow(n, status, start, due, state, number)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], ("none", None, None, None, None)),
        (
            [_row(1, "associate", date(2025, 5, 1), date(2028, 5, 1), "N1"), _row(2, "applied", date(2026, 1, 10), None)],
            ("applied", "associate_member", date(2025, 5, 1), date(2028, 5, 1), "N1"),
        ),
        (
            [_row(1, "registered", date(2020, 1, 1), date(2023, 1, 1), "N1")],
            ("lapsed", "registered_member", date(2020, 1, 1), date(2023, 1, 1), "N1"),
        ),
        (
            [_row(1, "registered", date(2022, 1, 1), date(2025, 1, 1), "N1"), _row(2, "withdrawn", date(2024, 1, 1), None)],
            ("withdrawn", None, None, None, "N1"),
        ),
        (
            [_row(1, "associate", date(2023, 7, 1), date(2026, 7, 1), "A1"),
             _row(2, "registered", date(2026, 3, 1), date(2029, 3, 1), "R2")],
            ("registered", "registered_member", date(2026, 3, 1), date(2029, 3, 1), "R2"),
        ),
        (
            [_row(1, "associate", date(2025, 5, 1), date(2028, 5, 1), "N1"),
             _row(2, "registered", date(2026, 2, 1), date(2029, 2, 1), "N2", state="pending")],
            ("associate", "associate_member", date(2025, 5, 1), date(2028, 5, 1), "N1"),
        ),
        (
            [_row(1, "registered", date(2026, 7, 1), date(2029, 7, 1), "N1")],
            ("none", None, None, None, None),
        ),
    ],
    ids=["nothing", "associate applies", "overdue", "withdrawn", "new cycle supersedes", "claim pending", "future"],
)
def test_summary_of(rows: list[object], expected: tuple[object, ...]) -> None:
    from registry.registration.rules import summary_of

    s = summary_of(rows, SUMMARY_DAY)  # type: ignore[arg-type]
    assert (s.status, s.category, s.cycle_start, s.renewal_due, s.membership_number) == expected
