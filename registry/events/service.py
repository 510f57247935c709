"""Use cases of events: create, change, publish, cancel, find and read them."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from registry import clock
from registry.accounts.rules import ADMIN_ROLES, Role, Viewer
from registry.db import columns_of, is_sqlite, like_pattern, marks, write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound, refuse_cleared
from registry.events import places
from registry.events.access import event_row, may_manage_event
from registry.events.rules import OCCUPYING, SessionTimes, fits_part_time
from registry.events.schemas import EventIn, EventOut, EventPatch, SessionIn, SessionOut, place_problems
from registry.events.tables import Booking, BookingHistory, Event, EventCompetence, EventSession
from registry.learning.service import competence_ids
from registry.notify import messages
from registry.people.tables import Organisation
from registry.settings import get_settings

__all__ = (
    "EventFilter",
    "cancel_event",
    "create_event",
    "get_event",
    "list_events",
    "update_event",
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EventFilter:
    q: str | None = None
    competence: str | None = None
    format: str | None = None
    host: str | None = None
    local_authority: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    fits_part_time: bool = False
    include_past: bool = False
    mine: bool = False
    """Events the viewer can manage (drafts included)."""


_EVENT_AND_HOST = "FROM event e JOIN organisation o ON o.id = e.host_organisation"
_SHOWN_SQL = f"SELECT {columns_of(Event, 'e')}, o.code AS host_code, o.name AS host_name {_EVENT_AND_HOST}"
"""An event as it is shown: its row and its host's code and name (joined, not looked up apart); written as SQL,
for the hot reads (``registry.db.columns_of`` says why)."""


async def _visible_row(viewer: Viewer, event_id: int) -> dict[str, Any]:
    found = await Event.raw(_SHOWN_SQL + " WHERE e.id = {}", event_id)
    row: dict[str, Any] | None = found[0] if found else None
    if row is None or (row["status"] == "draft" and not may_manage_event(viewer, row["host_organisation"])):
        raise NotFound("No such event")
    return row


async def _host_id(viewer: Viewer, code: str) -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == code.upper()).first()
    if row is None:
        raise Invalid({"host_organisation": f"unknown organisation {code}"})
    if not may_manage_event(viewer, row["id"]):
        raise Invalid({"host_organisation": "you can only host events for your own organisation"})
    return int(row["id"])


def _require_host_role(viewer: Viewer) -> None:
    if viewer.role not in ADMIN_ROLES | {Role.PARTNER_ADMIN}:
        raise Forbidden("Only alliance leads and partner admins can manage events")


def _fits_part_time(sessions: list[SessionIn]) -> bool:
    """The stored ``Event.fits_part_time``: the rule over these sessions, in the registry's zone."""
    return fits_part_time([SessionTimes(s.starts_at, s.ends_at) for s in sessions], get_settings().zone)


async def _write_sessions(event_id: int, sessions: list[SessionIn]) -> None:
    await EventSession.delete().where(EventSession.event == event_id)
    await EventSession.insert(
        *[EventSession(event=event_id, starts_at=s.starts_at, ends_at=s.ends_at) for s in sessions]
    )


async def _write_competences(event_id: int, ids: dict[str, int]) -> None:
    await EventCompetence.delete().where(EventCompetence.event == event_id)
    if ids:
        await EventCompetence.insert(*[EventCompetence(event=event_id, competence=i) for i in ids.values()])


async def create_event(viewer: Viewer, data: EventIn) -> EventOut:
    _require_host_role(viewer)
    host = await _host_id(viewer, data.host_organisation)
    competences = await competence_ids(data.competences)
    now = clock.now()
    async with write_tx():
        inserted = await Event.insert(
            Event(
                title=data.title, description=data.description, host_organisation=host, format=data.format,
                venue=data.venue, online_url=str(data.online_url) if data.online_url else None,
                capacity=data.capacity, topics=";".join(data.topics), audience=data.audience,
                requires_approval=data.requires_approval, booking_opens_at=data.booking_opens_at,
                booking_closes_at=data.booking_closes_at, status=data.status,
                first_starts_at=min(s.starts_at for s in data.sessions),
                fits_part_time=_fits_part_time(data.sessions), created_by_email=viewer.email,
                created_at=now, updated_at=now,
            )
        ).returning(Event.id)  # fmt: skip
        event_id = int(inserted[0]["id"])
        await _write_sessions(event_id, data.sessions)
        await _write_competences(event_id, competences)
    log.info("%s created event %s (%s)", viewer.email, event_id, data.status)
    return await get_event(viewer, event_id)


