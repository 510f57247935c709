"""The pure rules of events: the booking state machine, first decisions, booking windows, hours, "fits part-time"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.events.rules import (
    ACCESS_NEEDS_LENGTH,
    BOOKING_STATUSES,
    OCCUPYING,
    TRANSITIONS,
    BookingWindow,
    SessionTimes,
    access_needs_problem,
    after_approval,
    attendance_closed_reason,
    booking_closed_reason,
    can_transition,
    fits_part_time,
    initial_status,
    ordinal,
    session_hours,
)

LONDON = ZoneInfo("Europe/London")

# ---------------------------------------------------------------- the booking state machine

COLUMNS = ("pending_approval", "confirmed", "waitlisted", "cancelled", "attended", "no_show")
# The spec, one row per current status ("-" is no booking yet), one column per new status (in COLUMNS' order).
SPEC = """
-                 Y Y Y . . .
pending_approval  . Y Y Y . .
waitlisted        . Y . Y . .
confirmed         . . . Y Y Y
attended          . Y . . . Y
no_show           . Y . . Y .
cancelled         Y Y Y . . .
"""


def _allowed_by_spec() -> dict[tuple[str | None, str], bool]:
    table: dict[tuple[str | None, str], bool] = {}
    for line in SPEC.strip().splitlines():
        current, *marks = line.split()
        assert len(marks) == len(COLUMNS), line
        for new, mark in zip(COLUMNS, marks, strict=True):
            table[(None if current == "-" else current, new)] = mark == "Y"
    return table


ALLOWED = _allowed_by_spec()


def test_the_spec_table_covers_every_pair() -> None:
    assert set(COLUMNS) == set(BOOKING_STATUSES)
    assert set(ALLOWED) == {(c, n) for c in (None, *BOOKING_STATUSES) for n in BOOKING_STATUSES}


def test_transitions_constant_is_the_spec() -> None:
    spec = {current: frozenset(n for (c, n), ok in ALLOWED.items() if c == current and ok) for current, _ in ALLOWED}
    assert spec == TRANSITIONS


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED, key=lambda pair: (pair[0] or "", pair[1])))
def test_can_transition_follows_the_spec(current: str | None, new: str) -> None:
    assert can_transition(current, new) is ALLOWED[(current, new)]


@pytest.mark.parametrize("status", BOOKING_STATUSES)
def test_no_status_moves_to_itself(status: str) -> None:
    assert not can_transition(status, status)


@pytest.mark.parametrize(("current", "new"), [("unknown", "confirmed"), ("confirmed", "unknown"), (None, "cancelled")])
def test_unknown_or_meaningless_moves_are_refused(current: str | None, new: str) -> None:
    assert not can_transition(current, new)


def test_places_are_held_by_confirmed_attended_and_no_show() -> None:
    assert frozenset({"confirmed", "attended", "no_show"}) == OCCUPYING


# ---------------------------------------------------------------- first decisions


@pytest.mark.parametrize(
    ("capacity", "occupied", "requires_approval", "expected"),
    [
        (10, 0, False, "confirmed"),
        (10, 9, False, "confirmed"),
        (10, 10, False, "waitlisted"),
        (10, 12, False, "waitlisted"),  # capacity lowered below the places already held
        (1, 0, False, "confirmed"),
        (1, 1, False, "waitlisted"),
        (10, 0, True, "pending_approval"),
        (10, 10, True, "pending_approval"),  # the manager decides first; the place is decided on approval
    ],
)
def test_initial_status(capacity: int, occupied: int, requires_approval: bool, expected: str) -> None:
    assert initial_status(capacity, occupied, requires_approval) == expected


@pytest.mark.parametrize(
    ("capacity", "occupied", "expected"),
    [(10, 0, "confirmed"), (10, 9, "confirmed"), (10, 10, "waitlisted"), (10, 11, "waitlisted"), (1, 0, "confirmed")],
)
def test_after_approval(capacity: int, occupied: int, expected: str) -> None:
    assert after_approval(capacity, occupied) == expected


def test_every_first_decision_is_an_allowed_move() -> None:
    for capacity, occupied, approval in [(2, 0, False), (2, 2, False), (2, 0, True)]:
        assert can_transition(None, initial_status(capacity, occupied, approval))
    for occupied in (0, 2):
        assert can_transition("pending_approval", after_approval(2, occupied))


Operation = tuple[str, bool]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.booleans()),  # (book, requires_approval)
        st.tuples(st.just("approve"), st.just(False)),  # the oldest pending booking is approved
        st.tuples(st.just("cancel"), st.booleans()),  # (cancel, a confirmed one rather than a waiting one)
    ),
    max_size=60,
)


@given(capacity=st.integers(min_value=1, max_value=12), steps=operations)
def test_sequential_decisions_never_overbook(capacity: int, steps: list[Operation]) -> None:
    """Book, approve and cancel in any order, deciding with the rules and promoting the longest waiting, as
    the service does under its lock: the places held never exceed the capacity, and nobody waits while a
    place is free."""
    statuses: list[str] = []

    def occupied() -> int:
        return sum(s in OCCUPYING for s in statuses)

    def move(index: int, new: str) -> None:
        assert can_transition(statuses[index], new)
        statuses[index] = new

    def promote() -> None:
        for index, status in enumerate(statuses):
            if status == "waitlisted" and occupied() < capacity:
                move(index, "confirmed")

    for action, flag in steps:
        if action == "book":
            statuses.append(initial_status(capacity, occupied(), requires_approval=flag))
        elif action == "approve" and "pending_approval" in statuses:
            move(statuses.index("pending_approval"), after_approval(capacity, occupied()))
        elif action == "cancel":
            target = "confirmed" if flag else "waitlisted"
            if target in statuses:
                move(statuses.index(target), "cancelled")
                promote()
        assert occupied() <= capacity
        if "waitlisted" in statuses:
            assert occupied() == capacity


# ---------------------------------------------------------------- booking windows

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _window(
    status: str = "published",
    opens: datetime | None = None,
    closes: datetime | None = None,
    first: datetime | None = NOW + 48 * HOUR,
) -> BookingWindow:
    return BookingWindow(status=status, opens_at=opens, closes_at=closes, first_starts_at=first)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (_window(), None),
        (_window(status="draft"), "This event is not open for booking"),
        (_window(status="cancelled"), "This event is not open for booking"),
        (_window(status="draft", opens=NOW + HOUR), "This event is not open for booking"),
        (_window(opens=NOW + HOUR), "Booking has not opened yet"),
        (_window(opens=NOW + timedelta(microseconds=1)), "Booking has not opened yet"),
        (_window(opens=NOW), None),  # open from the very moment
        (_window(opens=NOW - HOUR), None),
        (_window(closes=NOW + HOUR), None),
        (_window(closes=NOW), "Booking has closed"),  # closed at the moment itself
        (_window(closes=NOW - HOUR), "Booking has closed"),
        (_window(first=NOW + timedelta(seconds=1)), None),  # no closing time: open until the first session starts
        (_window(first=NOW), "Booking has closed"),
        (_window(first=NOW - HOUR), "Booking has closed"),
        (_window(closes=NOW + HOUR, first=NOW - HOUR), None),  # an explicit closing time wins over the first start
        (_window(closes=NOW - HOUR, first=NOW + HOUR), "Booking has closed"),
        (_window(first=None), None),
        (_window(opens=NOW + HOUR, closes=NOW - HOUR), "Booking has not opened yet"),
    ],
)
def test_booking_closed_reason(window: BookingWindow, expected: str | None) -> None:
    assert booking_closed_reason(window, NOW) == expected


def test_booking_windows_compare_instants_not_wall_clocks() -> None:
    # 13:00 in London in June is 12:00 UTC: the same instant as NOW, so booking has just closed.
    closes = datetime(2026, 6, 1, 13, 0, tzinfo=LONDON)
    assert booking_closed_reason(_window(closes=closes), NOW) == "Booking has closed"
    assert booking_closed_reason(_window(closes=closes), NOW - timedelta(seconds=1)) is None


# ---------------------------------------------------------------- hours and "fits part-time"


def _session(start: datetime, hours: float) -> SessionTimes:
    return SessionTimes(starts_at=start, ends_at=start + timedelta(hours=hours))


def _utc(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        ([], 0),
        ([2.5], 2.5),
        ([2.5, 2], 4.5),
        ([1 / 3], 0.33),  # 20 minutes, to two decimal places
        ([0.25, 0.25, 0.25], 0.75),
        ([7, 7, 7, 7], 28),
    ],
)
def test_session_hours(lengths: list[float], expected: float) -> None:
    sessions = [_session(_utc(1 + i, 9), hours) for i, hours in enumerate(lengths)]
    assert session_hours(sessions) == expected


def test_session_hours_over_the_october_clock_change_in_utc() -> None:
    # 00:30 BST to 03:00 GMT on 25 October 2026 is three and a half hours (01:00-02:00 happens twice).
    start = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    end = datetime(2026, 10, 25, 3, 0, tzinfo=LONDON)
    assert session_hours([SessionTimes(start.astimezone(UTC), end.astimezone(UTC))]) == 3.5


def test_session_hours_with_london_zoned_times_over_the_clock_change() -> None:
    """Python ignores offsets when subtracting datetimes of one ZoneInfo; the rule must not."""
    start = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    end = datetime(2026, 10, 25, 3, 0, tzinfo=LONDON)
    assert session_hours([SessionTimes(start, end)]) == 3.5


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        ([], False),
        ([_session(_utc(5, 9), 3)], True),  # short: three hours exactly
        ([_session(_utc(5, 9), 3 + 1 / 60)], False),  # a daytime session of just over three hours
        ([_session(_utc(5, 9), 2), _session(_utc(12, 13), 1.5)], True),  # all short
        ([_session(_utc(5, 9), 2), _session(_utc(12, 9), 6)], False),  # a mix: one long daytime session
        # Evening sessions, by London time. Before the clocks go back (25 October 2026) London is UTC+1.
        ([_session(_utc(21, 16), 4)], True),  # 17:00 BST: evening
        ([_session(_utc(21, 15, 59), 4)], False),  # 16:59 BST: daytime, and long
        ([_session(_utc(23, 16, 30), 4)], True),  # Friday before the change, 17:30 BST
        ([_session(_utc(26, 16, 30), 4)], False),  # Monday after the change, 16:30 GMT: daytime
        ([_session(_utc(26, 17), 4)], True),  # 17:00 GMT
        ([_session(_utc(23, 16, 30), 4), _session(_utc(30, 16, 30), 4)], False),  # same UTC time, a week apart
        ([_session(_utc(23, 16, 30), 4), _session(_utc(30, 17, 30), 4)], True),  # 17:30 local, both weeks
        ([_session(_utc(26, 18), 4), _session(_utc(27, 9), 2)], True),  # an evening and a short one
        ([_session(_utc(26, 18), 4), _session(_utc(27, 9), 4)], False),  # an evening and a long day
    ],
)
def test_fits_part_time(sessions: list[SessionTimes], expected: bool) -> None:
    assert fits_part_time(sessions, LONDON) is expected


def test_fits_part_time_takes_any_iterable_once() -> None:
    sessions = [_session(_utc(5, 9), 2), _session(_utc(6, 9), 2)]
    assert fits_part_time(iter(sessions), LONDON)
    assert not fits_part_time(iter([]), LONDON)


def test_evening_is_judged_in_the_zone_given() -> None:
    session = _session(_utc(26, 16, 30), 4)  # 16:30 in London, 17:30 in Paris
    assert not fits_part_time([session], LONDON)
    assert fits_part_time([session], ZoneInfo("Europe/Paris"))


# ---------------------------------------------------------------- attendance opens at the first start

FIRST_START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 10am in London (GMT)
NOT_YET = "Attendance opens when the event starts, at 10am on Monday 7 December 2026"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (FIRST_START - timedelta(days=30), NOT_YET),
        (FIRST_START - timedelta(seconds=1), NOT_YET),
        (FIRST_START, None),
        (FIRST_START + timedelta(minutes=5), None),
        (FIRST_START + timedelta(days=400), None),
    ],
)
def test_attendance_opens_when_the_first_session_starts(now: datetime, expected: str | None) -> None:
    assert attendance_closed_reason(FIRST_START, now, LONDON) == expected


def test_attendance_opening_is_told_in_local_time() -> None:
    summer = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 9:30am British Summer Time
    assert attendance_closed_reason(summer, summer - timedelta(hours=1), LONDON) == (
        "Attendance opens when the event starts, at 9:30am on Monday 1 June 2026"
    )
    # The instant decides, not the wall clock of either zone.
    in_london = summer.astimezone(LONDON)
    assert attendance_closed_reason(summer, in_london, LONDON) is None


def test_an_event_without_sessions_has_no_attendance() -> None:
    assert attendance_closed_reason(None, FIRST_START, LONDON) == (
        "This event has no sessions, so there is no attendance to take"
    )


def test_a_draft_has_no_attendance_even_once_started() -> None:
    assert attendance_closed_reason(FIRST_START, FIRST_START + timedelta(hours=1), LONDON, "draft") == (
        "This event is a draft: publish it before taking attendance"
    )
    assert attendance_closed_reason(FIRST_START, FIRST_START + timedelta(hours=1), LONDON, "published") is None


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (10, "10th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th"), (112, "112th")],
)  # fmt: skip
def test_places_on_a_waiting_list_are_written_as_people_say_them(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_access_needs_are_limited_in_length() -> None:
    assert access_needs_problem("Wheelchair access; vegetarian") is None
    assert access_needs_problem("x" * ACCESS_NEEDS_LENGTH) is None
    assert access_needs_problem("x" * (ACCESS_NEEDS_LENGTH + 1)) is not None
