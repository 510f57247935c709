"""Booking use cases: book, approve, cancel, promote from the waiting list, take attendance.

Every decision about a place is taken inside one write transaction holding a lock on the event
(DESIGN.md): on PostgreSQL a row lock on the event, on SQLite the IMMEDIATE transaction behind the
process's write lock. Counting and inserting without it overbooks.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from piccolo.query import OrderByRaw

from registry import clock
from registry.accounts.rules import ADMIN_ROLES, Viewer, can_see_practitioner, is_self
from registry.audit import service as audit
from registry.db import is_integrity_error, marks, write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.events import places
from registry.events.access import event_row, may_manage_event
from registry.events.rules import (
    BookingWindow,
    SessionTimes,
    access_needs_problem,
    after_approval,
    attendance_closed_reason,
    booking_closed_reason,
    initial_status,
    session_hours,
)
from registry.events.schemas import AttendanceItem, BookingOut
from registry.events.tables import Booking, BookingHistory, EventCompetence, EventSession
from registry.learning import service as learning
from registry.notify import approvals, messages
from registry.people.employment import employed_on
from registry.people.tables import Practitioner
from registry.privacy.rules import ERASED
from registry.settings import get_settings

__all__ = (
    "LIVE_STATUSES",
    "approve",
    "book",
    "bookable_team",
    "cancel",
    "count_bookings",
    "get_booking",
    "list_bookings",
    "set_attendance",
)

log = logging.getLogger(__name__)

LIVE_STATUSES = frozenset({"pending_approval", "confirmed", "waitlisted", "attended", "no_show"})
"""A booking that still stands (anything but cancelled)."""


async def _practitioner_for(viewer: Viewer, practitioner_id: int | None) -> dict[str, Any]:
    """Who is being booked: the caller, or (for a manager, lead or admin) someone they may book for."""
    if practitioner_id is None:
        row = await Practitioner.select().where(Practitioner.id == (viewer.practitioner_id or 0)).first()
        if row is None:
            raise Invalid({"practitioner_id": "your sign-in has no practitioner record; say whom to book"})
        return dict(row)
    row = await Practitioner.select().where(Practitioner.id == practitioner_id).first()
    if row is None or not can_see_practitioner(viewer, row["id"], row["organisation"], row["manager_email"]):
        raise NotFound("No such practitioner")
    manages = row["manager_email"] == viewer.email.lower()
    if not (is_self(viewer, row["id"]) or manages or viewer.role in ADMIN_ROLES):
        raise Forbidden("You can book only for yourself or for the people you manage")
    if row["erased_at"] is not None:  # a booking would hold the person's needs and mail their old address
        raise Conflict(ERASED)
    return dict(row)


def _out(row: dict[str, Any]) -> BookingOut:
    return BookingOut(
        id=row["id"],
        event_id=row["event"],
        practitioner_id=row["practitioner"],
        status=row["status"],
        created_at=row["created_at"],
    )


async def book(
    viewer: Viewer, event_id: int, practitioner_id: int | None = None, access_needs: str | None = None
) -> BookingOut:
    """Book a place: confirmed, waitlisted when full, or pending the manager's approval; twice is a conflict.
    ``access_needs``: access and dietary needs, for the host only."""
    needs = (access_needs or "").strip() or None
    if needs is not None and (problem := access_needs_problem(needs)):
        raise Invalid({"access_needs": problem})
    practitioner = await _practitioner_for(viewer, practitioner_id)
    if practitioner["left_on"] is not None and practitioner["left_on"] <= clock.today():
        raise Invalid({"practitioner_id": "this practitioner has left"})
    try:
        async with write_tx():
            await places.lock_event(event_id)
            now = clock.now()  # taken under the lock, so the waiting list's order is the order of decisions
            event = await event_row(event_id)
            if event["status"] == "draft" and not may_manage_event(viewer, event["host_organisation"]):
                raise NotFound("No such event")
            window = BookingWindow(
                event["status"], event["booking_opens_at"], event["booking_closes_at"], event["first_starts_at"]
            )
            if reason := booking_closed_reason(window, now):
                raise Conflict(reason)
            held, own = await places.places_and_booking(event_id, practitioner["id"])
            existing = None
            if own is not None:
                existing = await Booking.select(Booking.id, Booking.status, Booking.created_at).where(
                    Booking.id == own
                ).first()  # fmt: skip
            if existing is not None and existing["status"] != "cancelled":
                raise Conflict("This person already has a booking for this event")
            status = initial_status(event["capacity"], held, event["requires_approval"])
            if existing is None:
                inserted = await Booking.insert(
                    Booking(
                        event=event_id, practitioner=practitioner["id"], status=status, booked_by_email=viewer.email,
                        waitlisted_at=now if status == "waitlisted" else None, created_at=now, updated_at=now,
                        access_needs=needs,
                    )
                ).returning(Booking.id)  # fmt: skip
                booking_id, created_at = int(inserted[0]["id"]), now
                await BookingHistory.insert(
                    BookingHistory(
                        booking=booking_id, from_status=None, to_status=status, by_email=viewer.email, at=now
                    )
                )
                await messages.on_booking_status(booking_id, status, new=True)
            else:
                booking_id, created_at = existing["id"], existing["created_at"]
                await places.move(booking_id, "cancelled", status, viewer.email, now, "booked again")
                await Booking.update({Booking.access_needs: needs}).where(Booking.id == booking_id)
    except Exception as exc:
        if is_integrity_error(exc):
            raise Conflict("This person already has a booking for this event") from exc
        raise
    log.info("%s booked practitioner %s on event %s: %s", viewer.email, practitioner["id"], event_id, status)
    # Who may book for the practitioner may see the booking: no need to read back what was just written.
    return BookingOut(
        id=booking_id, event_id=event_id, practitioner_id=practitioner["id"], status=status, created_at=created_at
    )


async def _booking_context(viewer: Viewer, booking_id: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The booking, its practitioner and its event, if the viewer is concerned with it; otherwise NotFound."""
    booking = await Booking.select().where(Booking.id == booking_id).first()
    if booking is None:
        raise NotFound("No such booking")
    practitioner = await Practitioner.select().where(Practitioner.id == booking["practitioner"]).first()
    event = await event_row(booking["event"])
    assert practitioner is not None
    concerned = can_see_practitioner(
        viewer, practitioner["id"], practitioner["organisation"], practitioner["manager_email"]
    ) or may_manage_event(viewer, event["host_organisation"])
    if not concerned:
        raise NotFound("No such booking")
    return dict(booking), dict(practitioner), event


