"""Pages where leads and admins keep plans: add a plan, its actions and indicators (each mapped to a metric),
set targets, archive. Plans are only added to, never edited (registry.metrics.plans says why)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import BaseModel, ValidationError

from registry.accounts.rules import Role
from registry.errors import Conflict, Invalid
from registry.metrics import plans
from registry.metrics.catalogue import METRICS
from registry.metrics.schemas import ActionIn, IndicatorIn, PlanIn, PlanOut, TargetIn
from registry.validation import problems_from
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, render, sentences
from registry.web.params import AnyRequest

__all__ = ("PlanPages",)


def _prefixed(prefix: str, problems: dict[str, str]) -> dict[str, str]:
    """Field errors of one of the plan page's forms, under that form's field ids (``indicator-code``)."""
    return {f"{prefix}-{field}": text for field, text in sentences(problems).items()}


def _percent_if_share(plan: PlanOut, indicator_code: str, value: str) -> str:
    """Targets of shares are typed as percentages on the page (40 for 40%) and kept as fractions."""
    metric = next((i.metric for a in plan.actions for i in a.indicators if i.code == indicator_code.upper()), None)
    if metric is None or metric not in METRICS or METRICS[metric].kind != "share":
        return value
    try:
        return str(float(value.strip().rstrip("%")) / 100)
    except ValueError:
        return value


class PlanPages(Controller):
    """Plans, actions, indicators and targets (alliance leads and admins)."""

    path = "/metrics/plans"
    guards = [signed_in, requires_role(Role.LEAD, Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def plans_page(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """Every plan."""
        return render(request, "metrics/plans.html", plans=await plans.list_plans(viewer))

    @get("/new")
    async def new_plan_page(self, request: AnyRequest) -> Template:
        """The form for a new plan."""
        return render(request, "metrics/plan_form.html", form={})

    @post("/new")
    async def create_plan(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Add the plan, or show the form again with what to fix."""
        form = await form_data(request)
        values = {k: form.get(k, "") for k in ("code", "name", "description")}
        values["baseline_period"] = form.get("baseline_period") or None  # type: ignore[assignment]
        try:
            created = await plans.create_plan(viewer, PlanIn.model_validate(values))
        except ValidationError as exc:
            return self._form(request, form, sentences(problems_from(exc)), 400)
        except Invalid as exc:
            return self._form(request, form, sentences(exc.problems), 400)
        except Conflict as exc:
            return self._form(request, form, {"code": exc.detail}, 409)
        return Redirect(f"/metrics/plans/{created.id}?saved=created")

    def _form(self, request: AnyRequest, form: dict[str, str], errors: dict[str, str], status_code: int) -> Template:
        return render(request, "metrics/plan_form.html", status_code=status_code, form=form, errors=errors)

    @get("/{plan_id:int}")
    async def plan_page(
        self, request: AnyRequest, viewer: CurrentViewer, plan_id: FromPath[int], saved: FromQuery[str | None] = None
    ) -> Template:
        """A plan with its actions, indicators and targets, and the forms that add to it."""
        return await self._plan(request, viewer, plan_id, {}, {}, saved)

    async def _plan(
        self, request: AnyRequest, viewer: CurrentViewer, plan_id: int, form: dict[str, str], errors: dict[str, str],
        saved: str | None,
        status_code: int = 200,
    ) -> Template:  # fmt: skip
        plan = await plans.get_plan(viewer, plan_id)
        return render(
            request, "metrics/plan.html", status_code=status_code if errors else 200, plan=plan, form=form,
            errors=errors, saved=saved, metrics=list(METRICS.values()),
        )  # fmt: skip

    async def _add(
        self, request: AnyRequest, viewer: CurrentViewer, plan_id: int, prefix: str, model: type[BaseModel],
        fields: tuple[str, ...],
        saved: str,
    ) -> Template | Redirect:  # fmt: skip
        form = await form_data(request)
        values: dict[str, Any] = {f: form.get(f"{prefix}-{f}", "") for f in fields}
        try:
            if model is TargetIn:
                values["value"] = _percent_if_share(await plans.get_plan(viewer, plan_id), values["indicator"],
                                                    values["value"])  # fmt: skip
            data = model.model_validate(values)
            if isinstance(data, ActionIn):
                await plans.add_action(viewer, plan_id, data)
            elif isinstance(data, IndicatorIn):
                await plans.add_indicator(viewer, plan_id, data)
            elif isinstance(data, TargetIn):
                await plans.set_target(viewer, plan_id, data)
        except ValidationError as exc:
            return await self._plan(request, viewer, plan_id, form, _prefixed(prefix, problems_from(exc)), None, 400)
        except Invalid as exc:
            return await self._plan(request, viewer, plan_id, form, _prefixed(prefix, exc.problems), None, 400)
        except Conflict as exc:
            return await self._plan(request, viewer, plan_id, form, {f"{prefix}-code": exc.detail}, None, 409)
        return Redirect(f"/metrics/plans/{plan_id}?saved={saved}")

    @post("/{plan_id:int}/actions")
    async def add_action(
        self, request: AnyRequest, viewer: CurrentViewer, plan_id: FromPath[int]
    ) -> Template | Redirect:
        """Add an action."""
        return await self._add(request, viewer, plan_id, "action", ActionIn, ("code", "title"), "action")

    @post("/{plan_id:int}/indicators")
    async def add_indicator(
        self, request: AnyRequest, viewer: CurrentViewer, plan_id: FromPath[int]
    ) -> Template | Redirect:
        """Add an indicator mapped to a metric."""
        fields = ("action", "code", "title", "metric", "direction")
        return await self._add(request, viewer, plan_id, "indicator", IndicatorIn, fields, "indicator")

    @post("/{plan_id:int}/targets")
    async def set_target(
        self, request: AnyRequest, viewer: CurrentViewer, plan_id: FromPath[int]
    ) -> Template | Redirect:
        """Set a target for a period."""
        return await self._add(request, viewer, plan_id, "target", TargetIn, ("indicator", "period", "value"), "target")

    @post("/{plan_id:int}/archive")
    async def archive(self, request: AnyRequest, viewer: CurrentViewer, plan_id: FromPath[int]) -> Template | Redirect:
        """Archive the plan: read-only from now on."""
        try:
            await plans.archive_plan(viewer, plan_id)
        except Conflict as exc:
            return await self._plan(request, viewer, plan_id, {}, {"archive": exc.detail}, None, 409)
        return Redirect(f"/metrics/plans/{plan_id}?saved=archived")
