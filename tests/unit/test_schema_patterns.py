"""The patterns the OpenAPI document carries for checks written in code say exactly what those checks accept:
every day from 1899 to 2201, every financial year, and whole numbers written with a point."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from registry.learning.rules import parse_period
from registry.people.schemas import parse_iso_date
from registry.validation import DATE_PATTERN, FINANCIAL_YEAR_PATTERN, PERIOD_PATTERN, RecordId


def _accepted(text: str) -> bool:
    try:
        parse_iso_date(text)
    except ValueError:
        return False
    return True


def test_the_date_pattern_matches_exactly_the_days_a_body_accepts() -> None:
    day, last = date(1899, 12, 1), date(2201, 1, 31)
    while day <= last:
        text = day.isoformat()
        assert bool(re.fullmatch(DATE_PATTERN, text)) == _accepted(text) == (1900 <= day.year <= 2200), text
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "text", ["1900-02-29", "2100-02-29", "2200-02-29", "2023-02-29", "2025-04-31", "2025-13-01", "2025-00-10",
             "2025-06-00", "2025-6-01", "02025-06-01", "2201-01-01", "1899-12-31"],
)  # fmt: skip
def test_days_that_do_not_exist_or_are_out_of_range_match_neither(text: str) -> None:
    assert not re.fullmatch(DATE_PATTERN, text)
    assert not _accepted(text)


@pytest.mark.parametrize("text", ["2000-02-29", "2024-02-29", "1904-02-29", "2196-02-29", "2200-12-31"])
def test_leap_days_match_both(text: str) -> None:
    assert re.fullmatch(DATE_PATTERN, text)
    assert _accepted(text)


def test_the_financial_year_pattern_matches_exactly_the_years_a_period_accepts() -> None:
    for first in range(1900, 2200):
        for second in range(100):
            text = f"{first}-{second:02d}"
            try:
                parse_period(text)
                parsed = True
            except ValueError:
                parsed = False
            assert bool(re.fullmatch(FINANCIAL_YEAR_PATTERN, text)) == parsed, text
            assert bool(re.search(PERIOD_PATTERN, text)) == parsed, text


@pytest.mark.parametrize(
    ("text", "allowed"),
    [("2025-04-01..2025-06-30", True), ("2024-02-29..2024-03-01", True), ("2025-02-29..2025-03-01", False),
     ("2025-04-01..2025-13-01", False), ("2025-04-01.2025-06-30", False), ("2025-26", True), ("2025-27", False)],
)  # fmt: skip
def test_the_period_pattern_allows_real_days_only(text: str, allowed: bool) -> None:
    assert bool(re.search(PERIOD_PATTERN, text)) == allowed


def test_an_id_written_with_a_point_is_the_whole_number_strict_json_allows() -> None:
    ids = TypeAdapter(RecordId)
    assert ids.validate_python(4.0, strict=True) == 4
    assert ids.validate_json("4.0", strict=True) == 4
    for wrong in (4.5, True, "4", 0.0, 2.0**31):
        with pytest.raises(ValidationError):
            ids.validate_python(wrong, strict=True)
