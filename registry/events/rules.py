"""Pure rules of events and bookings: the booking state machine, capacity, booking windows, "fits part-time"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = (
    "ACCESS_NEEDS_KEPT",
    "ACCESS_NEEDS_LENGTH",
    "BOOKING_STATUSES",
    "OCCUPYING",
    "TRANSITIONS",
    "BookingWindow",
    "SessionTimes",
    "access_needs_problem",
    "after_approval",
    "attendance_closed_reason",
    "booking_closed_reason",
    "can_transition",
    "fits_part_time",
    "initial_status",
    "ordinal",
    "session_hours",
)

BOOKING_STATUSES = ("pending_approval", "confirmed", "waitlisted", "cancelled", "attended", "no_show")
OCCUPYING = frozenset({"confirmed", "attended", "no_show"})
"""Statuses that hold one of the event's places."""

TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"pending_approval", "confirmed", "waitlisted"}),
    "pending_approval": frozenset({"confirmed", "waitlisted", "cancelled"}),
    "waitlisted": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"cancelled", "attended", "no_show"}),
    "attended": frozenset({"no_show", "confirmed"}),
    "no_show": frozenset({"attended", "confirmed"}),
    "cancelled": frozenset({"pending_approval", "confirmed", "waitlisted"}),
}
"""Allowed moves; ``None`` is "no booking yet". Booking again after cancelling is a new decision."""

SHORT_SESSION = timedelta(hours=3)
EVENING_FROM = 17


def can_transition(current: str | None, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def initial_status(capacity: int, occupied: int, requires_approval: bool) -> str:
    """A new booking: to the manager first when approval is needed; otherwise a place, or the waiting list."""
    if requires_approval:
        return "pending_approval"
    return "confirmed" if occupied < capacity else "waitlisted"


def after_approval(capacity: int, occupied: int) -> str:
    """An approved booking takes a place if there is one, or joins the waiting list."""
    return "confirmed" if occupied < capacity else "waitlisted"


@dataclass(frozen=True, slots=True)
class BookingWindow:
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    first_starts_at: datetime | None


def booking_closed_reason(window: BookingWindow, now: datetime) -> str | None:
    """Why a booking cannot be made now, or None."""
    if window.status != "published":
        return "This event is not open for booking"
    if window.opens_at is not None and now < window.opens_at:
        return "Booking has not opened yet"
    closes = window.closes_at or window.first_starts_at
    if closes is not None and now >= closes:
        return "Booking has closed"
    return None


def attendance_closed_reason(
    first_starts_at: datetime | None, now: datetime, zone: ZoneInfo, status: str = "published"
) -> str | None:
    """Why attendance cannot be taken now, or None: it opens when the first session starts, and never on a draft.

    Before then nobody has come, and attending would put a learning record dated in the future in their log.
    """
    if status == "draft":
        return "This event is a draft: publish it before taking attendance"
    if first_starts_at is None:
        return "This event has no sessions, so there is no attendance to take"
    if now < first_starts_at:
        local = first_starts_at.astimezone(zone)
        time = f"{local:%-I:%M%p}".replace(":00", "").lower()
        return f"Attendance opens when the event starts, at {time} on {local:%A %-d %B %Y}"
    return None


@dataclass(frozen=True, slots=True)
class SessionTimes:
    starts_at: datetime
    ends_at: datetime


def session_hours(sessions: Iterable[SessionTimes]) -> float:
    """Total length of the sessions in decimal hours (what attendance counts as learning)."""
    # In UTC: Python ignores offsets when subtracting two datetimes of the same zone (across a clock change).
    seconds = sum((s.ends_at.astimezone(UTC) - s.starts_at.astimezone(UTC)).total_seconds() for s in sessions)
    return round(seconds / 3600, 2)


def fits_part_time(sessions: Iterable[SessionTimes], zone: ZoneInfo) -> bool:
    """Every session is short (3 hours or less) or in the evening (starting 17:00 or later, local time)."""
    listed = list(sessions)
    return bool(listed) and all(
        (s.ends_at.astimezone(UTC) - s.starts_at.astimezone(UTC)) <= SHORT_SESSION
        or s.starts_at.astimezone(zone).hour >= EVENING_FROM
        for s in listed
    )


ACCESS_NEEDS_LENGTH = 500
ACCESS_NEEDS_KEPT = timedelta(days=31)
"""How long after an event's last session its bookings' access and dietary needs are kept: a month."""


def access_needs_problem(text: str) -> str | None:
    """What is wrong with the access and dietary needs given, if anything."""
    if len(text) > ACCESS_NEEDS_LENGTH:
        return f"Describe your access or dietary needs in {ACCESS_NEEDS_LENGTH} characters or fewer"
    return None


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd, 101st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
