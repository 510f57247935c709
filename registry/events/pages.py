"""Pages of shared learning events and bookings: find an event, read it, book a place; see, cancel and
approve bookings. Thin: read the request, call the events services, render."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from registry import clock
from registry.accounts.rules import EDITOR_ROLES, Role, Viewer
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.events import bookings, materials, needs, service
from registry.events.access import may_manage_event
from registry.events.deps import BOOKING_FILTERS, EVENT_FILTERS, BookingFilters, EventFilters
from registry.events.forms import FORMATS, whole_last_day
from registry.events.rules import (
    ACCESS_NEEDS_LENGTH,
    BookingWindow,
    SessionTimes,
    booking_closed_reason,
    ordinal,
    session_hours,
)
from registry.events.schemas import EventOut
from registry.learning import service as learning
from registry.learning_time import service as learning_time
from registry.people import service as people
from registry.settings import get_settings
from registry.web.auth import signed_in
from registry.web.deps import FIRST_PAGE, PAGE_PAGING, CurrentViewer, ListPaging, Paging
from registry.web.pages import PER_PAGE, form_data, render
from registry.web.params import AnyRequest
from registry.web.templating import fragment

__all__ = ("BookingPages", "EventPages", "all_bookings", "managed_event")

LIVE = bookings.LIVE_STATUSES
"""Statuses of a booking that still stands (everything but cancelled)."""
CANCELLABLE = frozenset({"pending_approval", "confirmed", "waitlisted"})
_SCAN = 200

_BOOKED: dict[tuple[str, bool], tuple[str, str]] = {
    ("confirmed", False): ("Your place is confirmed", "We have emailed you a calendar invitation."),
    ("waitlisted", False): (
        "You are on the waiting list",
        "The event is full. If a place becomes free it goes to whoever has waited longest, and you will get "
        "a calendar invitation then.",
    ),
    ("pending_approval", False): (
        "Your booking is waiting for your manager's approval",
        "This event needs your line manager's approval. You will hear when they have decided.",
    ),
    ("confirmed", True): ("The place is confirmed", "They have been emailed a calendar invitation."),
    ("waitlisted", True): (
        "The booking is on the waiting list",
        "The event is full. If a place becomes free it goes to whoever has waited longest.",
    ),
    ("pending_approval", True): (
        "The booking is waiting for approval",
        "This event needs the line manager's approval: approve it under My team's bookings.",
    ),
}
_DONE = {
    "cancelled": "The booking has been cancelled",
    "event-cancelled": "The event has been cancelled, and so has every booking on it",
    "created": "The event has been created",
    "saved": "The event has been saved",
    "approved-confirmed": "Booking approved: the place is confirmed",
    "approved-waitlisted": "Booking approved. The event is full, so the booking is on the waiting list",
    "declined": "Booking declined: they have been told why",
    "published": "The event is published: practitioners can find and book it",
}
_NAMED = {
    "approved-confirmed": "{name}'s booking on {title} is approved: the place is confirmed",
    "approved-waitlisted": "{name}'s booking on {title} is approved. The event is full, so it is on the waiting list",
    "declined": "{name}'s booking on {title} is declined: they have been emailed your reason",
}
"""Banners that name whose booking it was (after approving or declining from a team's list)."""


async def all_bookings(
    viewer: Viewer, *, team: bool = False, event_id: int | None = None, statuses: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Every booking of a list (the viewer's, their team's or an event's, in some statuses), a page at a time:
    for the host's attendance form, which holds every place of the event."""
    found: list[dict[str, Any]] = []
    while True:
        rows, total = await bookings.list_bookings(
            viewer, team=team, event_id=event_id, statuses=statuses, limit=_SCAN, offset=len(found)
        )
        found += rows
        if not rows or len(found) >= total:
            return found


async def managed_event(viewer: Viewer, event_id: int) -> EventOut:
    """An event the viewer may manage; anyone else is told there is no such event."""
    event = await service.get_event(viewer, event_id)
    host = await people.organisation_by_code(event.host_organisation)
    if not may_manage_event(viewer, host.id):
        raise NotFound("No such event")
    return event


def _closed_reason(event: EventOut) -> str | None:
    first = min((s.starts_at for s in event.sessions), default=None)
    window = BookingWindow(event.status, event.booking_opens_at, event.booking_closes_at, first)
    return booking_closed_reason(window, clock.now())


def _name(row: dict[str, Any]) -> str:
    return f"{row['given_name']} {row['family_name']}"


class EventPages(Controller):
    """Find, read and book shared learning events."""

    path = "/events"
    guards = [signed_in]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/", dependencies=EVENT_FILTERS)
    async def list_page(
        self, request: AnyRequest, viewer: CurrentViewer, filters: EventFilters, paging: ListPaging
    ) -> Template:
        """Upcoming published events, filtered; for hosts, ``mine`` lists the events they manage."""
        wanted, params, problems = filters.value, filters.params, filters.problems
        managing = wanted.mine
        events, total = await service.list_events(viewer, wanted, paging.limit, paging.offset)
        organisations = await people.organisation_choices()
        competences = await learning.list_competences()
        filter_form = fragment(
            "events/_filters.html",
            params=tuple(params.items()),
            errors=tuple(problems.items()),
            managing=managing,
            competences=tuple((c.code, f"{c.code} {c.title}") for c in competences),
            formats=tuple(FORMATS),
            hosts=tuple((o.code, o.name) for o in organisations),
            authorities=tuple(sorted({o.local_authority for o in organisations if o.local_authority})),
        )
        return render(
            request,
            "events/list.html",
            status_code=400 if problems else 200,
            errors=dict(problems),
            events=events,
            pagination=paging.pagination(total),
            params=params,
            filtered=any(v for k, v in params.items() if k != "mine"),
            managing=managing,
            can_host=viewer.role in EDITOR_ROLES,
            competence_titles={c.code: c.title for c in competences},
            filter_form=filter_form,
            own=await needs.own_bookings(await people.own_practitioner_id(viewer), [e.id for e in events]),
            ordinal=ordinal,
        )

    @get("/{event_id:int}")
    async def event_page(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        event_id: FromPath[int],
        booked: FromQuery[str | None] = None,
        team: FromQuery[str | None] = None,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """One event: when, where, what it develops, places left, and booking."""
        banner = _BOOKED.get((booked or "", bool(team)))
        if banner is None and done in _DONE:
            banner = (_DONE[done], "")
        return await self._event(request, viewer, event_id, banner=banner)

    @post("/{event_id:int}/book")
    async def book(self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]) -> Template | Redirect:
        """Book a place for yourself, or (a manager) for someone in your team."""
        await service.get_event(viewer, event_id)  # a draft the viewer may not see is not found, whoever is booked
        form = await form_data(request)
        chosen = form.get("practitioner_id")
        field = "book" if chosen is None else "practitioner_id"
        if chosen is not None and not (chosen.isascii() and chosen.isdigit() and len(chosen) < 19):
            return await self._event(
                request, viewer, event_id, errors={field: "Select who to book a place for"}, status=400
            )
        try:
            booking = await bookings.book(viewer, event_id, int(chosen) if chosen else None, form.get("access_needs"))
        except Conflict as exc:
            return await self._event(request, viewer, event_id, errors={field: exc.detail}, status=409)
        except Invalid as exc:
            if "access_needs" in exc.problems:
                return await self._event(request, viewer, event_id, errors=dict(exc.problems), status=400,
                                         form={"access_needs": form.get("access_needs", "")})  # fmt: skip
            return await self._event(
                request, viewer, event_id, errors={field: "; ".join(exc.problems.values())}, status=400
            )
        except (Forbidden, NotFound) as exc:
            if chosen is None:
                raise
            return await self._event(request, viewer, event_id, errors={field: exc.detail}, status=400)
        return Redirect(f"/events/{event_id}?booked={booking.status}" + ("&team=1" if chosen else ""))

    async def _event(
        self,
        request: AnyRequest,
        viewer: Viewer,
        event_id: int,
        *,
        banner: tuple[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
    ) -> Template:
        event = await service.get_event(viewer, event_id)
        host = await people.organisation_by_code(event.host_organisation)
        own_id = await people.own_practitioner_id(viewer)
        own_booking = await bookings.own_booking_at(viewer, event_id)
        team_bookings: list[dict[str, Any]] = []
        bookable: list[dict[str, str]] = []
        if viewer.role is Role.MANAGER:
            team_bookings, _ = await bookings.list_bookings(
                viewer, team=True, at_event=event_id, statuses=LIVE, limit=PER_PAGE * 4
            )
            bookable = [
                {"value": str(p["id"]), "text": f"{p['given_name']} {p['family_name']}"}
                for p in await bookings.bookable_team(viewer, event_id)
            ]
        balance = await learning_time.balance_on(viewer, clock.local_date(event.sessions[0].starts_at)) if (
            own_id is not None and own_booking is None and event.sessions
        ) else None
        return render(
            request,
            "events/event.html",
            balance=balance[1] if balance else None,
            balance_year=balance[0].label if balance else None,
            event_hours=session_hours(SessionTimes(s.starts_at, s.ends_at) for s in event.sessions),
            status_code=status,
            errors=errors or {},
            event=event,
            banner=banner,
            competence_titles={c.code: c.title for c in await learning.list_competences()},
            own_booking=own_booking,
            own_position=(await needs.own_bookings(own_id, [event_id])).get(event_id, ("", None))[1]
            if own_booking
            else None,
            has_record=own_id is not None,
            form=form or {},
            materials=await materials.materials(viewer, event_id),
            needs_length=ACCESS_NEEDS_LENGTH,
            ordinal=ordinal,
            closed_reason=_closed_reason(event),
            last_day_to_book=whole_last_day(event.booking_closes_at, get_settings().zone),
            team_bookings=[{**b, "name": _name(b)} for b in team_bookings],
            bookable=bookable,
            is_manager=viewer.role is Role.MANAGER,
            manages=may_manage_event(viewer, host.id),
            attendance_open=event.status == "published" and any(s.starts_at <= clock.now() for s in event.sessions),
            cancellable=CANCELLABLE,
        )


class BookingPages(Controller):
    """Your bookings and your team's: cancel, and approve where an event needs it."""

    path = "/bookings"
    guards = [signed_in]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/", dependencies=BOOKING_FILTERS)
    async def list_page(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        filters: BookingFilters,
        paging: ListPaging,
        done: FromQuery[str | None] = None,
        booking: FromQuery[int | None] = None,
    ) -> Template:
        """My bookings, or (``team``) my team's bookings, those waiting for approval first."""
        banner = _DONE.get(done or "")
        if booking is not None and done in _NAMED:
            try:
                name, title = await bookings.booking_names(viewer, booking)
                banner = _NAMED[done].format(name=name, title=title)
            except NotFound:
                pass  # not the viewer's to name: the plain banner
        return await self._list(request, viewer, filters.valid().team, paging, None, {}, banner=banner)

    @get("/{booking_id:int}/cancel")
    async def cancel_page(
        self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int], back: FromQuery[str | None] = None
    ) -> Template:
        """Ask before cancelling a booking."""
        return await self._cancel_page(request, viewer, booking_id, back, {})

    @post("/{booking_id:int}/cancel")
    async def cancel(
        self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]
    ) -> Template | Redirect:
        """Cancel the booking; a freed place goes to whoever has waited longest."""
        back = (await form_data(request)).get("back")
        try:
            booking = await bookings.cancel(viewer, booking_id)
        except Conflict as exc:
            return await self._cancel_page(request, viewer, booking_id, back, {"confirm": exc.detail}, status=409)
        if back == "bookings":
            return Redirect("/bookings?done=cancelled")
        if back == "team":
            return Redirect("/bookings?team=1&done=cancelled")
        return Redirect(f"/events/{booking.event_id}?done=cancelled")

    @post("/{booking_id:int}/approve")
    async def approve(
        self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]
    ) -> Template | Redirect:
        """The line manager approves: a place if there is one, else the waiting list."""
        try:
            booking = await bookings.approve(viewer, booking_id)
        except Conflict as exc:
            problem = {f"approve-{booking_id}": exc.detail}
            return await self._list(request, viewer, True, FIRST_PAGE, None, problem, status=409)
        return Redirect(f"/bookings?team=1&done=approved-{booking.status}&booking={booking_id}")

    @get("/{booking_id:int}/decline")
    async def decline_page(self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]) -> Template:
        """Ask why, before declining: the reason is mailed to the practitioner."""
        return await self._decline_page(request, viewer, booking_id, "", {})

    @post("/{booking_id:int}/decline")
    async def decline(
        self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]
    ) -> Template | Redirect:
        """Decline with the reason given, or the form again with what to fix."""
        reason = (await form_data(request)).get("reason", "")
        try:
            await bookings.decline(viewer, booking_id, reason)
        except Invalid as exc:
            return await self._decline_page(request, viewer, booking_id, reason, dict(exc.problems), status=400)
        except Conflict as exc:
            return await self._decline_page(request, viewer, booking_id, reason, {"reason": exc.detail}, status=409)
        return Redirect(f"/bookings?team=1&done=declined&booking={booking_id}")

    async def _decline_page(
        self, request: AnyRequest, viewer: Viewer, booking_id: int, reason: str, errors: dict[str, str],
        status: int = 200,
    ) -> Template:  # fmt: skip
        await bookings.may_decide(viewer, booking_id)
        name, title = await bookings.booking_names(viewer, booking_id)
        return render(
            request, "events/decline_booking.html", status_code=status, errors=errors, booking_id=booking_id,
            name=name, title=title, form={"reason": reason}, max_length=bookings.DECLINE_REASON_LENGTH,
        )  # fmt: skip

    async def _list(
        self,
        request: AnyRequest,
        viewer: Viewer,
        team: bool,
        paging: Paging,
        done: str | None,
        errors: dict[str, str],
        status: int = 200,
        banner: str | None = None,
    ) -> Template:
        rows, total = await bookings.list_bookings(viewer, team=team, limit=paging.limit, offset=paging.offset)
        team_count = await bookings.count_bookings(viewer, team=True) if viewer.role is Role.MANAGER or team else 0
        waiting = [
            (r["practitioner"], clock.local_date(r["starts_at"]))
            for r in rows
            if team and r["status"] == "pending_approval" and r["starts_at"]
        ]
        remaining = await learning_time.remaining_on(waiting) if waiting else {}
        return render(
            request,
            "events/bookings.html",
            status_code=status,
            errors=errors,
            team=team,
            rows=[
                {**r, "name": _name(r), "remaining_hours": remaining.get((r["practitioner"], clock.local_date(
                    r["starts_at"]))) if r["starts_at"] else None}
                for r in rows
            ],
            pagination=paging.pagination(total),
            params={"team": "1" if team else None},
            has_team=bool(team_count) or viewer.role is Role.MANAGER,
            waiting_approval=await bookings.count_bookings(viewer, team=True, statuses={"pending_approval"})
            if team_count
            else 0,
            banner=banner or _DONE.get(done or ""),
            now=clock.now(),
            cancellable=CANCELLABLE,
        )

    async def _cancel_page(
        self,
        request: AnyRequest,
        viewer: Viewer,
        booking_id: int,
        back: str | None,
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        booking = await bookings.get_booking(viewer, booking_id)
        event = await service.get_event(viewer, booking.event_id)
        name: str | None = None
        if booking.practitioner_id != await people.own_practitioner_id(viewer):
            try:
                person = await people.get_practitioner(viewer, booking.practitioner_id)
                name = f"{person.given_name} {person.family_name}"
            except NotFound:  # a host sees the booking on their event, not the person's record
                name = "this person"
        return render(
            request,
            "events/cancel_booking.html",
            status_code=status,
            errors=errors,
            booking=booking,
            event=event,
            name=name,
            back=back if back in {"bookings", "team"} else "event",
            back_href={"bookings": "/bookings", "team": "/bookings?team=1"}.get(back or "", f"/events/{event.id}"),
            cancellable=CANCELLABLE,
        )
