"""JSON API of events and bookings (INTERFACE.md); thin: parse, call the service, return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, get, patch, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from pydantic import BaseModel

from registry.accounts.rules import Role
from registry.events import bookings, service
from registry.events.deps import BOOKING_FILTERS, EVENT_FILTERS, BookingFilters, EventFilters
from registry.events.schemas import (
    MAX_ATTENDANCE_ITEMS,
    AttendanceItem,
    BookingIn,
    BookingOut,
    DeclineIn,
    EventIn,
    EventOut,
    EventPatch,
)
from registry.people.schemas import Page
from registry.web.auth import requires_role, signed_in
from registry.web.deps import API_PAGING, CurrentViewer, ListPaging, api_paging
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId

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
    dependencies = API_PAGING
    tags = ["events"]

    @get("/", operation_id="ListEvents", dependencies=EVENT_FILTERS, responses=ERROR_RESPONSES)
    async def list_events(self, viewer: CurrentViewer, filters: EventFilters, paging: ListPaging) -> Page[EventOut]:
        """Upcoming published events (``mine``: the events you manage, drafts included)."""
        items, total = await service.list_events(viewer, filters.valid(), paging.limit, paging.offset)
        return Page(items=items, total=total)

    @post("/", operation_id="CreateEvent", guards=[_hosts], responses=ERROR_RESPONSES)
    async def create_event(self, viewer: CurrentViewer, data: JSONBody[EventIn]) -> EventOut:
        """Create an event (leads; partner admins for their organisation)."""
        return await service.create_event(viewer, data)

    @get("/{event_id:int}", operation_id="GetEvent", responses=ERROR_RESPONSES)
    async def get_event(self, viewer: CurrentViewer, event_id: PathId) -> EventOut:
        """One event with its places left."""
        return await service.get_event(viewer, event_id)

    @patch("/{event_id:int}", operation_id="UpdateEvent", guards=[_hosts], responses=ERROR_RESPONSES)
    async def update_event(self, viewer: CurrentViewer, event_id: PathId, data: JSONBody[EventPatch]) -> EventOut:
        """Change or publish an event."""
        return await service.update_event(viewer, event_id, data)

    @post("/{event_id:int}/cancel", operation_id="CancelEvent", guards=[_hosts], responses=ERROR_RESPONSES)
    async def cancel_event(self, viewer: CurrentViewer, event_id: PathId) -> EventOut:
        """Cancel the event and every booking on it."""
        return await service.cancel_event(viewer, event_id)

    @post("/{event_id:int}/bookings", operation_id="BookEvent", responses=ERROR_RESPONSES)
    async def book(self, viewer: CurrentViewer, event_id: PathId, data: JSONBody[BookingIn]) -> BookingOut:
        """Book a place (yourself, or someone you manage): confirmed, waitlisted or pending approval."""
        return await bookings.book(viewer, event_id, data.practitioner_id, data.access_needs)

    @get(
        "/{event_id:int}/bookings",
        operation_id="ListEventBookings",
        guards=[_hosts],
        dependencies=api_paging(default_limit=500),
        responses=ERROR_RESPONSES,
    )
    async def event_bookings(self, viewer: CurrentViewer, event_id: PathId, paging: ListPaging) -> Page[BookingRow]:
        """Who has booked (the host)."""
        rows, total = await bookings.list_bookings(viewer, event_id=event_id, limit=paging.limit, offset=paging.offset)
        return Page(items=_rows(rows), total=total)

    @put("/{event_id:int}/attendance", operation_id="TakeAttendance", guards=[_hosts], responses=ERROR_RESPONSES)
    async def attendance(self, viewer: CurrentViewer, event_id: PathId, data: AttendanceList) -> list[BookingOut]:
        """Mark who attended; attending creates the learning record."""
        return await bookings.set_attendance(viewer, event_id, data)


class BookingApi(Controller):
    """Bookings: yours, your team's, cancelling and approving."""

    path = "/api/v1/bookings"
    guards = [signed_in]
    dependencies = API_PAGING
    tags = ["events"]

    @get("/", operation_id="ListBookings", dependencies=BOOKING_FILTERS, responses=ERROR_RESPONSES)
    async def list_bookings(
        self, viewer: CurrentViewer, filters: BookingFilters, paging: ListPaging
    ) -> Page[BookingRow]:
        """Your bookings (``team``: the bookings of the people you manage)."""
        team = filters.valid().team
        rows, total = await bookings.list_bookings(viewer, team=team, limit=paging.limit, offset=paging.offset)
        return Page(items=_rows(rows), total=total)

    @get("/{booking_id:int}", operation_id="GetBooking", responses=ERROR_RESPONSES)
    async def get_booking(self, viewer: CurrentViewer, booking_id: PathId) -> BookingOut:
        """One booking."""
        return await bookings.get_booking(viewer, booking_id)

    @post("/{booking_id:int}/cancel", operation_id="CancelBooking", responses=ERROR_RESPONSES)
    async def cancel(self, viewer: CurrentViewer, booking_id: PathId) -> BookingOut:
        """Cancel; the longest-waiting person gets the place."""
        return await bookings.cancel(viewer, booking_id)

    @post("/{booking_id:int}/approve", operation_id="ApproveBooking", responses=ERROR_RESPONSES)
    async def approve(self, viewer: CurrentViewer, booking_id: PathId) -> BookingOut:
        """The line manager approves: a place, or the waiting list when full."""
        return await bookings.approve(viewer, booking_id)

    @post("/{booking_id:int}/decline", operation_id="DeclineBooking", responses=ERROR_RESPONSES)
    async def decline(self, viewer: CurrentViewer, booking_id: PathId, data: JSONBody[DeclineIn]) -> BookingOut:
        """The line manager declines, with a reason mailed to the practitioner; the booking is cancelled."""
        return await bookings.decline(viewer, booking_id, data.reason)
