"""``GET /api/v1/exports/participation`` (INTERFACE.md): the participation statistics as CSV or XLSX,
suppressed as METRICS.md says and recorded in the audit log. Thin: parse, authorise, stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

import anyio
from litestar import Controller, get
from litestar.background_tasks import BackgroundTask
from litestar.params import QueryParameter
from litestar.response import File, Stream

from registry.accounts.rules import Role
from registry.exports import participation
from registry.exports.suppression import K_DEFAULT
from registry.metrics.api import LocalAuthority, OrganisationCode
from registry.metrics.report import ReportAsk
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PeriodQuery

__all__ = ("XLSX", "ExportsApi", "remove_file")

Purpose = Annotated[
    str | None, QueryParameter(max_length=500, description="Why the file is made (kept in the audit log)")
]
Suppress = Annotated[int, QueryParameter(ge=2, le=100, description="Counts under K are hidden (default 5)")]
Format = Annotated[Literal["csv", "xlsx"], QueryParameter(description="csv (default) or xlsx")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def remove_file(path: str) -> None:
    """Delete the workbook once it is sent."""
    await anyio.Path(path).unlink(missing_ok=True)


class ExportsApi(Controller):
    """Statistics for publication: aggregates only, small numbers suppressed."""

    path = "/api/v1/exports"
    guards = [signed_in, requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)]
    tags = ["exports"]

    @get("/participation", operation_id="ExportParticipation", responses=ERROR_RESPONSES,
         media_type="text/csv")  # fmt: skip
    async def participation(
        self,
        viewer: CurrentViewer,
        period: PeriodQuery = None,
        organisation: OrganisationCode = None,
        local_authority: LocalAuthority = None,
        format: Format = "csv",
        suppress: Suppress = K_DEFAULT,
        purpose: Purpose = None,
    ) -> Stream | File:
        """Attendances, unique participants, hours and events by event, host organisation, attendee
        organisation, local authority, competence and contract group, each with its total; partner admins get
        their own organisation's attendees."""
        ask = ReportAsk(period, None, organisation, local_authority)
        chosen, scope = await participation.export_participation(
            viewer, ask, file_format=format, purpose=(purpose or "").strip() or "API", k=suppress
        )
        name = f"participation-{chosen.label.replace('..', '-to-')}"
        if format == "xlsx":
            path = participation.temporary_xlsx()
            await participation.write_xlsx(chosen, scope, suppress, path)
            return File(
                path, filename=f"{name}.xlsx", media_type=XLSX,
                background=BackgroundTask(remove_file, path),
            )  # fmt: skip

        async def body() -> AsyncIterator[str]:
            async for line in participation.csv_lines(chosen, scope, suppress):
                yield line

        return Stream(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