async def get_booking(viewer: Viewer, booking_id: int) -> BookingOut:
    booking, _, _ = await _booking_context(viewer, booking_id)
    return _out(booking)


async def cancel(viewer: Viewer, booking_id: int) -> BookingOut:
    """Cancel a booking; a freed place goes to the longest-waiting person in the same transaction."""
    _, practitioner, event = await _booking_context(viewer, booking_id)
    allowed = (
        is_self(viewer, practitioner["id"])
        or practitioner["manager_email"] == viewer.email.lower()
        or may_manage_event(viewer, event["host_organisation"])
    )
    if not allowed:
        raise Forbidden("Only the practitioner, their manager or the host can cancel this booking")
    now = clock.now()
    async with write_tx():
        await places.lock_event(event["id"])
        current = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
        assert current is not None
        if current["status"] in {"attended", "no_show"}:
            raise Conflict("Attendance has been taken for this booking; it cannot be cancelled")
        if current["status"] == "cancelled":
            raise Conflict("This booking is already cancelled")
        await places.move(booking_id, current["status"], "cancelled", viewer.email, now)
        if current["status"] == "confirmed":
            await places.promote_waiting(event["id"], viewer.email)
    log.info("%s cancelled booking %s", viewer.email, booking_id)
    return await get_booking(viewer, booking_id)


DECLINE_REASON_LENGTH = 1000


