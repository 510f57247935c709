"""Pages for an event's host: who has booked, who waits and who awaits approval (with their organisations and
access needs), as a page and as CSV; publishing a draft with one button; and the certificate of attendance."""

from __future__ import annotations

import csv
import io

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from registry.accounts.rules import EDITOR_ROLES
from registry.csv_export import spreadsheet_text
from registry.events import needs, service
from registry.events.certificate import certificate
from registry.events.pages import managed_event
from registry.events.rules import ordinal
from registry.events.schemas import EventPatch
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import render
from registry.web.params import AnyRequest

__all__ = ("CertificatePage", "EventRosterPages")

CSV_COLUMNS = ("name", "organisation", "booking", "waiting_list_position", "access_needs")


class EventRosterPages(Controller):
    path = "/events/{event_id:int}"
    guards = [signed_in, requires_role(*EDITOR_ROLES)]
    include_in_schema = False

    @get("/bookings")
    async def roster_page(self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]) -> Template:
        """Everyone with a booking, grouped by where they stand, with what they asked the host for."""
        event = await managed_event(viewer, event_id)
        rows = await needs.roster(viewer, event_id)
        return render(request, "events/roster.html", event=event, rows=rows, labels=needs.ROSTER_LABELS,
                      ordinal=ordinal)  # fmt: skip

    @get("/bookings.csv")
    async def roster_csv(self, viewer: CurrentViewer, event_id: FromPath[int]) -> Response[str]:
        """The same list as CSV (names, organisations, access needs), neutralised against spreadsheet formulas."""
        event = await managed_event(viewer, event_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for r in await needs.roster(viewer, event_id):
            writer.writerow([spreadsheet_text(v) for v in (
                r.name, r.organisation, needs.ROSTER_LABELS.get(r.status, r.status),
                str(r.position) if r.position else "", r.access_needs or "",
            )])  # fmt: skip
        return Response(
            out.getvalue(), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="event-{event.id}-bookings.csv"'},
        )  # fmt: skip

    @post("/publish")
    async def publish(self, viewer: CurrentViewer, event_id: FromPath[int]) -> Redirect:
        """Publish a draft: practitioners can find and book it from now on."""
        await managed_event(viewer, event_id)
        await service.update_event(viewer, event_id, EventPatch(status="published"))
        return Redirect(f"/events/{event_id}?done=published")


class CertificatePage(Controller):
    """``/bookings/{id}/certificate``: for the person, their manager, the host, leads and admins."""

    path = "/bookings/{booking_id:int}/certificate"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def certificate_page(self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]) -> Template:
        """The certificate, laid out to print or save as PDF."""
        return render(request, "events/certificate.html", cert=await certificate(viewer, booking_id))
