"""Every booking change holds the event lock and moves only from the status it saw (issue 11, point 2).

On PostgreSQL the calls below really run at once (each transaction has its own connection); on SQLite the
process's write lock serialises them. Either way: one learning record per attendance, no cancellation lost,
and a 409 (never a 500) for the loser of a race.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from registry import clock
from registry.accounts.rules import Role
from registry.cli_viewer import COMMAND_LINE
from registry.db import write_tx
from registry.errors import Conflict
from registry.events import bookings, service
from registry.events.places import move as _move
from registry.events.schemas import AttendanceItem, EventIn, SessionIn
from registry.events.tables import Booking, BookingHistory
from registry.learning.tables import LearningRecord
from tests.support import Alliance, as_viewer

ROUNDS = 6


async def _started_event_with_bookings(alliance: Alliance, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[int]]:
    """An event a day ahead, Eilidh and Ross booked, and then the clock moved past its start."""
    starts = clock.now() + timedelta(days=1)
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Race day", host_organisation="DCC", format="in_person", venue="Lochee Hub", capacity=20,
                sessions=[SessionIn(starts_at=starts, ends_at=starts + timedelta(hours=2))], status="published"),
    )  # fmt: skip
    ids = [
        (await bookings.book(COMMAND_LINE, event.id, alliance.practitioner_ids[email])).id
        for email in ("eilidh@example.org", "ross@example.org")
    ]
    later = starts + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later.astimezone(UTC))
    return event.id, ids


def _only_conflicts(results: list[object]) -> None:
    for result in results:
        if isinstance(result, BaseException):
            assert isinstance(result, Conflict), repr(result)


async def test_two_attendance_submissions_at_once_make_one_learning_record(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, (booking_id, _) = await _started_event_with_bookings(alliance, monkeypatch)
    host = as_viewer("lead@example.org", "Lead", Role.LEAD)
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    for _ in range(ROUNDS):
        # Each round starts from a confirmed booking with no record (set directly: this is the set-up).
        await Booking.update({Booking.status: "confirmed", Booking.learning_record: None}).where(
            Booking.id == booking_id
        )
        await LearningRecord.delete().where(LearningRecord.practitioner == eilidh)
        item = [AttendanceItem(booking_id=booking_id, attended=True)]
        results = await asyncio.gather(
            bookings.set_attendance(host, event_id, item),
            bookings.set_attendance(host, event_id, item),
            return_exceptions=True,
        )
        _only_conflicts(list(results))
        assert await LearningRecord.count().where(LearningRecord.practitioner == eilidh) == 1
        status = await Booking.select(Booking.status, Booking.learning_record).where(Booking.id == booking_id).first()
        assert status is not None
        assert status["status"] == "attended"
        assert status["learning_record"] is not None


async def test_attendance_and_a_cancellation_at_once_lose_neither(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, (_, booking_id) = await _started_event_with_bookings(alliance, monkeypatch)
    host = as_viewer("lead@example.org", "Lead", Role.LEAD)
    ross = alliance.practitioner_ids["ross@example.org"]
    for _ in range(ROUNDS):
        await Booking.update({Booking.status: "confirmed", Booking.learning_record: None}).where(
            Booking.id == booking_id
        )
        await LearningRecord.delete().where(LearningRecord.practitioner == ross)
        results = await asyncio.gather(
            bookings.set_attendance(host, event_id, [AttendanceItem(booking_id=booking_id, attended=True)]),
            bookings.cancel(COMMAND_LINE, booking_id),
            return_exceptions=True,
        )
        _only_conflicts(list(results))
        row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
        assert row is not None
        records = await LearningRecord.count().where(LearningRecord.practitioner == ross)
        # Whichever came first wins whole: attended with its record, or cancelled with none.
        assert (row["status"], records) in {("attended", 1), ("cancelled", 0)}, (row, records, results)
        last = await BookingHistory.select(BookingHistory.to_status).where(
            BookingHistory.booking == booking_id
        ).order_by(BookingHistory.id, ascending=False).first()
        assert last is not None
        assert last["to_status"] == row["status"]


async def test_a_transition_from_a_status_the_booking_no_longer_has_changes_nothing(alliance: Alliance) -> None:
    starts = datetime.now(UTC) + timedelta(days=3)
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Stale", host_organisation="DCC", format="online", online_url="https://meet.example.org/x",
                capacity=5, sessions=[SessionIn(starts_at=starts, ends_at=starts + timedelta(hours=1))],
                status="published"),
    )  # fmt: skip
    booking = await bookings.book(COMMAND_LINE, event.id, alliance.practitioner_ids["eilidh@example.org"])
    await bookings.cancel(COMMAND_LINE, booking.id)
    before = await BookingHistory.count().where(BookingHistory.booking == booking.id)
    with pytest.raises(Conflict):
        async with write_tx():
            # A caller that read "confirmed" before the cancellation committed.
            await _move(booking.id, "confirmed", "attended", "stale@example.org", clock.now())
    row = await Booking.select(Booking.status).where(Booking.id == booking.id).first()
    assert row == {"status": "cancelled"}
    assert await BookingHistory.count().where(BookingHistory.booking == booking.id) == before