MATERIAL = frozenset({"sessions", "venue", "online_url", "format"})
"""Changes that calendar invites must follow (a new SEQUENCE)."""


async def update_event(viewer: Viewer, event_id: int, patch: EventPatch) -> EventOut:
    """Change an event; more places promote people from the waiting list in the same transaction."""
    _require_host_role(viewer)
    row = await event_row(event_id)
    if not may_manage_event(viewer, row["host_organisation"]):
        raise NotFound("No such event")
    if row["status"] == "cancelled":
        raise Invalid({"status": "a cancelled event cannot be changed"})
    changes: dict[Any, Any] = patch.model_dump(exclude_unset=True)
    refuse_cleared(changes, EventPatch.NOT_NULL)
    sessions = patch.sessions if "sessions" in changes else None
    changes.pop("sessions", None)
    competence_codes = changes.pop("competences", None)
    competences = await competence_ids(competence_codes) if competence_codes is not None else None
    if "topics" in changes:
        changes["topics"] = ";".join(changes["topics"])
    if "online_url" in changes and changes["online_url"] is not None:
        changes["online_url"] = str(changes["online_url"])
    fmt = changes.get("format", row["format"])
    if place := place_problems(fmt, changes.get("venue", row["venue"]), changes.get("online_url", row["online_url"])):
        raise Invalid(place)
    current_sessions = [
        (r["starts_at"], r["ends_at"])
        for r in await EventSession.select().where(EventSession.event == event_id).order_by(EventSession.starts_at)
    ]
    moved = sessions is not None and sorted((s.starts_at, s.ends_at) for s in sessions) != current_sessions
    # Only a real change of time, place or link is material: re-saving the same values sends no update.
    material = moved or any(changes[k] != row[k] for k in MATERIAL - {"sessions"} if k in changes)
    async with write_tx():
        await places.lock_event(event_id)
        row = await event_row(event_id)  # as it is now that we hold the event
        if row["status"] == "cancelled":
            raise Invalid({"status": "a cancelled event cannot be changed"})
        values = {**changes, "updated_at": clock.now()}
        if sessions and moved:
            await _write_sessions(event_id, sessions)
            values["first_starts_at"] = min(s.starts_at for s in sessions)
            values["fits_part_time"] = _fits_part_time(sessions)
        if material:
            values["sequence"] = row["sequence"] + 1
        await Event.update(values).where(Event.id == event_id)
        if competences is not None:
            await _write_competences(event_id, competences)
        if "capacity" in changes:
            await places.promote_waiting(event_id, viewer.email)
        if material:
            await messages.on_event_changed(event_id)
    log.info("%s changed event %s: %s", viewer.email, event_id, sorted(map(str, changes)))
    return await get_event(viewer, event_id)


async def cancel_event(viewer: Viewer, event_id: int) -> EventOut:
    """Cancel the event and every booking on it."""
    _require_host_role(viewer)
    row = await event_row(event_id)
    if not may_manage_event(viewer, row["host_organisation"]):
        raise NotFound("No such event")
    if row["status"] == "cancelled":
        raise Conflict("This event is already cancelled")
    now = clock.now()
    open_statuses = ["pending_approval", "confirmed", "waitlisted"]  # attendance already taken stays as it is
    async with write_tx():
        await places.lock_event(event_id)
        row = await event_row(event_id)  # as it is now that we hold the event
        if row["status"] == "cancelled":
            raise Conflict("This event is already cancelled")
        live = await Booking.select(Booking.id, Booking.status).where(
            (Booking.event == event_id) & Booking.status.is_in(open_statuses)
        )
        for booking in live:
            await BookingHistory.insert(
                BookingHistory(booking=booking["id"], from_status=booking["status"], to_status="cancelled",
                               by_email=viewer.email, at=now, note="event cancelled")
            )  # fmt: skip
        await Booking.update({Booking.status: "cancelled", Booking.updated_at: now}).where(
            (Booking.event == event_id) & Booking.status.is_in(open_statuses)
        )
        await Event.update(
            {Event.status: "cancelled", Event.sequence: row["sequence"] + 1, Event.updated_at: now}
        ).where(Event.id == event_id)
        for booking in live:
            await messages.on_booking_status(booking["id"], "cancelled")
    log.info("%s cancelled event %s and %s booking(s)", viewer.email, event_id, len(live))
    return await get_event(viewer, event_id)