async def _approvable(viewer: Viewer, booking_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The practitioner and event of a booking the viewer may approve or decline: their line manager's (or a
    lead's or admin's); anyone else concerned with it is refused."""
    _, practitioner, event = await _booking_context(viewer, booking_id)
    is_manager = practitioner["manager_email"] == viewer.email.lower()
    if not (is_manager or viewer.role in ADMIN_ROLES):
        raise Forbidden("Only the practitioner's line manager can approve or decline this booking")
    return practitioner, event


async def may_decide(viewer: Viewer, booking_id: int) -> None:
    """Refused (403/404) unless the viewer may approve or decline this booking."""
    await _approvable(viewer, booking_id)


async def decline(viewer: Viewer, booking_id: int, reason: str) -> BookingOut:
    """The line manager declines, saying why: the booking is cancelled and the practitioner is told the reason."""
    practitioner, event = await _approvable(viewer, booking_id)
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid({"reason": "Say why you are declining it: they are told"})
    if len(reason) > DECLINE_REASON_LENGTH:
        raise Invalid({"reason": f"Say why in {DECLINE_REASON_LENGTH} characters or fewer"})
    now = clock.now()
    async with write_tx():
        await places.lock_event(event["id"])
        current = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
        assert current is not None
        if current["status"] != "pending_approval":
            raise Conflict("This booking is not waiting for approval")
        await places.move(booking_id, "pending_approval", "cancelled", viewer.email, now, f"declined: {reason}",
                          tell=False)  # fmt: skip
        await approvals.on_declined(practitioner, event, viewer.name, reason)
        await audit.record(viewer, "booking.declined", subject=f"practitioner:{practitioner['id']}",
                           summary=f"Booking {booking_id} on event {event['id']} declined",
                           details={"booking_id": booking_id, "event_id": event["id"]})  # fmt: skip
    log.info("%s declined booking %s", viewer.email, booking_id)
    return await get_booking(viewer, booking_id)


async def approve(viewer: Viewer, booking_id: int) -> BookingOut:
    """The practitioner's line manager approves: a place if there is one, else the waiting list."""
    practitioner, event = await _approvable(viewer, booking_id)
    now = clock.now()
    async with write_tx():
        await places.lock_event(event["id"])
        event = await event_row(event["id"])  # the capacity as it is now that we hold the event
        current = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
        assert current is not None
        if current["status"] != "pending_approval":
            raise Conflict("This booking is not waiting for approval")
        status = after_approval(event["capacity"], await places.occupied(event["id"]))
        await places.move(booking_id, "pending_approval", status, viewer.email, now, "approved")
        await audit.record(viewer, "booking.approved", subject=f"practitioner:{practitioner['id']}",
                           summary=f"Booking {booking_id} on event {event['id']} approved: {status}",
                           details={"booking_id": booking_id, "event_id": event["id"], "status": status})  # fmt: skip
    log.info("%s approved booking %s: %s", viewer.email, booking_id, status)
    return await get_booking(viewer, booking_id)


def _list_where(
    viewer: Viewer, *, team: bool, at_event: int | None, statuses: Collection[str] | None
) -> list[Any]:
    where: list[Any] = []
    if team:
        where.append(Booking.practitioner.manager_email == viewer.email.lower())
    else:
        where.append(Booking.practitioner == (viewer.practitioner_id or 0))
    if at_event is not None:
        where.append(Booking.event == at_event)
    if statuses is not None:
        where.append(Booking.status.is_in(sorted(statuses) or [""]))
    return where


async def waiting_for_approval(manager_email: str) -> int:
    """How many bookings wait for this person's approval as line manager (the navigation's count)."""
    rows = await Booking.raw(
        "SELECT COUNT(*) AS n FROM booking b JOIN practitioner p ON p.id = b.practitioner "
        "WHERE b.status = 'pending_approval' AND p.manager_email = {}",
        manager_email.lower(),
    )  # written as SQL: asked on every page (registry.db.columns_of says why)
    return int(rows[0]["n"])


async def own_booking_at(viewer: Viewer, event_id: int) -> dict[str, Any] | None:
    """The viewer's own live booking at this event (its id and status), if any: one query, for the event page."""
    if viewer.practitioner_id is None:
        return None
    live = sorted(LIVE_STATUSES)
    rows = await Booking.raw(
        f"SELECT id, status FROM booking WHERE practitioner = {{}} AND event = {{}} AND status IN ({marks(live)}) "
        "ORDER BY id LIMIT 1",
        viewer.practitioner_id,
        event_id,
        *live,
    )  # written as SQL: read by every event page (registry.db.columns_of says why)
    return rows[0] if rows else None


async def booking_names(viewer: Viewer, booking_id: int) -> tuple[str, str]:
    """Whose booking it is and on which event, for a banner or a confirmation page."""
    _, practitioner, event = await _booking_context(viewer, booking_id)
    return f"{practitioner['given_name']} {practitioner['family_name']}", str(event["title"])


async def count_bookings(viewer: Viewer, *, team: bool = False, statuses: Collection[str] | None = None) -> int:
    """How many of the viewer's (or their team's) bookings there are, in SQL (e.g. those awaiting approval)."""
    return int(await Booking.count().where(*_list_where(viewer, team=team, at_event=None, statuses=statuses)))


