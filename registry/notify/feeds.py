"""Calendar feeds: a secret per-person URL of confirmed bookings, and the alliance's published events.

A feed token is ``<practitioner id>-<version>-<HMAC>``: signed with the secret key, so nothing secret is
stored, and regenerating it (a new version) ends the old URL at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from registry import clock
from registry.accounts.rules import Viewer, is_self
from registry.db import write_tx
from registry.errors import Forbidden, NotFound
from registry.events.tables import Booking, EventSession
from registry.events.tables import Event as EventRow
from registry.notify.ical import PRODID, session_summary, session_uid
from registry.notify.tables import CalendarFeed, CalendarInvite
from registry.people.tables import Practitioner
from registry.settings import get_settings

__all__ = ("alliance_feed", "feed_token", "person_feed", "regenerate_feed")


def _signature(practitioner_id: int, version: int) -> str:
    key = get_settings().resolved_secret_key().encode()
    digest = hmac.new(key, f"calendar-feed:{practitioner_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


# One statement, so two regenerations at once cannot both insert (exists-then-insert answered 500): each
# raises the version in turn, and the later one's address is the one that works. A person without a row
# is on version 1, so the first regeneration makes version 2.
_NEXT_VERSION_SQL = """
INSERT INTO calendar_feed (practitioner, version) VALUES ({}, 2)
ON CONFLICT (practitioner) DO UPDATE SET version = calendar_feed.version + 1
RETURNING version
"""


async def _version(practitioner_id: int) -> int:
    row = await CalendarFeed.select(CalendarFeed.version).where(CalendarFeed.practitioner == practitioner_id).first()
    return int(row["version"]) if row else 1


async def feed_token(practitioner_id: int) -> str:
    version = await _version(practitioner_id)
    return f"{practitioner_id}-{version}-{_signature(practitioner_id, version)}"


async def regenerate_feed(viewer: Viewer, practitioner_id: int) -> str:
    """A new secret URL for the practitioner themself; the old one stops working."""
    row = await Practitioner.select(Practitioner.email).where(Practitioner.id == practitioner_id).first()
    if row is None:
        raise NotFound("No such practitioner")
    if not is_self(viewer, practitioner_id):
        raise Forbidden("Only the practitioner can change their calendar feed address")
    async with write_tx():
        rows = await CalendarFeed.raw(_NEXT_VERSION_SQL, practitioner_id)
    version = int(rows[0]["version"])
    return f"{practitioner_id}-{version}-{_signature(practitioner_id, version)}"


async def _practitioner_for(token: str) -> int:
    try:
        pid_text, version_text, signature = token.split("-", 2)
        practitioner_id, version = int(pid_text), int(version_text)
    except ValueError:
        raise NotFound("No such calendar") from None
    expected = _signature(practitioner_id, version)
    if not hmac.compare_digest(expected, signature) or version != await _version(practitioner_id):
        raise NotFound("No such calendar")
    row = await Practitioner.select(Practitioner.left_on).where(Practitioner.id == practitioner_id).first()
    if row is None or (row["left_on"] is not None and row["left_on"] <= clock.today()):
        raise NotFound("No such calendar")
    return practitioner_id


def _calendar(name: str) -> Calendar:
    calendar = Calendar.new(prodid=PRODID, name=name)
    calendar.add("method", "PUBLISH")
    return calendar


def _finished(calendar: Calendar) -> bytes:
    year = clock.today().year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 12, 31))
    return bytes(calendar.to_ical())


def _entry(uid: str, title: str, session: dict[str, Any], place: str, event_id: int) -> Event:
    settings = get_settings()
    return Event.new(
        uid=uid,
        summary=title,
        start=session["starts_at"].astimezone(settings.zone),
        end=session["ends_at"].astimezone(settings.zone),
        stamp=clock.now(),
        location=place,
        url=f"{settings.base_url}/events/{event_id}",
    )


def _host() -> str:
    return urlsplit(get_settings().base_url).hostname or "registry.local"


async def person_feed(token: str) -> bytes:
    """The practitioner's confirmed bookings, with the same UIDs as their invitations."""
    practitioner_id = await _practitioner_for(token)
    rows = await Booking.select(
        Booking.id, Booking.event, Booking.event.title.as_alias("title"), Booking.event.venue.as_alias("venue"),
        Booking.event.online_url.as_alias("online_url"),
    ).where((Booking.practitioner == practitioner_id) & Booking.status.is_in(["confirmed", "attended"]))  # fmt: skip
    uids = {
        r["booking"]: r["uid"]
        for r in await CalendarInvite.select(CalendarInvite.booking, CalendarInvite.uid).where(
            CalendarInvite.booking.is_in([r["id"] for r in rows] or [0])
        )
    }
    calendar = _calendar("My alliance learning events")
    for row in rows:
        sessions = (
            await EventSession.select().where(EventSession.event == row["event"]).order_by(EventSession.starts_at)
        )
        uid = uids.get(row["id"], f"booking-{row['id']}@{_host()}")
        place = row["venue"] or row["online_url"] or ""
        for index, session in enumerate(sessions):
            summary = session_summary(row["title"], index, len(sessions))
            calendar.add_component(_entry(session_uid(uid, index), summary, session, place, row["event"]))
    return _finished(calendar)


async def alliance_feed() -> bytes:
    """Published events of the alliance from a month ago onwards."""
    since = clock.now() - timedelta(days=31)
    events = await EventRow.select(EventRow.id, EventRow.title, EventRow.venue, EventRow.online_url).where(
        (EventRow.status == "published") & (EventRow.first_starts_at >= since)
    )
    calendar = _calendar("Alliance learning events")
    sessions = await EventSession.select().where(EventSession.event.is_in([e["id"] for e in events] or [0]))
    by_id = {e["id"]: e for e in events}
    for session in sessions:
        event = by_id[session["event"]]
        uid = f"event-{event['id']}-session-{session['id']}@{_host()}"
        calendar.add_component(
            _entry(uid, event["title"], session, event["venue"] or event["online_url"] or "", event["id"])
        )
    return _finished(calendar)
