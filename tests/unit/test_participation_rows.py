"""The participation export's rules that need no database (registry/exports/participation.py): the calendar
months of a period, and how a breakdown's rows are suppressed — the months divide attendances and hours, so
a hidden month is protected by a second, but not people, who may attend in several months."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.exports.participation import BREAKDOWNS, Month, months_of, suppressed_rows
from registry.exports.suppression import Line
from registry.learning.rules import Period, financial_year

BY_NAME = {b.name: b for b in BREAKDOWNS}


def test_a_financial_year_has_twelve_months_from_april() -> None:
    months = months_of(financial_year(date(2025, 6, 1)))
    assert [m.key for m in months] == [f"2025-{n:02d}" for n in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    assert months[0] == Month("2025-04", "April 2025", date(2025, 4, 1), date(2025, 4, 30))
    assert months[-1] == Month("2026-03", "March 2026", date(2026, 3, 1), date(2026, 3, 31))
    assert months[10] == Month("2026-02", "February 2026", date(2026, 2, 1), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 4, 15), date(2025, 6, 10),
         [("2025-04", date(2025, 4, 15), date(2025, 4, 30)), ("2025-05", date(2025, 5, 1), date(2025, 5, 31)),
          ("2025-06", date(2025, 6, 1), date(2025, 6, 10))]),
        (date(2025, 12, 31), date(2026, 1, 1),
         [("2025-12", date(2025, 12, 31), date(2025, 12, 31)), ("2026-01", date(2026, 1, 1), date(2026, 1, 1))]),
        (date(2024, 2, 29), date(2024, 2, 29), [("2024-02", date(2024, 2, 29), date(2024, 2, 29))]),
    ],
)  # fmt: skip
def test_the_first_and_last_months_are_cut_to_the_period(
    start: date, end: date, expected: list[tuple[str, date, date]]
) -> None:
    assert [(m.key, m.first, m.last) for m in months_of(Period(start, end, "asked"))] == expected


def _row(key: str, attendances: int, participants: int, hours: float) -> dict[str, Any]:
    return {"key": key, "name": key, "attendances": attendances, "participants": participants, "hours": hours,
            "events": 1}  # fmt: skip


ROWS = [_row("2025-04", 3, 3, 4.5), _row("2025-05", 10, 8, 15), _row("2025-06", 12, 9, 18)]
TOTAL = _row("total", 25, 15, 37.5)  # 15 people, not 20: some came in more than one month


def _shown(breakdown: str) -> list[tuple[str, str, str]]:
    rows = suppressed_rows(ROWS, TOTAL, BY_NAME[breakdown], 5)
    return [(r.attendances, r.unique_participants, r.hours) for r in rows]


def test_a_small_month_hides_a_second_months_attendances_and_hours_but_not_its_people() -> None:
    assert _shown("period") == [
        ("<5", "<5", "<5"),  # April: 3 attendances by 3 people
        ("<5", "8", "<5"),  # May: hidden so that April's 3 cannot be worked back from the total of 25
        ("12", "9", "18"),
        ("25", "15", "37.5"),
    ]


def test_where_the_rows_divide_people_too_the_second_row_hides_them_as_well() -> None:
    # The same numbers by attendee organisation, where each person is in one row.
    assert _shown("attendee_organisation")[1] == ("<5", "<5", "<5")


def _row(key: str, attendances: int, people: int | None = None, events: int = 1) -> dict[str, Any]:
    return {"key": key, "name": key, "attendances": attendances, "participants": attendances if people is None
            else people, "hours": attendances * 2, "events": events}  # fmt: skip


def test_an_organisation_cannot_be_worked_back_from_its_local_authority() -> None:
    """DCC's 3 attendances would be Dundee's 13 less NHST's 10 if the two tables were protected apart."""
    from registry.exports.participation import _protect_family
    from tests.unit.test_suppression import _fixed_by_ranks  # the independent check, over the rationals

    orgs = [_row("DCC", 3), _row("NHST", 10), _row("FIFE", 7)]
    authorities = [_row("Dundee City", 13), _row("Fife", 7)]
    total = _row("total", 20, events=3)
    links = {"local_authority": {"DCC": "Dundee City", "NHST": "Dundee City", "FIFE": "Fife"}}
    family = [BY_NAME["attendee_organisation"], BY_NAME["local_authority"]]
    shown = _protect_family(family, {"attendee_organisation": orgs, "local_authority": authorities}, total, links, 5)
    assert shown["attendee_organisation", 0].attendances == "<5"
    # The sums the file publishes between the two tables, as cells: orgs 0-2, authorities 3-4, the total 5.
    lines = [Line((0, 1, 2), 5), Line((3, 4), 5), Line((0, 1), 3), Line((2,), 4)]
    hidden = [i for i, (b, n) in enumerate([("attendee_organisation", 0), ("attendee_organisation", 1),
              ("attendee_organisation", 2), ("local_authority", 0), ("local_authority", 1), ("local_authority", 2)])
              if shown[b, n].attendances == "<5"]  # fmt: skip
    assert _fixed_by_ranks(lines, hidden) == set()
    # Protected apart, the organisations' own table leaves DCC exposed through Dundee City's total.
    apart = _protect_family([BY_NAME["attendee_organisation"]], {"attendee_organisation": orgs}, total, {}, 5)
    apart_hidden = [i for i in range(3) if apart["attendee_organisation", i].attendances == "<5"]
    assert 0 in _fixed_by_ranks(lines, apart_hidden)


def test_an_event_cannot_be_worked_back_from_its_host_or_its_month() -> None:
    from registry.exports.participation import _protect_family
    from tests.unit.test_suppression import _fixed_by_ranks

    events = [_row("1", 3), _row("2", 10), _row("3", 8)]
    hosts = [_row("DCC", 13, events=2), _row("FIFE", 8)]
    months = [_row("2025-06", 11, events=2), _row("2025-07", 10)]
    total = _row("total", 21, events=3)
    links = {"host_organisation": {"1": "DCC", "2": "DCC", "3": "FIFE"}, "period": {"1": "2025-06", "2": "2025-07",
             "3": "2025-06"}}  # fmt: skip
    family = [BY_NAME["event"], BY_NAME["host_organisation"], BY_NAME["period"]]
    tables = {"event": events, "host_organisation": hosts, "period": months}
    shown = _protect_family(family, tables, total, links, 5)
    cells = [("event", 0), ("event", 1), ("event", 2), ("host_organisation", 0), ("host_organisation", 1),
             ("period", 0), ("period", 1), ("event", 3)]  # fmt: skip
    hidden = [i for i, key in enumerate(cells) if shown[key].attendances == "<5"]
    lines = [Line((0, 1, 2), 7), Line((3, 4), 7), Line((5, 6), 7), Line((0, 1), 3), Line((2,), 4), Line((0, 2), 5),
             Line((1,), 6)]  # fmt: skip
    assert 0 in hidden
    assert _fixed_by_ranks(lines, hidden) == set()
