"""JSON API of events and bookings (INTERFACE.md); thin: parse, call the service, return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, get, patch, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, JSONBody
from pydantic import BaseModel

from registry.accounts.rules import Role
from registry.events import bookings, service
from registry.events.schemas import (
    MAX_ATTENDANCE_ITEMS,
    AttendanceItem,
    BookingIn,
    BookingOut,
    EventIn,
    EventOut,
    EventPatch,
)
from registry.people.schemas import Page
from registry.web.auth import requires_role, signed_in, viewer_of
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import AnyRequest, Limit, Offset, PathId, SearchText

__all__ = ("BookingApi", "EventApi")

_hosts = requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)
AttendanceList = Annotated[
    list[AttendanceItem],
    Body(
        media_type=RequestEncodingType.JSON,
        max_items=MAX_ATTENDANCE_ITEMS,
        description=f"Up to {MAX_ATTENDANCE_ITEMS} bookings a request; a larger event is marked in several",
    ),
]


class BookingRow(BaseModel):
    """A booking with what a list needs to show it."""

    id: int
    event_id: int
    event_title: str
    event_status: str
    starts_at: datetime | None
    practitioner_id: int
    practitioner_name: str
    status: str
    created_at: datetime


def _rows(rows: list[dict[str, Any]]) -> list[BookingRow]:
    return [
        BookingRow(
            id=r["id"], event_id=r["event"], event_title=r["event_title"], event_status=r["event_status"],
            starts_at=r["starts_at"], practitioner_id=r["practitioner"],
            practitioner_name=f"{r['given_name']} {r['family_name']}", status=r["status"], created_at=r["created_at"],
        )
        for r in rows
    ]  # fmt: skip


class EventApi(Controller):
    """Shared learning events."""

    path = "/api/v1/events"
    guards = [signed_in]
    tags = ["events"]

    @get("/", operation_id="ListEvents", responses=ERROR_RESPONSES)
    async def list_events(
        self,
        request: AnyRequest,
        limit: Limit = 50,
        offset: Offset = 0,
        q: SearchText = None,
        competence: SearchText = None,
        format: SearchText = None,
        host: SearchText = None,
        local_authority: SearchText = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        fits_part_time: FromQuery[bool] = False,
        mine: FromQuery[bool] = False,
    ) -> Page[EventOut]:
        """Upcoming published events (``mine``: the events you manage, drafts included)."""
        filters = service.EventFilter(
            q,
            competence,
            format,
            host,
            local_authority,
            date_from,
            date_to,
            fits_part_time,
            include_past=mine,
            mine=mine,
        )
        items, total = await service.list_events(viewer_of(request), filters, limit, offset)
        return Page(items=items, total=total)

    @post("/", operation_id="CreateEvent", guards=[_hosts], responses=ERROR_RESPONSES)
    async def create_event(self, request: AnyRequest, data: JSONBody[EventIn]) -> EventOut:
        """Create an event (leads; partner admins for their organisation)."""
        return await service.create_event(viewer_of(request), data)

    @get("/{event_id:int}", operation_id="GetEvent", responses=ERROR_RESPONSES)
    async def get_event(self, request: AnyRequest, event_id: PathId) -> EventOut:
        """One event with its places left."""
        return await service.get_event(viewer_of(request), event_id)

    @patch("/{event_id:int}", operation_id="UpdateEvent", guards=[_hosts], responses=ERROR_RESPONSES)
    async def update_event(self, request: AnyRequest, event_id: PathId, data: JSONBody[EventPatch]) -> EventOut:
        """Change or publish an event."""
        return await service.update_event(viewer_of(request), event_id, data)

    @post("/{event_id:int}/cancel", operation_id="CancelEvent", guards=[_hosts], responses=ERROR_RESPONSES)
    async def cancel_event(self, request: AnyRequest, event_id: PathId) -> EventOut:
        """Cancel the event and every booking on it."""
        return await service.cancel_event(viewer_of(request), event_id)

    @post("/{event_id:int}/bookings", operation_id="BookEvent", responses=ERROR_RESPONSES)
    async def book(self, request: AnyRequest, event_id: PathId, data: JSONBody[BookingIn]) -> BookingOut:
        """Book a place (yourself, or someone you manage): confirmed, waitlisted or pending approval."""
        return await bookings.book(viewer_of(request), event_id, data.practitioner_id)

    @get("/{event_id:int}/bookings", operation_id="ListEventBookings", guards=[_hosts], responses=ERROR_RESPONSES)
    async def event_bookings(
        self, request: AnyRequest, event_id: PathId, limit: Limit = 500, offset: Offset = 0
    ) -> Page[BookingRow]:
        """Who has booked (the host)."""
        rows, total = await bookings.list_bookings(viewer_of(request), event_id=event_id, limit=limit, offset=offset)
        return Page(items=_rows(rows), total=total)

    @put("/{event_id:int}/attendance", operation_id="TakeAttendance", guards=[_hosts], responses=ERROR_RESPONSES)
    async def attendance(self, request: AnyRequest, event_id: PathId, data: AttendanceList) -> list[BookingOut]:
        """Mark who attended; attending creates the learning record."""
        return await bookings.set_attendance(viewer_of(request), event_id, data)


class BookingApi(Controller):
    """Bookings: yours, your team's, cancelling and approving."""

    path = "/api/v1/bookings"
    guards = [signed_in]
    tags = ["events"]

    @get("/", operation_id="ListBookings", responses=ERROR_RESPONSES)
    async def list_bookings(
        self, request: AnyRequest, team: FromQuery[bool] = False, limit: Limit = 50, offset: Offset = 0
    ) -> Page[BookingRow]:
        """Your bookings (``team``: the bookings of the people you manage)."""
        rows, total = await bookings.list_bookings(viewer_of(request), team=team, limit=limit, offset=offset)
        return Page(items=_rows(rows), total=total)

    @get("/{booking_id:int}", operation_id="GetBooking", responses=ERROR_RESPONSES)
    async def get_booking(self, request: AnyRequest, booking_id: PathId) -> BookingOut:
        """One booking."""
        return await bookings.get_booking(viewer_of(request), booking_id)

    @post("/{booking_id:int}/cancel", operation_id="CancelBooking", responses=ERROR_RESPONSES)
    async def cancel(self, request: AnyRequest, booking_id: PathId) -> BookingOut:
        """Cancel; the longest-waiting person gets the place."""
        return await bookings.cancel(viewer_of(request), booking_id)

    @post("/{booking_id:int}/approve", operation_id="ApproveBooking", responses=ERROR_RESPONSES)
    async def approve(self, request: AnyRequest, booking_id: PathId) -> BookingOut:
        """The line manager approves: a place, or the waiting list when full."""
        return await bookings.approve(viewer_of(request), booking_id)
