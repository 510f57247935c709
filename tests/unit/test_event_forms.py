"""The host's event form: local times across the clocks changes, row problems, and patches of only what changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from registry.events.forms import (
    closes_at_end_of,
    event_patch,
    event_problems,
    form_from_event,
    last_booking_day,
    read_event_form,
    session_row_count,
    whole_last_day,
)
from registry.events.schemas import EventIn, EventOut, SessionOut
from registry.web.templating import make_template_engine
from tests.support import boxes

LONDON = ZoneInfo("Europe/London")


def form(**changes: str) -> dict[str, str]:
    """The form as the page sends it; a date given as ``session_1_date="2026-12-08"`` is typed into its boxes."""
    dates = {k: v for k, v in changes.items() if k.endswith(("_date", "booking_closes"))}
    written = {k: v for k, v in changes.items() if k not in dates}
    for name, value in dates.items():
        written.update(boxes(name, value))
    return {
        "title": "Trauma-informed youth work",
        "host_organisation": "DCC",
        "format": "in_person",
        "venue": "Lochee Community Hub",
        "capacity": "12",
        **boxes("session_1_date", "2026-12-08"),
        "session_1_start": "09:30",
        "session_1_end": "12:00",
        "requires_approval": "no",
        "status": "published",
        **written,
    }


@pytest.mark.parametrize(
    ("day", "start", "utc"),
    [
        ("2026-12-08", "09:30", datetime(2026, 12, 8, 9, 30, tzinfo=UTC)),  # GMT
        ("2026-07-01", "9:30", datetime(2026, 7, 1, 8, 30, tzinfo=UTC)),  # BST
        ("2026-10-24", "10:00", datetime(2026, 10, 24, 9, 0, tzinfo=UTC)),  # the day before the clocks go back
        ("2026-10-25", "10:00", datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),  # the day they go back
        ("2026-10-25", "01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # twice that night: the first (BST)
        ("2027-03-28", "09.30", datetime(2027, 3, 28, 8, 30, tzinfo=UTC)),  # the day they go forward
    ],
)
def test_sessions_are_read_in_local_time(day: str, start: str, utc: datetime) -> None:
    data, problems = read_event_form(form(session_1_date=day, session_1_start=start, session_1_end="23:00"), [], LONDON)
    assert problems == {}
    assert data["sessions"][0]["starts_at"] == utc


def test_a_time_the_clocks_skip_is_refused() -> None:
    _, problems = read_event_form(form(session_1_date="2027-03-28", session_1_start="01:15"), [], LONDON)
    assert problems == {"session_1_start": "The start time of session 1 does not exist that day: the clocks go forward"}


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"session_1_date": "2026-02-30"}, {"session_1_date": "The date of session 1 must be a real date, for example 8 12 2026"}),
        ({"session_1_date-day": "8/12"}, {"session_1_date": "The date of session 1 must be a real date, in numbers, like 27 3 2026"}),
        ({"session_1_date-month": ""}, {"session_1_date": "The date of session 1 must include a month"}),
        ({"session_1_date-year": "26"}, {"session_1_date": "The date of session 1 must include a year of 4 digits, like 2026"}),
        ({"session_1_date": ""}, {"session_1_date": "Enter the date of session 1, for example 8 12 2026"}),
        ({"session_1_start": "24:00"}, {"session_1_start": "Enter the start time of session 1 as a time like 09:30 or 14:00"}),
        ({"session_1_end": ""}, {"session_1_end": "Enter the end time of session 1 as a time like 12:00 or 16:30"}),
        ({"session_1_end": "09:30"}, {"session_1_end": "The end time of session 1 must be after its start time"}),
        ({"session_1_date": "", "session_1_start": "", "session_1_end": ""},
         {"sessions": "Enter the date, start time and end time of at least one session"}),
        ({**boxes("booking_closes", "2026-12-01"), "booking_closes-day": "soon"}, {"booking_closes": "The last day to book must be a real date, in numbers, like 27 3 2026, or leave it blank"}),
        ({"booking_closes": "2026-11-31"}, {"booking_closes": "The last day to book must be a real date, like 1 12 2026, or leave it blank"}),
    ],
)  # fmt: skip
def test_row_problems(changes: dict[str, str], problems: dict[str, str]) -> None:
    assert read_event_form(form(**changes), [], LONDON)[1] == problems


def test_rows_in_any_order_are_sorted_and_spare_rows_ignored() -> None:
    data, problems = read_event_form(
        form(session_3_date="2026-12-01", session_3_start="18:00", session_3_end="20:00"), ["C2"], LONDON
    )
    assert problems == {}
    assert [s["starts_at"].day for s in data["sessions"]] == [1, 8]
    event = EventIn.model_validate(data)
    assert (event.capacity, event.competences, event.requires_approval) == (12, ["C2"], False)


def test_a_blank_capacity_is_missing_not_malformed() -> None:
    data, _ = read_event_form(form(capacity=" "), [], LONDON)
    assert "capacity" not in data


def test_the_last_day_to_book_round_trips_across_the_clocks_change() -> None:
    for day in (date(2026, 10, 24), date(2026, 10, 25), date(2027, 3, 27), date(2027, 3, 28), date(2026, 12, 31)):
        closes = closes_at_end_of(day, LONDON)
        assert closes.astimezone(LONDON).time().hour == 0
        assert last_booking_day(closes, LONDON) == day
        assert whole_last_day(closes, LONDON) == day
    afternoon = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert last_booking_day(afternoon, LONDON) == date(2026, 12, 1)
    assert whole_last_day(afternoon, LONDON) is None
    assert last_booking_day(None, LONDON) is None


def test_session_row_count() -> None:
    assert session_row_count({}) == 4
    assert session_row_count(boxes("session_6_date", "2026-12-08")) == 6
    assert session_row_count({"session_5_end": "12:00", "session_7_date-day": " "}) == 5


def test_problems_are_worded_for_people_in_the_order_of_the_form() -> None:
    worded = event_problems(
        {
            "session_1_date": "Enter the date of session 1 as a date like 2026-12-08",
            "capacity": "must be 1 or more",
            "format": "must be one of 'in_person', 'online' or 'hybrid'",
            "title": "must not be empty",
            "online_url": "Input should be a valid URL, relative URL without a base",
            "venue": "an in-person or hybrid event needs a venue",
            "booking_closes": "Enter the last day to book as a date like 2026-12-01, or leave it blank",
        }
    )
    assert list(worded.items()) == [
        ("title", "Enter a title"),
        ("format", "Select whether the event is in person, online or hybrid"),
        ("venue", "An in-person or hybrid event needs a venue"),
        ("online_url", "Enter the online link as a full web address, like https://meet.example.org/abc"),
        ("capacity", "Number of places must be 1 or more"),
        ("session_1_date", "Enter the date of session 1 as a date like 2026-12-08"),
        ("booking_closes", "Enter the last day to book as a date like 2026-12-01, or leave it blank"),
    ]


def _event(**changes: Any) -> EventOut:
    starts = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": 1, "title": "Trauma-informed youth work", "description": "", "host_organisation": "DCC",
        "host_name": "Dundee City Council", "format": "in_person", "venue": "Lochee Community Hub",
        "online_url": None, "capacity": 12, "places_left": 12, "waitlisted": 0,
        "sessions": [SessionOut(starts_at=starts, ends_at=starts + timedelta(hours=2, minutes=30))],
        "competences": ["C2"], "topics": ["youth work"], "audience": "", "requires_approval": False,
        "booking_opens_at": None, "booking_closes_at": closes_at_end_of(date(2026, 12, 1), LONDON),
        "status": "published", "sequence": 0, **changes,
    }  # fmt: skip
    return EventOut(**values)


def _resubmitted(event: EventOut, **changes: str) -> EventIn:
    values = {**form_from_event(event, LONDON), **changes}
    data, problems = read_event_form(values, event.competences, LONDON)
    assert problems == {}
    return EventIn.model_validate(data)


def test_the_form_of_an_event_saved_unchanged_changes_nothing() -> None:
    event = _event()
    values = form_from_event(event, LONDON)
    assert (values["session_1_date-day"], values["session_1_date-month"], values["session_1_date-year"]) == (
        "8",
        "12",
        "2026",
    )
    assert (values["session_1_start"], values["session_1_end"]) == ("09:30", "12:00")
    assert boxes("booking_closes", "2026-12-01").items() <= values.items()
    assert values["topics"] == "youth work"
    assert event_patch(event, _resubmitted(event), LONDON).model_dump(exclude_unset=True) == {}


@pytest.mark.parametrize(
    ("changes", "changed"),
    [
        ({"title": "Trauma-informed practice"}, {"title"}),
        ({"venue": "Coldside Library"}, {"venue"}),
        ({"session_1_start": "10:00"}, {"sessions"}),
        ({"format": "hybrid", "online_url": "https://meet.example.org/t"}, {"format", "online_url"}),
        ({"topics": "youth work; trauma"}, {"topics"}),
        (boxes("booking_closes", ""), {"booking_closes_at"}),
        ({"requires_approval": "yes", "capacity": "20"}, {"requires_approval", "capacity"}),
    ],
)
def test_a_save_patches_only_what_changed(changes: dict[str, str], changed: set[str]) -> None:
    event = _event()
    patch = event_patch(event, _resubmitted(event, **changes), LONDON)
    assert set(patch.model_dump(exclude_unset=True)) == changed


def test_a_draft_can_be_published_from_the_form_but_a_published_event_keeps_its_status() -> None:
    draft = _event(status="draft")
    assert event_patch(draft, _resubmitted(draft, status="published"), LONDON).status == "published"
    published = _event()
    assert "status" not in event_patch(published, _resubmitted(published, status="draft"), LONDON).model_fields_set


@pytest.mark.parametrize(
    ("moment", "part", "text"),
    [
        (datetime(2026, 12, 8, 9, 30, tzinfo=UTC), "datetime", "Tuesday 8 December 2026, 9:30am"),
        (datetime(2026, 12, 8, 12, 0, tzinfo=UTC), "time", "12pm"),
        (datetime(2026, 12, 8, 0, 0, tzinfo=UTC), "time", "12am"),
        (datetime(2026, 10, 24, 9, 0, tzinfo=UTC), "datetime", "Saturday 24 October 2026, 10am"),
        (datetime(2026, 10, 25, 10, 0, tzinfo=UTC), "datetime", "Sunday 25 October 2026, 10am"),
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "date", "Thursday 2 July 2026"),
        (datetime(2026, 12, 8, 17, 5), "time", "5:05pm"),  # naive: taken as UTC
        (None, "datetime", ""),
    ],
)
def test_the_localtime_filter(moment: datetime | None, part: str, text: str) -> None:
    localtime = make_template_engine().engine.filters["localtime"]
    assert localtime(moment, part) == text
