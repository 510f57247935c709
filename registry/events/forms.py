"""The event form of the host pages: reading it into the schema's input, filling it from an event, and
working out which fields a save really changes. Pure functions (no I/O), so they are unit-tested directly.

Times are typed in local time (the registry's zone) and become aware datetimes here; a time that does not
exist on the day the clocks go forward is refused rather than silently moved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from registry.events.schemas import EventIn, EventOut, EventPatch, SessionIn, SessionOut
from registry.people.schemas import parse_iso_date
from registry.web.dates import date_from_parts, parts_of

__all__ = (
    "FIELD_ORDER",
    "FORMATS",
    "MAX_SESSIONS",
    "SESSION_ROWS",
    "closes_at_end_of",
    "event_patch",
    "event_problems",
    "form_from_event",
    "last_booking_day",
    "read_event_form",
    "session_row_count",
    "whole_last_day",
)

FORMATS = ("in_person", "online", "hybrid")
SESSION_ROWS = 4
"""Empty session rows a new event's form offers; an event with more sessions shows them all."""
MAX_SESSIONS = 52
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")

FIELD_ORDER = (
    "title", "description", "host_organisation", "format", "venue", "online_url", "capacity", "sessions",
    *(f"session_{n}_{part}" for n in range(1, MAX_SESSIONS + 1) for part in ("date", "start", "end")),
    "competences", "topics", "audience", "requires_approval", "booking_closes", "status", "confirm_past",
)  # fmt: skip
"""The order of the form, which the error summary follows."""

_LABELS = {
    "title": "Title",
    "description": "Description",
    "host_organisation": "Host organisation",
    "format": "Format",
    "venue": "Venue",
    "online_url": "Online link",
    "capacity": "Number of places",
    "sessions": "Sessions",
    "competences": "Competences",
    "topics": "Topics",
    "audience": "Who it is for",
    "requires_approval": "Manager approval",
    "booking_closes": "Last day to book",
    "status": "Status",
}
_WHEN_MISSING = {
    "title": "Enter a title",
    "host_organisation": "Select the host organisation",
    "format": "Select whether the event is in person, online or hybrid",
    "capacity": "Enter the number of places",
}
_MISSING = ("is required", "must not be empty")


def _day(text: str) -> date | None:
    """A YYYY-MM-DD date within the years the registry accepts, or None."""
    try:
        parsed = parse_iso_date(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, date) else None


def _clock(text: str) -> time | None:
    match = _TIME.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return time(int(match[1]), int(match[2]))


def _local(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The instant (in UTC) of a wall-clock time, or None when the clocks skip it (going forward). A time that
    happens twice (going back) is the first. UTC, because Python never finds a repeated wall-clock time equal
    to the same instant in another zone, which would make an unchanged session look changed."""
    moment = datetime.combine(day, at, zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != datetime.combine(day, at):
        return None
    return moment


def closes_at_end_of(day: date, zone: ZoneInfo) -> datetime:
    """Bookings close when the last day to book is over: midnight at the start of the next day."""
    return datetime.combine(day + timedelta(days=1), time.min, zone)


def last_booking_day(closes_at: datetime | None, zone: ZoneInfo) -> date | None:
    """The inverse of :func:`closes_at_end_of`; a closing time within a day gives that day."""
    if closes_at is None:
        return None
    return (closes_at.astimezone(zone) - timedelta(microseconds=1)).date()


def whole_last_day(closes_at: datetime | None, zone: ZoneInfo) -> date | None:
    """The last day to book when booking closes at a local midnight (as the form sets it), else None."""
    if closes_at is None or closes_at.astimezone(zone).time() != time.min:
        return None
    return last_booking_day(closes_at, zone)


def _row_texts(form: Mapping[str, str], n: int) -> tuple[dict[str, str], str | None]:
    """Session ``n``'s date (read from its day, month and year boxes), start and end as typed, and what is
    wrong with how the date was written."""
    day_text, written = date_from_parts(form, f"session_{n}_date")
    texts = {"date": day_text, "start": form.get(f"session_{n}_start", "").strip(),
             "end": form.get(f"session_{n}_end", "").strip()}  # fmt: skip
    return texts, written


def session_row_count(form: Mapping[str, str]) -> int:
    """How many session rows to show: at least the default, and every row the form already has."""
    filled = {k for k, v in form.items() if v.strip()}
    used = [n for n in range(1, MAX_SESSIONS + 1) if any(k.startswith(f"session_{n}_") for k in filled)]
    return max(SESSION_ROWS, max(used, default=0))


def _sessions(form: Mapping[str, str], zone: ZoneInfo) -> tuple[list[dict[str, datetime]], dict[str, str]]:
    sessions: list[dict[str, datetime]] = []
    problems: dict[str, str] = {}
    for n in range(1, MAX_SESSIONS + 1):
        texts, written = _row_texts(form, n)
        if not any(texts.values()) and not written:
            continue
        day, start, end = _day(texts["date"]), _clock(texts["start"]), _clock(texts["end"])
        if written:
            problems[f"session_{n}_date"] = f"The date of session {n} {written}"
        elif not texts["date"]:
            problems[f"session_{n}_date"] = f"Enter the date of session {n}, for example 8 12 2026"
        elif day is None:
            problems[f"session_{n}_date"] = f"The date of session {n} must be a real date, for example 8 12 2026"
        if start is None:
            problems[f"session_{n}_start"] = f"Enter the start time of session {n} as a time like 09:30 or 14:00"
        if end is None:
            problems[f"session_{n}_end"] = f"Enter the end time of session {n} as a time like 12:00 or 16:30"
        if day is None or start is None or end is None:
            continue
        starts_at, ends_at = _local(day, start, zone), _local(day, end, zone)
        skipped = "does not exist that day: the clocks go forward"
        if starts_at is None:
            problems[f"session_{n}_start"] = f"The start time of session {n} {skipped}"
        elif ends_at is None:
            problems[f"session_{n}_end"] = f"The end time of session {n} {skipped}"
        elif ends_at <= starts_at:
            problems[f"session_{n}_end"] = f"The end time of session {n} must be after its start time"
        else:
            sessions.append({"starts_at": starts_at, "ends_at": ends_at})
    if not sessions and not problems:
        problems["sessions"] = "Enter the date, start time and end time of at least one session"
    sessions.sort(key=lambda s: s["starts_at"])
    return sessions, problems


def read_event_form(
    form: Mapping[str, str], competences: list[str], zone: ZoneInfo
) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted form as :class:`EventIn`'s input, and the problems found before the schema sees it
    (session rows and the last day to book, which the form splits or words differently from the schema)."""
    sessions, problems = _sessions(form, zone)
    closes_text, written = date_from_parts(form, "booking_closes")
    closes_day = _day(closes_text) if closes_text else None
    if written:
        problems["booking_closes"] = f"The last day to book {written}, or leave it blank"
    elif closes_text and closes_day is None:
        problems["booking_closes"] = "The last day to book must be a real date, like 1 12 2026, or leave it blank"
    data: dict[str, Any] = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "host_organisation": form.get("host_organisation", ""),
        "format": form.get("format", ""),
        "venue": form.get("venue", ""),
        "online_url": form.get("online_url", ""),
        "sessions": sessions,
        "competences": competences,
        "topics": form.get("topics", ""),
        "audience": form.get("audience", ""),
        "requires_approval": form.get("requires_approval") == "yes",
        "booking_closes_at": closes_at_end_of(closes_day, zone) if closes_day else None,
        "status": form.get("status") or "draft",
    }
    if capacity := form.get("capacity", "").strip():
        data["capacity"] = capacity  # left out when blank, so the schema says it is required
    return data, problems