async def _outs(rows: list[dict[str, Any]]) -> list[EventOut]:
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    sessions: dict[int, list[SessionOut]] = defaultdict(list)
    for s in await EventSession.raw(
        f"SELECT event, starts_at, ends_at FROM event_session WHERE event IN ({marks(ids)}) ORDER BY starts_at", *ids
    ):
        sessions[s["event"]].append(SessionOut(starts_at=s["starts_at"], ends_at=s["ends_at"]))
    codes: dict[int, list[str]] = defaultdict(list)
    for c in await EventCompetence.raw(
        "SELECT ec.event, c.code FROM event_competence ec JOIN competence c ON c.id = ec.competence "
        f"WHERE ec.event IN ({marks(ids)}) ORDER BY c.position",
        *ids,
    ):
        codes[c["event"]].append(c["code"])
    counts: dict[tuple[int, str], int] = {}
    for c in await Booking.raw(
        f"SELECT event, status, COUNT(*) AS n FROM booking WHERE event IN ({marks(ids)}) GROUP BY event, status", *ids
    ):
        counts[(c["event"], c["status"])] = int(c["n"])
    return [
        EventOut(
            id=r["id"], title=r["title"], description=r["description"],
            host_organisation=r["host_code"], host_name=r["host_name"],
            format=r["format"], venue=r["venue"], online_url=r["online_url"], capacity=r["capacity"],
            places_left=max(0, r["capacity"] - sum(counts.get((r["id"], s), 0) for s in OCCUPYING)),
            waitlisted=counts.get((r["id"], "waitlisted"), 0), sessions=sessions[r["id"]], competences=codes[r["id"]],
            topics=[t for t in r["topics"].split(";") if t], audience=r["audience"],
            requires_approval=r["requires_approval"], booking_opens_at=r["booking_opens_at"],
            booking_closes_at=r["booking_closes_at"], status=r["status"], sequence=r["sequence"],
        )
        for r in rows
    ]  # fmt: skip


async def get_event(viewer: Viewer, event_id: int) -> EventOut:
    return (await _outs([await _visible_row(viewer, event_id)]))[0]


async def list_events(
    viewer: Viewer, filters: EventFilter, limit: int = 50, offset: int = 0
) -> tuple[list[EventOut], int]:
    """Published upcoming events (or, with ``mine``, those the viewer manages), soonest first.

    Written as SQL, the listing being the most asked-for page (registry.db.columns_of says why).
    """
    where: list[str] = []
    args: list[Any] = []

    def when(condition: str, *values: Any) -> None:
        where.append(condition)
        args.extend(values)

    if filters.mine:
        _require_host_role(viewer)
        if viewer.role is Role.PARTNER_ADMIN:
            when("e.host_organisation = {}", viewer.organisation_id)
    else:
        when("e.status = {}", "published")
    if not filters.include_past:
        when("e.first_starts_at >= {}", clock.now())
    if filters.q:
        like = "LIKE" if is_sqlite() else "ILIKE"  # SQLite's LIKE already ignores ASCII case; it has no ILIKE
        for word in filters.q.split()[:5]:
            pattern = like_pattern(word)
            when(f"(e.title {like} {{}} OR e.description {like} {{}} OR e.topics {like} {{}})", *[pattern] * 3)
    if filters.format:
        when("e.format = {}", filters.format)
    if filters.host:
        when("o.code = {}", filters.host.upper())
    if filters.local_authority:
        when("o.local_authority = {}", filters.local_authority)
    if filters.date_from:
        when("e.first_starts_at >= {}", clock.local_midnight(filters.date_from))
    if filters.date_to:
        when("e.first_starts_at < {}", clock.local_midnight(filters.date_to + timedelta(days=1)))
    if filters.competence:
        when(
            "e.id IN (SELECT ec.event FROM event_competence ec JOIN competence c ON c.id = ec.competence "
            "WHERE c.code = {})",
            filters.competence.upper(),
        )
    if filters.fits_part_time:
        when("e.fits_part_time = {}", True)
    condition = " WHERE " + " AND ".join(where) if where else ""
    rows = await Event.raw(
        f"{_SHOWN_SQL}{condition} ORDER BY e.first_starts_at, e.id LIMIT {{}} OFFSET {{}}", *args, limit, offset
    )
    # A short page is the last one, so it says how many there are: counting them again would not.
    short = len(rows) < limit and (rows or not offset)
    if short:
        total = offset + len(rows)
    else:
        counted = await Event.raw(f"SELECT COUNT(*) AS n {_EVENT_AND_HOST}{condition}", *args)
        total = int(counted[0]["n"])
    return await _outs(rows), total
