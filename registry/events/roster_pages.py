"""Pages for an event's host: who has booked, who waits and who awaits approval (with their organisations and
access needs), as a page and as CSV; publishing a draft with one button; and the certificate of attendance."""

from __future__ import annotations

import csv
import io

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from registry.accounts.rules import EDITOR_ROLES, Viewer
from registry.csv_export import spreadsheet_text
from registry.errors import Invalid
from registry.events import materials, needs, service
from registry.events.certificate import certificate
from registry.events.pages import managed_event
from registry.events.rules import ordinal
from registry.events.schemas import EventPatch
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, render
from registry.web.params import AnyRequest

__all__ = ("CertificatePage", "EventRosterPages", "MaterialPages")

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


_HOSTS = requires_role(*EDITOR_ROLES)


class MaterialPages(Controller):
    """``/events/{id}/materials``: the host adds and removes links and files; the host and those who attended
    download the files."""

    path = "/events/{event_id:int}/materials"
    guards = [signed_in]
    include_in_schema = False

    async def _page(
        self, request: AnyRequest, viewer: Viewer, event_id: int, errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None, status: int = 200,
    ) -> Template:  # fmt: skip
        event = await managed_event(viewer, event_id)
        return render(
            request, "events/materials.html", status_code=status, errors=errors or {}, event=event,
            items=await materials.materials(viewer, event_id), form=form or {},
        )  # fmt: skip

    @get("/", guards=[_HOSTS])
    async def materials_page(
        self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int], done: FromQuery[str | None] = None
    ) -> Template:
        """The materials, with a form to add a link and one to upload a file."""
        return await self._page(request, viewer, event_id, form={"done": done or ""})

    @post("/links", guards=[_HOSTS])
    async def add_link(
        self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]
    ) -> Template | Redirect:
        """Add a link, or the page again with what to fix."""
        form = await form_data(request)
        try:
            await materials.add_link(viewer, event_id, form.get("title", ""), form.get("url", ""))
        except Invalid as exc:
            return await self._page(request, viewer, event_id, dict(exc.problems), form, status=400)
        return Redirect(f"/events/{event_id}/materials?done=added")

    @post("/files", guards=[_HOSTS], request_max_body_size=materials.MAX_BYTES + 1024 * 1024)
    async def add_file(
        self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]
    ) -> Template | Redirect:
        """Upload a file of up to 10 MB, or the page again with what to fix."""
        raw = await request.form()
        upload = raw.get("file")
        title = raw.get("file_title")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._page(request, viewer, event_id, {"file": "Choose a file to upload"}, status=400)
        content = await upload.read()
        try:
            await materials.add_file(
                viewer, event_id, title if isinstance(title, str) else "", upload.filename, upload.content_type, content
            )
        except Invalid as exc:
            problems = {("file_title" if k == "title" else k): v for k, v in exc.problems.items()}
            return await self._page(request, viewer, event_id, problems, status=400)
        return Redirect(f"/events/{event_id}/materials?done=added")

    @get("/{material_id:int}")
    async def download(
        self, viewer: CurrentViewer, event_id: FromPath[int], material_id: FromPath[int]
    ) -> Response[bytes]:
        """A file, always as a download."""
        filename, media_type, content = await materials.download(viewer, event_id, material_id)
        safe = "".join(c for c in filename if c.isalnum() or c in "._- ") or "material"
        return Response(content, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{safe}"'})  # fmt: skip

    @get("/{material_id:int}/remove", guards=[_HOSTS])
    async def confirm_remove(
        self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int], material_id: FromPath[int]
    ) -> Template:
        """Ask before removing: attendees can no longer open it."""
        event = await managed_event(viewer, event_id)
        item = await materials.material(viewer, event_id, material_id)
        return render(request, "events/material_remove.html", event=event, item=item)

    @post("/{material_id:int}/remove", guards=[_HOSTS])
    async def remove(self, viewer: CurrentViewer, event_id: FromPath[int], material_id: FromPath[int]) -> Redirect:
        """Remove it."""
        await materials.remove(viewer, event_id, material_id)
        return Redirect(f"/events/{event_id}/materials?done=removed")