def event_problems(problems: Mapping[str, str]) -> dict[str, str]:
    """Schema and service problems as the sentences the error summary shows, in the order of the form."""
    worded: dict[str, str] = {}
    for field, problem in problems.items():
        label = _LABELS.get(field)
        if field in _WHEN_MISSING and (problem in _MISSING or field == "format"):
            text = _WHEN_MISSING[field]
        elif field == "online_url" and "needs a link" not in problem:
            text = "Enter the online link as a full web address, like https://meet.example.org/abc"
        elif field == "sessions" and problem.startswith(("List should", "Input should")):
            text = "Enter the date, start time and end time of at least one session"
        elif label and problem.startswith(("must", "is ")):
            text = f"{label} {problem}"
        else:
            text = problem[:1].upper() + problem[1:]
        worded[field] = text
    rank = {name: index for index, name in enumerate(FIELD_ORDER)}
    return dict(sorted(worded.items(), key=lambda item: rank.get(item[0], len(rank))))


def form_from_event(event: EventOut, zone: ZoneInfo) -> dict[str, str]:
    """An event as the values of its form, times in local time."""
    form = {
        "title": event.title,
        "description": event.description,
        "host_organisation": event.host_organisation,
        "format": event.format,
        "venue": event.venue or "",
        "online_url": event.online_url or "",
        "capacity": str(event.capacity),
        "topics": "; ".join(event.topics),
        "audience": event.audience,
        "requires_approval": "yes" if event.requires_approval else "no",
        **parts_of("booking_closes", last_booking_day(event.booking_closes_at, zone)),
        "status": event.status,
    }
    for n, session in enumerate(event.sessions, start=1):
        starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        form.update(parts_of(f"session_{n}_date", starts.date()))
        form[f"session_{n}_start"] = f"{starts:%H:%M}"
        form[f"session_{n}_end"] = f"{ends:%H:%M}"
    return form


def _instants(sessions: Sequence[SessionIn | SessionOut]) -> list[tuple[datetime, datetime]]:
    return sorted((s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC)) for s in sessions)


def event_patch(current: EventOut, wanted: EventIn, zone: ZoneInfo) -> EventPatch:
    """Only what the save changes: an unchanged time, place or link must not send everyone booked a
    calendar update, which a full patch would (the service treats any of them in a patch as a change)."""
    changes: dict[str, Any] = {}
    for name in ("title", "description", "format", "venue", "capacity", "audience", "requires_approval"):
        if getattr(wanted, name) != getattr(current, name):
            changes[name] = getattr(wanted, name)
    online_url = str(wanted.online_url) if wanted.online_url else None
    if online_url != current.online_url:
        changes["online_url"] = online_url
    if wanted.topics != current.topics:
        changes["topics"] = wanted.topics
    if sorted(wanted.competences) != sorted(current.competences):
        changes["competences"] = wanted.competences
    if _instants(wanted.sessions) != _instants(current.sessions):
        changes["sessions"] = [SessionIn(starts_at=s.starts_at, ends_at=s.ends_at) for s in wanted.sessions]
    if last_booking_day(wanted.booking_closes_at, zone) != last_booking_day(current.booking_closes_at, zone):
        changes["booking_closes_at"] = wanted.booking_closes_at
    if current.status == "draft" and wanted.status != current.status:
        changes["status"] = wanted.status
    return EventPatch.model_validate(changes)
