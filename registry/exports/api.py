"""``GET /api/v1/exports/participation`` (INTERFACE.md): the participation statistics as CSV or XLSX,
suppressed as METRICS.md says and recorded in the audit log. Thin: parse, authorise, stream."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Litestar, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse
from litestar.params import QueryParameter
from litestar.response import File, Stream

from registry.accounts.rules import Role
from registry.exports import participation
from registry.exports.responses import XLSX, participation_response
from registry.exports.suppression import K_DEFAULT
from registry.metrics.api import LocalAuthority, OrganisationCode
from registry.metrics.report import ReportAsk
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PeriodQuery

__all__ = ("ExportsApi", "document_export_formats")

Purpose = Annotated[
    str | None, QueryParameter(max_length=500, description="Why the file is made (kept in the audit log)")
]
Suppress = Annotated[int, QueryParameter(ge=2, le=100, description="Counts under K are hidden (default 5)")]
Format = Annotated[Literal["csv", "xlsx"], QueryParameter(description="csv (default) or xlsx")]


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
        organisation, local authority, competence, contract group and calendar month, each with its total;
        partner admins get their own organisation's attendees."""
        ask = ReportAsk(period, None, organisation, local_authority)
        chosen, scope = await participation.export_participation(
            viewer, ask, file_format=format, purpose=(purpose or "").strip() or "API", k=suppress
        )
        return await participation_response(chosen, scope, suppress, format)


def document_export_formats(app: Litestar) -> None:
    """The participation export answers CSV or XLSX, as ``format`` says; a handler documents one media type, so
    the other is added to the OpenAPI document here (at startup, before anyone reads it)."""
    schema = app.openapi_schema
    operation = schema.paths["/api/v1/exports/participation"].get if schema.paths else None
    answer = operation.responses.get("200") if operation and operation.responses else None
    if isinstance(answer, OpenAPIResponse) and answer.content and "text/csv" in answer.content:
        answer.content.setdefault(XLSX, OpenAPIMediaType(schema=answer.content["text/csv"].schema))
