"""GOV.UK's date input read back (registry.web.dates): three boxes to one ISO date, and what is wrong with how
they were filled in."""

from __future__ import annotations

from datetime import date

import pytest

from registry.web.dates import date_from_parts, parts_of


def _form(day: str, month: str, year: str) -> dict[str, str]:
    return {"completed_on-day": day, "completed_on-month": month, "completed_on-year": year}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("27", "3", "2026"), ("2026-03-27", None)),
        ((" 1", "12 ", "2025"), ("2025-12-01", None)),
        (("31", "2", "2025"), ("2025-02-31", None)),  # written right: the schema says it does not exist
        (("", "", ""), ("", None)),
        (("27", "", "2026"), ("", "must include a month")),
        (("", "", "2026"), ("", "must include a day and a month")),
        (("27", "3", ""), ("", "must include a year")),
        (("27", "March", "2026"), ("", "must be a real date, in numbers, like 27 3 2026")),
        (("27", "3", "26"), ("", "must include a year of 4 digits, like 2026")),
    ],
)
def test_three_boxes_make_one_date(parts: tuple[str, str, str], expected: tuple[str, str | None]) -> None:
    assert date_from_parts(_form(*parts), "completed_on") == expected


def test_a_date_sent_whole_is_read_as_it_is_and_a_stored_one_fills_the_boxes() -> None:
    assert date_from_parts({"completed_on": " 2026-03-27 "}, "completed_on") == ("2026-03-27", None)
    assert parts_of("completed_on", date(2026, 3, 7)) == _form("7", "3", "2026")
    assert parts_of("completed_on", None) == _form("", "", "")
