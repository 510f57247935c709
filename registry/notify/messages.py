"""What a booking change says to the practitioner: an iTIP invite, an update, a cancellation, or a notice.

Called inside the booking's write transaction, so the change and its message are committed together.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from registry import clock
from registry.events.tables import Booking, Event, EventSession
from registry.notify.compose import render_mail
from registry.notify.ical import InviteDetails, Session, build_calendar
from registry.notify.outbox import enqueue
from registry.notify.tables import CalendarInvite
from registry.people.tables import Practitioner
from registry.settings import get_settings

__all__ = ("on_booking_status", "on_event_changed")

Change = Literal["confirmed", "updated", "waitlisted", "pending_approval", "cancelled"]
"""What a message about a booking tells (templates/mail/booking.jinja)."""


def _place(event: dict[str, Any]) -> str:
    parts = [p for p in (event["venue"], event["online_url"]) if p]
    return " and online at ".join(parts) if len(parts) == 2 else (parts[0] if parts else "")


async def _context(booking_id: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[Session]]:
    booking = await Booking.select().where(Booking.id == booking_id).first()
    assert booking is not None
    practitioner = await Practitioner.select().where(Practitioner.id == booking["practitioner"]).first()
    event = await Event.select().where(Event.id == booking["event"]).first()
    assert practitioner is not None
    assert event is not None
    sessions = [
        Session(r["starts_at"], r["ends_at"])
        for r in await EventSession.select().where(EventSession.event == event["id"]).order_by(EventSession.starts_at)
    ]
    return booking, practitioner, event, sessions


async def _invite_row(booking_id: int) -> dict[str, Any]:
    row = await CalendarInvite.select().where(CalendarInvite.booking == booking_id).first()
    if row is None:
        host = urlsplit(get_settings().base_url).hostname or "registry.local"
        await CalendarInvite.insert(CalendarInvite(booking=booking_id, uid=f"booking-{booking_id}@{host}", sequence=0))
        row = await CalendarInvite.select().where(CalendarInvite.booking == booking_id).first()
    assert row is not None
    return dict(row)


def _bodies(
    change: Change, practitioner: dict[str, Any], event: dict[str, Any], sessions: list[Session]
) -> tuple[str, str]:
    return render_mail(
        "booking", name=practitioner["given_name"], change=change, title=event["title"], sessions=sessions,
        place=_place(event), link=f"{get_settings().base_url}/events/{event['id']}",
    )  # fmt: skip


async def _send_calendar(method: str, booking_id: int, subject: str, change: Change) -> None:
    _, practitioner, event, sessions = await _context(booking_id)
    invite = await _invite_row(booking_id)
    # SEQUENCE: 0 for the first invite; raised for every later update or cancellation (RFC 5546 §2.1.4).
    sequence = invite["sequence"] + 1 if invite["state"] != "none" else invite["sequence"]
    settings = get_settings()
    link = f"{settings.base_url}/events/{event['id']}"
    details = InviteDetails(
        uid=invite["uid"], sequence=sequence, title=event["title"], description=event["description"],
        location=_place(event), url=link, organizer_email=settings.mail_from, attendee_email=practitioner["email"],
        attendee_name=f"{practitioner['given_name']} {practitioner['family_name']}", sessions=sessions,
    )  # fmt: skip
    ics = build_calendar(method, details, settings.zone, clock.now())
    text, page = _bodies(change, practitioner, event, sessions)
    await enqueue(practitioner["email"], subject, text, page, ics=ics, ics_method=method)
    await CalendarInvite.update(
        {CalendarInvite.sequence: sequence, CalendarInvite.state: "cancelled" if method == "CANCEL" else "requested"}
    ).where(CalendarInvite.id == invite["id"])


async def _notice(booking_id: int, subject: str, change: Change) -> None:
    _, practitioner, event, sessions = await _context(booking_id)
    text, page = _bodies(change, practitioner, event, sessions)
    await enqueue(practitioner["email"], subject, text, page)


async def on_booking_status(booking_id: int, status: str) -> None:
    """Tell the practitioner what their booking now is (inside the booking's transaction)."""
    event_title = (await _context(booking_id))[2]["title"]
    if status == "confirmed":
        await _send_calendar("REQUEST", booking_id, f"Invitation: {event_title}", "confirmed")
    elif status == "waitlisted":
        await _notice(booking_id, f"Waiting list: {event_title}", "waitlisted")
    elif status == "pending_approval":
        await _notice(booking_id, f"Waiting for approval: {event_title}", "pending_approval")
    elif status == "cancelled":
        invite = await CalendarInvite.select().where(CalendarInvite.booking == booking_id).first()
        if invite is not None and invite["state"] == "requested":
            await _send_calendar("CANCEL", booking_id, f"Cancelled: {event_title}", "cancelled")
        else:
            await _notice(booking_id, f"Cancelled: {event_title}", "cancelled")


async def on_event_changed(event_id: int) -> None:
    """The time, place or link changed: a new REQUEST with a higher SEQUENCE to everyone holding an invite."""
    holders = await CalendarInvite.select(CalendarInvite.booking).where(
        (CalendarInvite.booking.event == event_id)
        & (CalendarInvite.state == "requested")
        & (CalendarInvite.booking.status == "confirmed")
    )
    for row in holders:
        title = (await _context(row["booking"]))[2]["title"]
        await _send_calendar("REQUEST", row["booking"], f"Updated: {title}", "updated")
