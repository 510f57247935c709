"""The export page (``/exports``): choose what to export, the period, whose figures (leads and admins: an
organisation or a local authority; partner admins always their own organisation's), how small a count is
hidden and the file, say what it is for, and download it — the same files as ``registry export`` and
``GET /api/v1/exports/participation``, recorded in the audit log with the stated purpose."""

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
from registry.people.service import organisation_choices
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page

__all__ = ("ExportPages",)

AnyRequest = Request[Any, Any, Any]
_FORMATS = {"participation": ("csv", "xlsx"), "indicators": ("csv", "xml")}
_PURPOSE_MAX = 500
_K_RANGE = (2, 100)
# As the API caps them (registry.metrics.api): anything longer is not a code or a local authority.
_LENGTHS = {"organisation": 30, "local_authority": 100}
_SCOPE_FIELDS = ("period", "organisation", "local_authority")


def _k(form: dict[str, str]) -> int | None:
    """The k asked for (default 5), or None when it is not a whole number from 2 to 100."""
    text = form.get("suppress", "").strip()
    if not text:
        return K_DEFAULT
    if not text.isdecimal() or not _K_RANGE[0] <= int(text) <= _K_RANGE[1]:
        return None
    return int(text)


def _problems(form: dict[str, str]) -> dict[str, str]:
    problems = {}
    kind, file_format = form.get("kind", ""), form.get("format", "")
    if kind not in _FORMATS:
        problems["kind"] = "Choose what to export"
    elif file_format not in _FORMATS[kind]:
        names = " or ".join(f.upper() for f in _FORMATS[kind])
        problems["format"] = f"Choose {names}: the {kind} export comes as {names}"
    for field, cap in _LENGTHS.items():
        if len(form.get(field, "")) > cap:
            problems[field] = f"Choose the {field.replace('_', ' ')} from the list"
    if _k(form) is None:
        low, high = _K_RANGE
        problems["suppress"] = f"Enter a whole number from {low} to {high} for the counts to hide, like {K_DEFAULT}"
    purpose = form.get("purpose", "").strip()
    if not purpose:
        problems["purpose"] = "Say what the file is for"
    elif len(purpose) > _PURPOSE_MAX:
        problems["purpose"] = f"Say what the file is for in {_PURPOSE_MAX} characters or fewer"
    return problems


def _invalid(exc: Invalid) -> dict[str, str]:
    """The service's refusal on the fields of the form (a plan's problem, which has none, on what to export)."""
    problems = exc.problems or {"period": exc.detail}
    return {
        field if field in _SCOPE_FIELDS else "kind": problem[:1].upper() + problem[1:]
        for field, problem in problems.items()
    }


class ExportPages(Controller):
    path = "/exports"
    guards = [signed_in, requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)]
    include_in_schema = False

    async def _page(
        self,
        request: AnyRequest,
        viewer: Viewer,
        form: dict[str, str],
        problems: dict[str, str],
        status_code: int | None = None,
    ) -> Template:
        chooses_scope = viewer.role in ALLIANCE_ROLES
        organisations = await organisation_choices() if chooses_scope else []
        return form_page(
            request, "exports/form.html", form, problems, status_code=status_code, k=K_DEFAULT, k_range=_K_RANGE,
            default_period=financial_year(clock.today()).label, chooses_scope=chooses_scope,
            organisations=[(o.code, o.name) for o in organisations],
            local_authorities=sorted({o.local_authority for o in organisations if o.local_authority}),
        )  # fmt: skip

    @get("/")
    async def form(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """The form."""
        return await self._page(request, viewer, {}, {})

    @post("/", status_code=HTTP_200_OK)
    async def download(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Response[Any] | Stream | File:
        """The file, or the form again with what to fix."""
        form = await form_data(request)
        if problems := _problems(form):
            return await self._page(request, viewer, form, problems)
        kind, file_format, purpose = form["kind"], form["format"], form["purpose"].strip()
        k = _k(form) or K_DEFAULT
        # Whatever the form holds goes to the same rule as the API's: a partner admin asking for another
        # organisation or a local authority is refused (403), and given their own when asking for none.
        ask = ReportAsk(form.get("period") or None, None, form.get("organisation") or None,
                        form.get("local_authority") or None)  # fmt: skip
        try:
            if kind == "indicators":
                body = await export_indicators(viewer, ask, file_format=file_format, purpose=purpose, k=k)
                name = f"indicators-{ask.period or 'this-year'}.{file_format}"
                return Response(
                    body, media_type="application/xml" if file_format == "xml" else "text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'},
                )  # fmt: skip
            period, scope = await participation.export_participation(
                viewer, ask, file_format=file_format, purpose=purpose, k=k
            )
        except Invalid as exc:
            return await self._page(request, viewer, form, _invalid(exc))
        except DomainError as exc:  # Forbidden among them: answered 403, as the API answers it
            return await self._page(request, viewer, form, {"kind": exc.detail}, status_code=exc.status_code)
        return await participation_response(period, scope, k, file_format)
