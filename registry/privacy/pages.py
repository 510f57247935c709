"""Pages: everything held about a person (readable, and as a JSON download), and erasure after confirming."""

from __future__ import annotations

import json

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from registry.accounts.rules import Role
from registry.errors import Conflict
from registry.people import service as people
from registry.privacy import service
from registry.privacy.service import EXPORT_SECTIONS
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page, render
from registry.web.params import AnyRequest

__all__ = ("PrivacyPages",)

MAX_REASON = 500


class PrivacyPages(Controller):
    path = "/practitioners/{practitioner_id:int}"
    guards = [signed_in]
    include_in_schema = False

    @get("/export")
    async def export_page(self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Template:
        """Everything held about the person, section by section, to read or print."""
        data = await service.subject_access(viewer, practitioner_id)
        sections = [(key, title, data[key]) for key, title in EXPORT_SECTIONS.items()]
        return render(request, "privacy/export.html", data=data, sections=sections, practitioner_id=practitioner_id)

    @get("/export.json")
    async def export_file(self, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Response[bytes]:
        """The same as a JSON file, as the API gives it."""
        data = await service.subject_access(viewer, practitioner_id)
        return Response(
            json.dumps(data, indent=2, ensure_ascii=False, default=str).encode(),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="practitioner-{practitioner_id}.json"'},
        )

    @get("/erase", guards=[requires_role(Role.ADMIN)])
    async def confirm_erase(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template:
        """Ask before erasing: what goes, what stays, and why (for the log)."""
        practitioner = await people.get_practitioner(viewer, practitioner_id)
        return form_page(request, "privacy/erase.html", {}, practitioner=practitioner)

    @post("/erase", guards=[requires_role(Role.ADMIN)])
    async def erase(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Erase, or show the page again saying why not."""
        practitioner = await people.get_practitioner(viewer, practitioner_id)
        form = await form_data(request)
        reason = form.get("reason", "").strip()
        if len(reason) > MAX_REASON:
            problems = {"reason": f"The reason must be {MAX_REASON} characters or fewer"}
            return form_page(request, "privacy/erase.html", form, problems, practitioner=practitioner)
        try:
            await service.erase(viewer, practitioner_id, reason)
        except Conflict as exc:
            return form_page(request, "privacy/erase.html", form, {"reason": exc.detail}, status_code=409,
                             practitioner=practitioner)  # fmt: skip
        return Redirect(f"/practitioners/{practitioner_id}?erased=1")