async def list_bookings(
    viewer: Viewer,
    *,
    event_id: int | None = None,
    team: bool = False,
    at_event: int | None = None,
    statuses: Collection[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """The viewer's own bookings, their team's (``team``), or an event's (for its host); latest event first.

    ``at_event`` narrows the viewer's or team's list to one event and ``statuses`` to some statuses, in SQL.
    """
    if event_id is not None:
        event = await event_row(event_id)
        if not may_manage_event(viewer, event["host_organisation"]):
            raise Forbidden("Only the host can see who has booked")
        where: list[Any] = [Booking.event == event_id]
        if statuses is not None:
            where.append(Booking.status.is_in(sorted(statuses) or [""]))
    else:
        where = _list_where(viewer, team=team, at_event=at_event, statuses=statuses)
    query = (
        Booking.select(
            Booking.id, Booking.status, Booking.created_at, Booking.event, Booking.practitioner,
            Booking.event.title.as_alias("event_title"), Booking.event.first_starts_at.as_alias("starts_at"),
            Booking.event.status.as_alias("event_status"),
            Booking.practitioner.given_name.as_alias("given_name"),
            Booking.practitioner.family_name.as_alias("family_name"),
        )
        .where(*where)
        # A manager's list: bookings waiting for their approval first.
        .order_by(OrderByRaw("CASE WHEN booking.status = 'pending_approval' THEN 0 ELSE 1 END" if team else "1"))
        .order_by(Booking.event.first_starts_at, ascending=False)
        .order_by(Booking.id)
        .limit(limit)
        .offset(offset)
    )  # fmt: skip
    return list(await query), await Booking.count().where(*where)


async def bookable_team(viewer: Viewer, event_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The people the viewer line-manages who are still here and hold no live booking at this event, by
    name: whom a manager may book (one query)."""
    booked = Booking.select(Booking.practitioner).where(
        (Booking.event == event_id) & Booking.status.is_in(sorted(LIVE_STATUSES))
    )
    rows = await (
        Practitioner.select(Practitioner.id, Practitioner.given_name, Practitioner.family_name)
        .where(
            (Practitioner.manager_email == viewer.email.lower())
            & employed_on(clock.today())
            & Practitioner.id.not_in(booked)
        )
        .order_by(Practitioner.family_name, Practitioner.given_name, Practitioner.id)
        .limit(limit)
    )
    return list(rows)


async def set_attendance(viewer: Viewer, event_id: int, items: list[AttendanceItem]) -> list[BookingOut]:
    """The host marks who came, once the event has started; attending creates the learning record (source
    ``event``), un-marking removes it."""
    event = await event_row(event_id)
    if not may_manage_event(viewer, event["host_organisation"]):
        raise Forbidden("Only the host takes attendance")
    sessions = [
        SessionTimes(s["starts_at"], s["ends_at"])
        for s in await EventSession.select().where(EventSession.event == event_id).order_by(EventSession.starts_at)
    ]
    zone = get_settings().zone
    first = sessions[0].starts_at if sessions else None
    if reason := attendance_closed_reason(first, clock.now(), zone, event["status"]):
        raise Conflict(reason)
    hours = session_hours(sessions)
    last_day = sessions[-1].starts_at.astimezone(zone).date()
    competences = [r["competence"] for r in await EventCompetence.select().where(EventCompetence.event == event_id)]
    now = clock.now()
    changed: list[int] = []
    async with write_tx():
        # Under the event lock, like every other booking change: two submissions at once make one learning
        # record, and a cancellation made at the same moment is seen, not overwritten.
        await places.lock_event(event_id)
        rows = {
            r["id"]: r
            for r in await Booking.select().where(
                (Booking.event == event_id) & Booking.id.is_in([i.booking_id for i in items] or [0])
            )
        }
        ids = [i.booking_id for i in items]
        if len(set(ids)) != len(ids):
            raise Invalid({"booking_id": "each booking may appear only once"})
        missing = [i.booking_id for i in items if i.booking_id not in rows]
        if missing:
            raise Invalid({"booking_id": f"not bookings of this event: {', '.join(map(str, missing))}"})
        for item in items:
            row = rows[item.booking_id]
            target = "attended" if item.attended else "no_show"
            if row["status"] == target:
                continue
            await places.move(row["id"], row["status"], target, viewer.email, now, "attendance")
            if item.attended:
                record_id = await learning.record_attended_event(
                    row["practitioner"], event["title"], last_day, hours, competences
                )
                await Booking.update({Booking.learning_record: record_id}).where(Booking.id == row["id"])
            elif row["learning_record"] is not None:
                await Booking.update({Booking.learning_record: None}).where(Booking.id == row["id"])
                await learning.remove_attended_event(row["learning_record"])
            changed.append(row["id"])
        if changed:
            marks = {i.booking_id: i.attended for i in items if i.booking_id in changed}
            await audit.record(
                viewer, "attendance", subject=f"event:{event_id}",
                summary=f"Attendance at event {event_id}: {sum(marks.values())} attended, "
                f"{len(marks) - sum(marks.values())} did not come",
                details={"attended": sorted(b for b, a in marks.items() if a),
                         "no_show": sorted(b for b, a in marks.items() if not a)},
            )  # fmt: skip
    log.info("%s took attendance at event %s for booking(s) %s", viewer.email, event_id, changed)
    answered = Booking.select().where(Booking.id.is_in([i.booking_id for i in items] or [0])).order_by(Booking.id)
    return [_out(dict(r)) for r in await answered]
