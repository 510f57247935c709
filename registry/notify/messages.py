"""What a booking change says to the practitioner: an iTIP invite, an update, a cancellation, or a notice.

Called inside the booking's write transaction, so the change and its message are committed together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from registry import clock
from registry.events.tables import Booking, EventSession
from registry.notify.compose import render_mail
from registry.notify.ical import InviteDetails, Session, build_calendar, session_summary, session_uid
from registry.notify.outbox import enqueue
from registry.notify.tables import CalendarInvite, CalendarSessionInvite
from registry.settings import get_settings

__all__ = ("on_booking_status", "on_event_changed")

Change = Literal["confirmed", "updated", "waitlisted", "pending_approval", "cancelled"]
"""What a message about a booking tells (templates/mail/booking.jinja)."""


def _place(event: dict[str, Any]) -> str:
    parts = [p for p in (event["venue"], event["online_url"]) if p]
    return " and online at ".join(parts) if len(parts) == 2 else (parts[0] if parts else "")


@dataclass(frozen=True, slots=True)
class _Context:
    """What every message about one booking needs, read once per change."""

    practitioner: dict[str, Any]
    event: dict[str, Any]
    sessions: list[Session]


async def _context(booking_id: int) -> _Context:
    """The booking's practitioner and event in one query, and the event's sessions in another: this runs inside
    the booking's write transaction, so every query here is time the event's lock is held."""
    rows = await Booking.raw(
        "SELECT p.email AS email, p.given_name AS given_name, p.family_name AS family_name, e.id AS id,"
        " e.title AS title, e.description AS description, e.venue AS venue, e.online_url AS online_url"
        " FROM booking b JOIN practitioner p ON p.id = b.practitioner JOIN event e ON e.id = b.event"
        " WHERE b.id = {}",
        booking_id,
    )
    assert rows, f"booking {booking_id} exists"
    row = rows[0]
    practitioner = {k: row[k] for k in ("email", "given_name", "family_name")}
    event = {k: row[k] for k in ("id", "title", "description", "venue", "online_url")}
    sessions = [
        Session(r["starts_at"], r["ends_at"])
        for r in await EventSession.select(EventSession.starts_at, EventSession.ends_at)
        .where(EventSession.event == event["id"])
        .order_by(EventSession.starts_at)
    ]
    return _Context(practitioner, event, sessions)


async def _invite_row(booking_id: int, *, new: bool = False) -> dict[str, Any]:
    """The booking's calendar record, made on first use (``new``: the booking was made just now, so it has none)."""
    row = None if new else await CalendarInvite.select().where(CalendarInvite.booking == booking_id).first()
    if row is None:
        host = urlsplit(get_settings().base_url).hostname or "registry.local"
        # A new booking's record is made as what the sync below leaves it: with invitations requested.
        state = "requested" if new else "none"
        made = await CalendarInvite.insert(
            CalendarInvite(booking=booking_id, uid=f"booking-{booking_id}@{host}", sequence=0, state=state)
        ).returning(CalendarInvite.id, CalendarInvite.uid)
        row = made[0]
    return dict(row)


def _bodies(
    change: Change, practitioner: dict[str, Any], event: dict[str, Any], sessions: list[Session]
) -> tuple[str, str]:
    return render_mail(
        "booking", name=practitioner["given_name"], change=change, title=event["title"], sessions=sessions,
        place=_place(event), link=f"{get_settings().base_url}/events/{event['id']}",
    )  # fmt: skip


async def _sync_calendar(
    booking_id: int, change: Change, *, cancel: bool, context: _Context | None = None, new: bool = False
) -> int:
    """Bring the practitioner's calendar in line with the booking, one iTIP message per session: a REQUEST for
    each session not yet sent or changed since (time, summary, place), a CANCEL for each session the event no
    longer has — or, with ``cancel``, for every session sent. Each session has its own UID and SEQUENCE
    (RFC 5546 §2.1.4: raised with every later message), so every client files each session as a meeting and a
    change to one session touches only that one. How many messages were queued."""
    context = context or await _context(booking_id)
    practitioner, event, sessions = context.practitioner, context.event, context.sessions
    invite = await _invite_row(booking_id, new=new)
    settings = get_settings()
    link = f"{settings.base_url}/events/{event['id']}"
    sent_before = {} if new else {
        r["slot"]: r for r in await CalendarSessionInvite.select().where(CalendarSessionInvite.booking == booking_id)
    }  # fmt: skip
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
    if not new:
        await CalendarInvite.update({CalendarInvite.state: "cancelled" if cancel else "requested"}).where(
            CalendarInvite.id == invite["id"]
        )
    return queued


async def _notice(context: _Context, subject: str, change: Change) -> None:
    text, page = _bodies(change, context.practitioner, context.event, context.sessions)
    await enqueue(context.practitioner["email"], subject, text, page)


async def on_booking_status(booking_id: int, status: str, *, new: bool = False) -> None:
    """Tell the practitioner what their booking now is (inside the booking's transaction). ``new``: the booking
    was inserted in this transaction, so nothing about it has been sent yet."""
    context = await _context(booking_id)
    event_title = context.event["title"]
    if status == "confirmed":
        await _sync_calendar(booking_id, "confirmed", cancel=False, context=context, new=new)
    elif status == "waitlisted":
        await _notice(context, f"Waiting list: {event_title}", "waitlisted")
    elif status == "pending_approval":
        await _notice(context, f"Waiting for approval: {event_title}", "pending_approval")
    elif status == "cancelled":
        invite = await CalendarInvite.select(CalendarInvite.state).where(CalendarInvite.booking == booking_id).first()
        if invite is not None and invite["state"] == "requested":
            await _sync_calendar(booking_id, "cancelled", cancel=True, context=context)
        else:
            await _notice(context, f"Cancelled: {event_title}", "cancelled")


async def on_event_changed(event_id: int) -> None:
    """The time, place or link changed: a new REQUEST with a higher SEQUENCE to everyone holding an invite."""
    holders = await CalendarInvite.select(CalendarInvite.booking).where(
        (CalendarInvite.booking.event == event_id)
        & (CalendarInvite.state == "requested")
        & (CalendarInvite.booking.status == "confirmed")
    )
    for row in holders:
        await _sync_calendar(row["booking"], "updated", cancel=False)
