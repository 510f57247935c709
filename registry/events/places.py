"""Places at an event: the event lock, counting who holds a place, moving a booking from one status to
another, and promoting the waiting list. Every booking change goes through here, inside a write transaction
that holds the event lock (DESIGN.md)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from registry import clock
from registry.db import is_sqlite
from registry.errors import Conflict
from registry.events.access import event_row
from registry.events.rules import OCCUPYING, can_transition
from registry.events.tables import Booking, BookingHistory, Event
from registry.notify import messages

__all__ = ("lock_event", "move", "occupied", "places_and_booking", "promote_waiting")

log = logging.getLogger(__name__)


async def lock_event(event_id: int) -> None:
    """Hold the event for the rest of the write transaction (call inside ``write_tx``)."""
    if not is_sqlite():
        await Event.raw("SELECT id FROM event WHERE id = {} FOR UPDATE", event_id)


async def occupied(event_id: int) -> int:
    return int(await Booking.count().where((Booking.event == event_id) & Booking.status.is_in(list(OCCUPYING))))


_HELD = ", ".join(f"'{status}'" for status in sorted(OCCUPYING))


async def places_and_booking(event_id: int, practitioner_id: int) -> tuple[int, int | None]:
    """In one statement (it runs under the event lock): how many places are held, and the practitioner's own
    booking at the event, if they have one (cancelled or not)."""
    rows = await Booking.raw(
        f"SELECT count(*) FILTER (WHERE status IN ({_HELD})) AS held,"  # the statuses are constants
        " max(CASE WHEN practitioner = {} THEN id END) AS own FROM booking WHERE event = {}",
        practitioner_id,
        event_id,
    )
    own = rows[0]["own"]
    return int(rows[0]["held"]), None if own is None else int(own)


async def move(
    booking_id: int, current: str, new: str, by: str, now: datetime, note: str = "", *, tell: bool = True
) -> None:
    """One transition, under the event lock the caller holds, and only from the status the caller saw: if the
    booking has moved on meanwhile (another instance, a request that did not lock), nothing is written."""
    if not can_transition(current, new):
        raise Conflict(f"A booking that is {current} cannot become {new}")
    values: dict[Any, Any] = {Booking.status: new, Booking.updated_at: now}
    if new == "waitlisted":
        values[Booking.waitlisted_at] = now
    moved = (
        await Booking.update(values)
        .where((Booking.id == booking_id) & (Booking.status == current))
        .returning(Booking.id)
    )
    if not moved:
        raise Conflict("This booking has just been changed by someone else; reload the page and try again")
    await BookingHistory.insert(
        BookingHistory(booking=booking_id, from_status=current, to_status=new, by_email=by, at=now, note=note)
    )
    if tell:  # False: the caller sends a message of its own (a declined booking's reason)
        await messages.on_booking_status(booking_id, new)


async def promote_waiting(event_id: int, by: str) -> list[int]:
    """Give free places to the longest-waiting people (inside the caller's locked transaction)."""
    event = await event_row(event_id)
    free = event["capacity"] - await occupied(event_id)
    if free <= 0 or event["status"] != "published":
        return []
    waiting = (
        await Booking.select(Booking.id)
        .where((Booking.event == event_id) & (Booking.status == "waitlisted"))
        .order_by(Booking.waitlisted_at)
        .order_by(Booking.id)
        .limit(free)
    )
    now = clock.now()
    for row in waiting:
        await move(row["id"], "waitlisted", "confirmed", by, now, "a place became free")
    if waiting:
        log.info(
            "%s: promoted booking(s) %s from the waiting list of event %s", by, [r["id"] for r in waiting], event_id
        )
    return [r["id"] for r in waiting]
