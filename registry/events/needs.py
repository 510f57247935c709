"""Bookings from the practitioner's side: where someone stands on a waiting list, and the access and dietary
needs given when booking (for the host and the person only, cleared a month after the event)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from piccolo.columns.combination import WhereRaw

from registry.accounts.rules import Viewer
from registry.db import write_tx
from registry.errors import NotFound
from registry.events.access import event_row, may_manage_event
from registry.events.rules import ACCESS_NEEDS_KEPT
from registry.events.tables import Booking

__all__ = ("ROSTER_LABELS", "RosterRow", "own_bookings", "purge", "roster")

_OWN = """
SELECT b.event AS event, b.status AS status,
       CASE WHEN b.status = 'waitlisted' THEN
           (SELECT COUNT(*) FROM booking w WHERE w.event = b.event AND w.status = 'waitlisted'
            AND (w.waitlisted_at < b.waitlisted_at OR (w.waitlisted_at = b.waitlisted_at AND w.id <= b.id)))
       END AS position
FROM booking b
WHERE b.practitioner = {} AND b.status <> 'cancelled' AND b.event IN (%s)
"""


async def own_bookings(practitioner_id: int | None, event_ids: Sequence[int]) -> dict[int, tuple[str, int | None]]:
    """The person's booking on each of these events, if any: its status and, on a waiting list, their place in
    it (1 = next to get a place) — one query, however many events."""
    if practitioner_id is None or not event_ids:
        return {}
    ids = list(dict.fromkeys(int(i) for i in event_ids))
    rows = await Booking.raw(_OWN % ", ".join("{}" for _ in ids), practitioner_id, *ids)
    return {int(r["event"]): (str(r["status"]), None if r["position"] is None else int(r["position"])) for r in rows}


async def purge(now: datetime) -> int:
    """Clear the access and dietary needs of bookings on events whose last session ended over a month ago."""
    ended = WhereRaw(
        "NOT EXISTS (SELECT 1 FROM event_session s WHERE s.event = booking.event AND s.ends_at > {})",
        now - ACCESS_NEEDS_KEPT,
    )
    async with write_tx():
        cleared = (
            await Booking.update({Booking.access_needs: None})
            .where(Booking.access_needs.is_not_null() & ended)
            .returning(Booking.id)
        )
    return len(cleared)


ROSTER_ORDER = {"confirmed": 0, "attended": 1, "no_show": 2, "pending_approval": 3, "waitlisted": 4}
ROSTER_LABELS = {
    "confirmed": "Booked", "attended": "Attended", "no_show": "Did not come",
    "pending_approval": "Waiting for approval", "waitlisted": "Waiting list",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RosterRow:
    booking_id: int
    name: str
    organisation: str
    status: str
    position: int | None
    """On the waiting list: 1 is next to get a place."""
    access_needs: str | None


async def roster(viewer: Viewer, event_id: int) -> list[RosterRow]:
    """Who has booked the event, who waits and who awaits approval, with their organisations and access needs:
    for its host only (anyone else: no such event)."""
    event = await event_row(event_id)
    if not may_manage_event(viewer, event["host_organisation"]):
        raise NotFound("No such event")
    rows = await Booking.select(
        Booking.id, Booking.status, Booking.waitlisted_at, Booking.access_needs,
        Booking.practitioner.given_name.as_alias("given_name"),
        Booking.practitioner.family_name.as_alias("family_name"),
        Booking.practitioner.organisation.name.as_alias("organisation"),  # type: ignore[union-attr]
    ).where((Booking.event == event_id) & (Booking.status != "cancelled"))  # fmt: skip
    waiting = sorted((r for r in rows if r["status"] == "waitlisted"), key=lambda r: (r["waitlisted_at"], r["id"]))
    positions = {r["id"]: n for n, r in enumerate(waiting, start=1)}
    ordered = sorted(
        rows, key=lambda r: (ROSTER_ORDER.get(r["status"], 9), positions.get(r["id"], 0), r["family_name"], r["id"])
    )
    return [
        RosterRow(r["id"], f"{r['given_name']} {r['family_name']}", r["organisation"] or "", r["status"],
                  positions.get(r["id"]), r["access_needs"])
        for r in ordered
    ]  # fmt: skip
