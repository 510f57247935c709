"""Building iTIP calendar messages (RFC 5546): REQUEST to invite or update, CANCEL to withdraw. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress
from icalendar.enums import STATUS

__all__ = ("InviteDetails", "Session", "build_calendar", "session_summary", "session_uid")

PRODID = "-//CLD Workforce Registry//Shared learning events//EN"


@dataclass(frozen=True, slots=True)
class Session:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class InviteDetails:
    uid: str
    sequence: int
    title: str
    description: str
    location: str
    url: str
    organizer_email: str
    attendee_email: str
    attendee_name: str
    sessions: Sequence[Session]


def session_summary(title: str, index: int, total: int) -> str:
    """``Title (session 2 of 3)``; a one-session event's is its title."""
    return title if total <= 1 else f"{title} (session {index + 1} of {total})"


def session_uid(uid: str, index: int) -> str:
    """A booking has one stable UID; each of its sessions is an entry of its own derived from it."""
    return uid if index == 0 else uid.replace("@", f"-session-{index + 1}@", 1)


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_date: date, last_date: date) -> Timezone:
    """The zone's VTIMEZONE over these years, worked out once: its transitions were a sixth of a booking's CPU,
    inside the booking's transaction. Only ever serialised, never changed, so calendars may share it."""
    return Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date)


def build_calendar(method: str, details: InviteDetails, zone: ZoneInfo, stamp: datetime) -> bytes:
    """A VCALENDAR with METHOD, a VTIMEZONE for ``zone`` and one VEVENT per session."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError("method must be REQUEST or CANCEL")
    organizer = vCalAddress.new(details.organizer_email, cn="CLD Workforce Registry")
    events = []
    for index, session in enumerate(details.sessions):
        attendee = vCalAddress.new(
            details.attendee_email,
            cn=details.attendee_name,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=False,
        )
        event = Event.new(
            uid=session_uid(details.uid, index),
            summary=session_summary(details.title, index, len(details.sessions)),
            start=session.starts_at.astimezone(zone),
            end=session.ends_at.astimezone(zone),
            stamp=stamp,
            organizer=organizer,
            attendees=[attendee],
            sequence=details.sequence,
            status=STATUS.CANCELLED if method == "CANCEL" else STATUS.CONFIRMED,
            location=details.location,
            description=f"{details.description}\n\n{details.url}".strip(),
        )
        event.add("url", details.url)
        events.append(event)
    calendar = Calendar.new(method=method, prodid=PRODID, subcomponents=events)
    first = min(s.starts_at for s in details.sessions)
    last = max(s.ends_at for s in details.sessions)
    # What Calendar.add_missing_timezones does, with each zone's VTIMEZONE built once per process.
    for at, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(at, _vtimezone(tzid, date(first.year - 1, 1, 1), date(last.year + 1, 12, 31)))
    return bytes(calendar.to_ical())
