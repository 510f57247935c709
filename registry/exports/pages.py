"""The export page (``/exports``): choose what to export, the period and the file, say what it is for, and
download it — the same files as ``registry export`` and ``GET /api/v1/exports/participation``, recorded in the
audit log with the stated purpose."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import File, Response, Stream, Template
from litestar.status_codes import HTTP_200_OK

from registry import clock
from registry.accounts.rules import ALLIANCE_ROLES, Role, Viewer
from registry.errors import DomainError, Invalid
from registry.exports import participation
from registry.exports.indicators import export_indicators
from registry.exports.responses import participation_response
from registry.exports.suppression import K_DEFAULT
from registry.learning.rules import financial_year
from registry.metrics.report import ReportAsk
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page

__all__ = ("ExportPages",)

AnyRequest = Request[Any, Any, Any]
_FORMATS = {"participation": ("csv", "xlsx"), "indicators": ("csv", "xml")}
_PURPOSE_MAX = 500


def _problems(form: dict[str, str]) -> dict[str, str]:
    problems = {}
    kind, file_format = form.get("kind", ""), form.get("format", "")
    if kind not in _FORMATS:
        problems["kind"] = "Choose what to export"
    elif file_format not in _FORMATS[kind]:
        names = " or ".join(f.upper() for f in _FORMATS[kind])
        problems["format"] = f"Choose {names}: the {kind} export comes as {names}"
    purpose = form.get("purpose", "").strip()
    if not purpose:
        problems["purpose"] = "Say what the file is for"
    elif len(purpose) > _PURPOSE_MAX:
        problems["purpose"] = f"Say what the file is for in {_PURPOSE_MAX} characters or fewer"
    return problems


class ExportPages(Controller):
    path = "/exports"
    guards = [signed_in, requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)]
    include_in_schema = False

    def _page(self, request: AnyRequest, viewer: Viewer, form: dict[str, str], problems: dict[str, str]) -> Template:
        return form_page(
            request, "exports/form.html", form, problems, k=K_DEFAULT,
            default_period=financial_year(clock.today()).label, own_organisation=viewer.role not in ALLIANCE_ROLES,
        )  # fmt: skip

    @get("/")
    async def form(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """The form."""
        return self._page(request, viewer, {}, {})

    @post("/", status_code=HTTP_200_OK)
    async def download(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Response[Any] | Stream | File:
        """The file, or the form again with what to fix."""
        form = await form_data(request)
        if problems := _problems(form):
            return self._page(request, viewer, form, problems)
        kind, file_format, purpose = form["kind"], form["format"], form["purpose"].strip()
        ask = ReportAsk(form.get("period") or None)
        try:
            if kind == "indicators":
                body = await export_indicators(viewer, ask, file_format=file_format, purpose=purpose)
                name = f"indicators-{ask.period or 'this-year'}.{file_format}"
                return Response(
                    body, media_type="application/xml" if file_format == "xml" else "text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'},
                )  # fmt: skip
            period, scope = await participation.export_participation(
                viewer, ask, file_format=file_format, purpose=purpose
            )
        except Invalid as exc:
            return self._page(request, viewer, form, {"period": exc.problems.get("period", exc.detail)})
        except DomainError as exc:
            return self._page(request, viewer, form, {"kind": exc.detail})
        return await participation_response(period, scope, K_DEFAULT, file_format)
