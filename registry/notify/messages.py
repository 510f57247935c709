"""What a booking change says to the practitioner: an iTIP invite, an update, a cancellation, or a notice.

Called inside the booking's write transaction, so the change and its message are committed together.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from registry import clock
from registry.events.tables import Booking, Event, EventSession
from registry.notify.compose import render_mail
from registry.notify.ical import InviteDetails, Session, build_calendar, session_summary, session_uid
from registry.notify.outbox import enqueue
from registry.notify.tables import CalendarInvite, CalendarSessionInvite
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


async def _sync_calendar(booking_id: int, change: Change, *, cancel: bool) -> int:
    """Bring the practitioner's calendar in line with the booking, one iTIP message per session: a REQUEST for
    each session not yet sent or changed since (time, summary, place), a CANCEL for each session the event no
    longer has — or, with ``cancel``, for every session sent. Each session has its own UID and SEQUENCE
    (RFC 5546 §2.1.4: raised with every later message), so every client files each session as a meeting and a
    change to one session touches only that one. How many messages were queued."""
    _, practitioner, event, sessions = await _context(booking_id)
    invite = await _invite_row(booking_id)
    settings = get_settings()
    link = f"{settings.base_url}/events/{event['id']}"
    sent_before = {
        r["slot"]: r for r in await CalendarSessionInvite.select().where(CalendarSessionInvite.booking == booking_id)
    }
    total = len(sessions)
    text, page = _bodies(change, practitioner, event, sessions)
    queued = 0

    async def send(method: str, slot: int, session: Session, content: str) -> None:
        nonlocal queued
        before = sent_before.get(slot)
        sequence = 0 if before is None else before["sequence"] + 1
        summary = session_summary(event["title"], slot, total if method == "REQUEST" else max(total, slot + 1))
        details = InviteDetails(
            uid=session_uid(invite["uid"], slot), sequence=sequence, title=summary, description=event["description"],
            location=_place(event), url=link, organizer_email=settings.mail_from,
            attendee_email=practitioner["email"],
            attendee_name=f"{practitioner['given_name']} {practitioner['family_name']}", sessions=[session],
        )  # fmt: skip
        ics = build_calendar(method, details, settings.zone, clock.now())
        if method == "CANCEL":
            label = "Cancelled"
        else:
            label = "Updated" if before is not None and before["state"] == "requested" else "Invitation"
        await enqueue(practitioner["email"], f"{label}: {summary}", text, page, ics=ics, ics_method=method)
        state = "cancelled" if method == "CANCEL" else "requested"
        if before is None:
            await CalendarSessionInvite.insert(
                CalendarSessionInvite(
                    booking=booking_id, slot=slot, sequence=sequence, state=state, starts_at=session.starts_at,
                    ends_at=session.ends_at, content=content,
                )
            )
        else:
            values: dict[Any, Any] = {
                CalendarSessionInvite.sequence: sequence, CalendarSessionInvite.starts_at: session.starts_at,
                CalendarSessionInvite.ends_at: session.ends_at, CalendarSessionInvite.content: content,
                CalendarSessionInvite.state: state,
            }  # fmt: skip
            await CalendarSessionInvite.update(values).where(CalendarSessionInvite.id == before["id"])
        queued += 1

    if not cancel:
        for slot, session in enumerate(sessions):
            content = "\n".join((session_summary(event["title"], slot, total), _place(event), event["description"]))
            before = sent_before.get(slot)
            unchanged = before is not None and before["state"] == "requested" and (
                before["starts_at"], before["ends_at"], before["content"]
            ) == (session.starts_at, session.ends_at, content)
            if not unchanged:
                await send("REQUEST", slot, session, content)
    for slot, before in sorted(sent_before.items()):
        if before["state"] == "requested" and (cancel or slot >= total):
            await send("CANCEL", slot, Session(before["starts_at"], before["ends_at"]), before["content"])
    # The booking's own record keeps its UID and whether anything is in the calendar; SEQUENCE is per session.
    await CalendarInvite.update({CalendarInvite.state: "cancelled" if cancel else "requested"}).where(
        CalendarInvite.id == invite["id"]
    )
    return queued


async def _notice(booking_id: int, subject: str, change: Change) -> None:
    _, practitioner, event, sessions = await _context(booking_id)
    text, page = _bodies(change, practitioner, event, sessions)
    await enqueue(practitioner["email"], subject, text, page)


async def on_booking_status(booking_id: int, status: str) -> None:
    """Tell the practitioner what their booking now is (inside the booking's transaction)."""
    event_title = (await _context(booking_id))[2]["title"]
    if status == "confirmed":
        await _sync_calendar(booking_id, "confirmed", cancel=False)
    elif status == "waitlisted":
        await _notice(booking_id, f"Waiting list: {event_title}", "waitlisted")
    elif status == "pending_approval":
        await _notice(booking_id, f"Waiting for approval: {event_title}", "pending_approval")
    elif status == "cancelled":
        invite = await CalendarInvite.select().where(CalendarInvite.booking == booking_id).first()
        if invite is not None and invite["state"] == "requested":
            await _sync_calendar(booking_id, "cancelled", cancel=True)
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
        await _sync_calendar(row["booking"], "updated", cancel=False)
