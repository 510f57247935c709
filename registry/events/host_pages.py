"""Pages for hosts (partner admins for their organisation, alliance leads, admins): create and change an
event, cancel it, and take attendance. Thin: read the form, call the events services, render."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from registry import clock
from registry.accounts.rules import EDITOR_ROLES, Role, Viewer
from registry.errors import Conflict, Invalid
from registry.events import bookings, forms, service
from registry.events.pages import all_bookings, managed_event
from registry.events.rules import OCCUPYING, attendance_closed_reason
from registry.events.schemas import AttendanceItem, EventIn, EventOut, place_problems
from registry.learning import service as learning
from registry.people import service as people
from registry.settings import get_settings
from registry.validation import problems_from
from registry.web.auth import requires_role
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page, render
from registry.web.params import AnyRequest

__all__ = ("EventHostPages",)

_hosts = requires_role(*EDITOR_ROLES)


async def _host_choices(viewer: Viewer) -> list[dict[str, str]]:
    """Organisations the viewer may host for: a partner admin only their own."""
    organisations = await people.organisation_choices()
    return [
        {"value": o.code, "text": o.name}
        for o in organisations
        if viewer.role is not Role.PARTNER_ADMIN or o.id == viewer.organisation_id
    ]


def _validated(data: dict[str, Any], problems: dict[str, str]) -> EventIn | None:
    """The schema's reading of the form; problems found while reading the rows win over the schema's."""
    try:
        event = EventIn.model_validate(data)
    except ValidationError as exc:
        found = problems_from(exc)
        if any(key.startswith("session_") for key in problems):
            found.pop("sessions", None)
        # The schema checks where the event happens only once every field is valid: say it now, all at once.
        found = {**place_problems(data.get("format"), data.get("venue"), data.get("online_url")), **found}
        problems.update({k: v for k, v in found.items() if k not in problems})
        return None
    return event if not problems else None


PAST_CONFIRMATION = "A session is in the past: tick the box if you are recording an event already held"


class EventHostPages(Controller):
    """Create, change and cancel events; take attendance."""

    path = "/events"
    guards = [_hosts]
    include_in_schema = False

    @get("/new")
    async def new_page(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """The form for a new event."""
        hosts = await _host_choices(viewer)
        form = {"requires_approval": "no", "status": "draft"}
        if len(hosts) == 1:
            form["host_organisation"] = hosts[0]["value"]
        return await self._form(request, viewer, form, [], {}, None)

    @post("/new")
    async def create(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Create the event, or show the form again with what to fix."""
        form, competences = await self._read(request)
        data, problems = forms.read_event_form(form, competences, get_settings().zone)
        event = _validated(data, problems)
        if event is None:
            return await self._form(request, viewer, form, competences, problems, None)
        if any(s.starts_at < clock.now() for s in event.sessions) and form.get("confirm_past") != "yes":
            # The API records past events as they are; on the page, the host says that is what they mean.
            return await self._form(
                request, viewer, form, competences, {"confirm_past": PAST_CONFIRMATION}, None, confirm_past=True
            )
        try:
            created = await service.create_event(viewer, event)
        except Invalid as exc:
            return await self._form(request, viewer, form, competences, exc.problems, None)
        return Redirect(f"/events/{created.id}?done=created")

    @get("/{event_id:int}/edit")
    async def edit_page(self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]) -> Template:
        """The form to change an event."""
        event = await managed_event(viewer, event_id)
        form = forms.form_from_event(event, get_settings().zone)
        return await self._form(request, viewer, form, event.competences, {}, event)

    @post("/{event_id:int}/edit")
    async def update(self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]) -> Template | Redirect:
        """Save what changed; people booked get a calendar update only if the time, place or link did."""
        current = await managed_event(viewer, event_id)
        form, competences = await self._read(request)
        zone = get_settings().zone
        data, problems = forms.read_event_form(form, competences, zone)
        data["host_organisation"] = current.host_organisation
        if current.status != "draft":
            data["status"] = "published"  # only a draft's status is on the form; the patch leaves others alone
        wanted = _validated(data, problems)
        if wanted is None:
            return await self._form(request, viewer, form, competences, problems, current)
        try:
            await service.update_event(viewer, event_id, forms.event_patch(current, wanted, zone))
        except Invalid as exc:
            return await self._form(request, viewer, form, competences, exc.problems, current)
        return Redirect(f"/events/{event_id}?done=saved")

    @get("/{event_id:int}/cancel")
    async def cancel_page(self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]) -> Template:
        """Ask before cancelling an event."""
        event = await managed_event(viewer, event_id)
        return render(request, "events/cancel_event.html", event=event)

    @post("/{event_id:int}/cancel")
    async def cancel(self, viewer: CurrentViewer, event_id: FromPath[int]) -> Redirect:
        """Cancel the event and every booking on it."""
        event = await managed_event(viewer, event_id)
        if event.status != "cancelled":
            await service.cancel_event(viewer, event_id)
        return Redirect(f"/events/{event_id}?done=event-cancelled")

    @get("/{event_id:int}/attendance")
    async def attendance_page(
        self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int], saved: FromQuery[str | None] = None
    ) -> Template:
        """Everyone with a place, to mark who came; before the event starts, only when attendance opens."""
        return await self._attendance(request, viewer, event_id, {}, bool(saved))

    @post("/{event_id:int}/attendance")
    async def take_attendance(
        self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]
    ) -> Template | Redirect:
        """Save attendance: ticked people attended (and get the learning record), the rest did not come."""
        await managed_event(viewer, event_id)
        raw = await request.form()
        shown = raw.getall("booking") if "booking" in raw else []
        listed = [int(v) for v in shown if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 19]
        came = {v for v in raw.getall("attended") if isinstance(v, str)} if "attended" in raw else set()
        items = [AttendanceItem(booking_id=b, attended=str(b) in came) for b in listed]
        try:
            await bookings.set_attendance(viewer, event_id, items)
        except (Conflict, Invalid) as exc:
            return await self._attendance(request, viewer, event_id, {"attendance": exc.detail}, False, status=409)
        return Redirect(f"/events/{event_id}/attendance?saved=1")

    # ------------------------------------------------------------ helpers

    async def _read(self, request: AnyRequest) -> tuple[dict[str, str], list[str]]:
        raw = await request.form()
        competences = [v for v in raw.getall("competences") if isinstance(v, str)] if "competences" in raw else []
        return await form_data(request), competences

    async def _form(
        self,
        request: AnyRequest,
        viewer: Viewer,
        form: dict[str, str],
        chosen: list[str],
        problems: dict[str, str],
        existing: EventOut | None,
        confirm_past: bool = False,
    ) -> Template:
        return form_page(
            request,
            "events/event_form.html",
            form,
            forms.event_problems(problems),
            chosen=chosen,
            existing=existing,
            hosts=await _host_choices(viewer),
            competences=await learning.list_competences(),
            formats=forms.FORMATS,
            session_rows=forms.session_row_count(form),
            confirm_past=confirm_past,
        )

    async def _attendance(
        self, request: AnyRequest, viewer: Viewer, event_id: int, errors: dict[str, str], saved: bool, status: int = 200
    ) -> Template:
        event = await managed_event(viewer, event_id)
        rows = await all_bookings(viewer, event_id=event_id, statuses=OCCUPYING)
        rows.sort(key=lambda r: (r["family_name"].lower(), r["given_name"].lower(), r["id"]))
        return render(
            request,
            "events/attendance.html",
            status_code=status,
            errors=errors,
            event=event,
            rows=rows,
            saved=saved,
            not_open=attendance_closed_reason(
                min((s.starts_at for s in event.sessions), default=None), clock.now(), get_settings().zone,
                event.status,
            ),
        )
