"""The audit log for leads and admins: ``GET /api/v1/audit`` and the page ``/audit``, newest first, filtered
by what was done and by whom, a page at a time. Read-only: there is no route that changes an entry."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Stream, Template

from registry import clock
from registry.accounts.rules import Role
from registry.audit import service
from registry.audit.schemas import AuditEntryOut
from registry.people.schemas import Page
from registry.web.auth import requires_role, signed_in
from registry.web.deps import API_PAGING, PAGE_PAGING, CurrentViewer, ListPaging
from registry.web.openapi import ERROR_RESPONSES
from registry.web.pages import render

__all__ = ("AuditApi", "AuditPages")

AnyRequest = Request[Any, Any, Any]
Action = Annotated[
    str | None, QueryParameter(max_length=60, description="What was done: `export` finds `export` and `export.*`")
]
Actor = Annotated[str | None, QueryParameter(max_length=254, description="Part of the email address of who did it")]
Subject = Annotated[
    str | None, QueryParameter(max_length=200, description="To whom or what: `practitioner:12`, an email, `event:3`")
]
_READERS = requires_role(Role.LEAD, Role.ADMIN)


def _ask(action: str | None, actor: str | None, subject: str | None = None) -> service.LogFilter:
    return service.LogFilter(
        action=(action or "").strip() or None, actor=(actor or "").strip() or None,
        subject=(subject or "").strip() or None,
    )  # fmt: skip


class AuditApi(Controller):
    path = "/api/v1/audit"
    guards = [signed_in, _READERS]
    dependencies = API_PAGING
    tags = ["audit"]

    @get("/", operation_id="ListAuditEntries", responses=ERROR_RESPONSES)
    async def entries(
        self, viewer: CurrentViewer, paging: ListPaging, action: Action = None, actor: Actor = None,
        subject: Subject = None,
    ) -> Page[AuditEntryOut]:  # fmt: skip
        """Who did what to whom, newest first: sign-ins, changes that decide access, registrations, verifications,
        approvals, attendance, exports with their filters and stated purpose, erasures."""
        rows, total = await service.entries(viewer, _ask(action, actor, subject), paging.limit, paging.offset)
        return Page(items=rows, total=total)


class AuditPages(Controller):
    path = "/audit"
    guards = [signed_in, _READERS]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/")
    async def log_page(
        self, request: AnyRequest, viewer: CurrentViewer, paging: ListPaging, action: Action = None,
        actor: Actor = None, subject: Subject = None,
    ) -> Template:  # fmt: skip
        """The log, a page at a time, with its filters."""
        ask = _ask(action, actor, subject)
        rows, total = await service.entries(viewer, ask, paging.limit, paging.offset)
        params = {k: v for k, v in {"action": ask.action, "actor": ask.actor, "subject": ask.subject}.items() if v}
        return render(
            request, "audit/log.html", rows=rows, total=total, pagination=paging.pagination(total), params=params,
            ask=ask, download=f"/audit/download?{urlencode(params)}" if params else "/audit/download",
        )  # fmt: skip

    @get("/download")
    async def download(
        self, viewer: CurrentViewer, action: Action = None, actor: Actor = None, subject: Subject = None
    ) -> Stream:
        """Every entry the filters match, as CSV (streamed, newest first)."""
        ask = _ask(action, actor, subject)
        stamp = clock.today().isoformat()
        return Stream(
            service.csv_lines(viewer, ask), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'},
        )  # fmt: skip
