"""Local days: a moment belongs to the date it has in REGISTRY_TIMEZONE (Europe/London), not in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from registry import clock

MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def test_half_past_midnight_in_summer_time_is_the_next_day_in_utc_terms() -> None:
    # 00:30 BST on 1 April 2030 is 23:30 UTC on 31 March: it belongs to the year that starts on 1 April.
    moment = datetime(2030, 3, 31, 23, 30, tzinfo=UTC)
    assert clock.local_date(moment) == date(2030, 4, 1)
    starts, ends = clock.local_days(date(2030, 4, 1), date(2031, 3, 31))
    assert starts <= moment < ends
    assert starts == datetime(2030, 3, 31, 23, 0, tzinfo=UTC)
    assert ends == datetime(2031, 3, 31, 23, 0, tzinfo=UTC)  # summer time again by then
    _, year_before_ends = clock.local_days(date(2029, 4, 1), date(2030, 3, 31))
    assert not moment < year_before_ends


def test_a_local_day_across_the_clock_change_is_23_or_25_hours_long() -> None:
    starts, ends = clock.local_days(date(2030, 3, 31), date(2030, 3, 31))
    assert ends - starts == timedelta(hours=23)
    starts, ends = clock.local_days(date(2030, 10, 27), date(2030, 10, 27))
    assert ends - starts == timedelta(hours=25)


@given(moment=MOMENTS, first=DAYS, length=st.integers(min_value=0, max_value=400))
def test_local_days_hold_exactly_the_moments_whose_local_date_is_in_them(
    moment: datetime, first: date, length: int
) -> None:
    last = first + timedelta(days=length)
    starts, ends = clock.local_days(first, last)
    assert (starts <= moment < ends) == (first <= clock.local_date(moment) <= last)
