"""JSON API of the workforce metrics (``GET /api/v1/metrics``, INTERFACE.md) and of the plans they report
against. Thin: parse, authorise, call the service, return."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from registry.accounts.rules import Role
from registry.metrics import plans
from registry.metrics.report import ReportAsk, metrics_report
from registry.metrics.schemas import ActionIn, IndicatorIn, MetricsReportOut, PlanIn, PlanOut, PlanSummaryOut, TargetIn
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId, PeriodQuery

__all__ = ("LocalAuthority", "MetricPlanApi", "MetricsApi", "OrganisationCode", "PlanCode")

PlanCode = Annotated[str | None, QueryParameter(max_length=30, description="A plan's code, like CLD-2018-21")]
OrganisationCode = Annotated[str | None, QueryParameter(max_length=30, description="An organisation's code")]
LocalAuthority = Annotated[str | None, QueryParameter(max_length=100, description="A local authority, like Fife")]
_REPORTERS = requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)
_LEADS = requires_role(Role.LEAD, Role.ADMIN)


class MetricsApi(Controller):
    """Workforce metrics against the strategy's indicators."""

    path = "/api/v1/metrics"
    guards = [signed_in, _REPORTERS]
    tags = ["metrics"]

    @get("/", operation_id="GetMetrics", responses=ERROR_RESPONSES)
    async def metrics(
        self,
        viewer: CurrentViewer,
        period: PeriodQuery = None,
        plan: PlanCode = None,
        organisation: OrganisationCode = None,
        local_authority: LocalAuthority = None,
    ) -> MetricsReportOut:
        """Every indicator of the plan (default: the newest active) for the period (default: this financial
        year), with its baseline, change and breakdown; partner admins get their own organisation's."""
        return await metrics_report(viewer, ReportAsk(period, plan, organisation, local_authority))


class MetricPlanApi(Controller):
    """Plans, their actions, indicators and targets (added, never rewritten; archived plans are read-only)."""

    path = "/api/v1/metric-plans"
    guards = [signed_in, _REPORTERS]
    tags = ["metrics"]

    @get("/", operation_id="ListMetricPlans", responses=ERROR_RESPONSES)
    async def list_plans(self, viewer: CurrentViewer) -> list[PlanSummaryOut]:
        """Every plan, active ones first."""
        return await plans.list_plans(viewer)

    @post("/", operation_id="CreateMetricPlan", guards=[_LEADS], responses=ERROR_RESPONSES)
    async def create_plan(self, viewer: CurrentViewer, data: JSONBody[PlanIn]) -> PlanOut:
        """Add a plan (leads and admins)."""
        return await plans.create_plan(viewer, data)

    @get("/{plan_id:int}", operation_id="GetMetricPlan", responses=ERROR_RESPONSES)
    async def get_plan(self, viewer: CurrentViewer, plan_id: PathId) -> PlanOut:
        """A plan with its actions, indicators and targets."""
        return await plans.get_plan(viewer, plan_id)

    @post("/{plan_id:int}/actions", operation_id="AddMetricAction", guards=[_LEADS], responses=ERROR_RESPONSES)
    async def add_action(self, viewer: CurrentViewer, plan_id: PathId, data: JSONBody[ActionIn]) -> PlanOut:
        """Add an action to an active plan."""
        return await plans.add_action(viewer, plan_id, data)

    @post("/{plan_id:int}/indicators", operation_id="AddMetricIndicator", guards=[_LEADS],
          responses=ERROR_RESPONSES)  # fmt: skip
    async def add_indicator(self, viewer: CurrentViewer, plan_id: PathId, data: JSONBody[IndicatorIn]) -> PlanOut:
        """Add an indicator under an action, mapped to a metric of METRICS.md."""
        return await plans.add_indicator(viewer, plan_id, data)

    @post("/{plan_id:int}/targets", operation_id="SetMetricTarget", guards=[_LEADS], responses=ERROR_RESPONSES,
          status_code=HTTP_200_OK)  # fmt: skip
    async def set_target(self, viewer: CurrentViewer, plan_id: PathId, data: JSONBody[TargetIn]) -> PlanOut:
        """Set an indicator's target for a period (set again, the latest counts; the earlier stays listed)."""
        return await plans.set_target(viewer, plan_id, data)

    @post("/{plan_id:int}/archive", operation_id="ArchiveMetricPlan", guards=[_LEADS], responses=ERROR_RESPONSES,
          status_code=HTTP_200_OK)  # fmt: skip
    async def archive(self, viewer: CurrentViewer, plan_id: PathId) -> PlanOut:
        """Archive the plan: read-only from then on, still reported on by its code."""
        return await plans.archive_plan(viewer, plan_id)
