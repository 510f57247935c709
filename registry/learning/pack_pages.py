"""The renewal evidence pack as a print-ready page and a CSV download; thin: build the pack, render it."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Template

from registry.learning import pack
from registry.web.auth import signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import render
from registry.web.params import AnyRequest

__all__ = ("RenewalPackPages",)

# Reflections and review notes are personal: no shared cache or back-forward cache keeps a copy.
PRIVATE = {"Cache-Control": "private, no-store"}


class RenewalPackPages(Controller):
    """A practitioner's CLDSC renewal evidence (the practitioner and their line manager only)."""

    path = "/practitioners/{practitioner_id:int}"
    guards = [signed_in]
    include_in_schema = False

    @get("/renewal-pack")
    async def pack_page(self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Template:
        """The cycle's record, laid out to print or save as PDF."""
        renewal_pack = await pack.build_pack(viewer, practitioner_id)
        page = render(request, "learning/renewal_pack.html", pack=renewal_pack)
        page.headers.update(PRIVATE)
        return page

    @get("/renewal-pack.csv")
    async def pack_csv(self, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Response[str]:
        """The cycle's record as a spreadsheet: one row per activity, then the totals."""
        renewal_pack = await pack.build_pack(viewer, practitioner_id)
        return Response(
            pack.pack_csv(renewal_pack),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{pack.csv_filename(renewal_pack)}"',
                **PRIVATE,
            },
        )
