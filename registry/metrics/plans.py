"""Strategy plans as data: leads and admins add a plan, its actions and indicators (each mapped to a metric),
set targets per period, and archive it.

A plan is never rewritten, so that every number reported against it can be told again from what it held:
actions and indicators are only ever added — there is no edit and no delete; a target set again for the
same period is a new row (the latest counts, the earlier ones stay, with who set them and when); and an
archived plan is read-only for good (still reported on). A plan whose indicators need to change is
archived and followed by a new plan (a new code, e.g. ``CLD-2024-27-V2``). This is the "refuse" answer to
"edits to a plan that has been reported on": no plan is edited, whether or not it has been reported on yet,
which also needs no record of who has reported on what.
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from datetime import date
from typing import Any

from registry import clock
from registry.accounts.rules import ALLIANCE_ROLES, Viewer
from registry.db import is_integrity_error, write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.learning.rules import Period, parse_period
from registry.metrics.catalogue import METRICS
from registry.metrics.rules import REPORTER_ROLES, label_of
from registry.metrics.schemas import (
    ActionIn,
    ActionOut,
    IndicatorIn,
    IndicatorOut,
    PeriodOut,
    PlanIn,
    PlanOut,
    PlanSummaryOut,
    TargetIn,
    TargetOut,
)
from registry.metrics.tables import MetricAction, MetricIndicator, MetricPlan, MetricTarget
from registry.settings import PROJECT_ROOT

__all__ = (
    "BUILTIN_PLAN",
    "add_action",
    "add_indicator",
    "archive_plan",
    "create_plan",
    "get_plan",
    "list_plans",
    "load_builtin",
    "plan_row",
    "read_period",
    "set_target",
)

log = logging.getLogger(__name__)
BUILTIN_PLAN = PROJECT_ROOT / "registry" / "metrics" / "seeds" / "cld_strategy_2018_21.csv"
"""The CLD Strategy 2018–21's workforce actions and indicators, as migration m0020 loads them."""


def _require_plan_editor(viewer: Viewer) -> None:
    if viewer.role not in ALLIANCE_ROLES:
        raise Forbidden("Only alliance leads and admins change plans")


def _require_reader(viewer: Viewer) -> None:
    if viewer.role not in REPORTER_ROLES:
        raise Forbidden("The workforce metrics are for partner admins, alliance leads and admins")


def read_period(text: str, field: str = "period") -> Period:
    """A period as INTERFACE.md writes it; Invalid names the field and what is wrong."""
    try:
        return parse_period(text)
    except ValueError as exc:
        raise Invalid({field: str(exc)}) from exc


def _period_out(start: date, end: date) -> PeriodOut:
    return PeriodOut(start=start, end=end, label=label_of(start, end))


async def plan_row(plan_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = await MetricPlan.select().where(MetricPlan.id == plan_id).first()
    if row is None:
        raise NotFound("No such plan")
    return row


async def _writable(plan_id: int) -> dict[str, Any]:
    row = await plan_row(plan_id)
    if row["status"] == "archived":
        raise Conflict("This plan is archived: it is read-only")
    return row


async def list_plans(viewer: Viewer) -> list[PlanSummaryOut]:
    """Every plan, the active ones first, newest first."""
    _require_reader(viewer)
    plans = await MetricPlan.select().order_by(MetricPlan.created_at, ascending=False).order_by(
        MetricPlan.id, ascending=False
    )
    counted = await MetricIndicator.raw("SELECT plan, COUNT(*) AS n FROM metric_indicator GROUP BY plan")
    indicators = {r["plan"]: int(r["n"]) for r in counted}
    out = [
        PlanSummaryOut(
            id=p["id"], code=p["code"], name=p["name"], status=p["status"], indicators=indicators.get(p["id"], 0)
        )
        for p in plans
    ]
    return sorted(out, key=lambda p: p.status != "active")


async def get_plan(viewer: Viewer, plan_id: int) -> PlanOut:
    """A plan with its actions, indicators and every target set for them."""
    _require_reader(viewer)
    plan = await plan_row(plan_id)
    actions = await MetricAction.select().where(MetricAction.plan == plan_id).order_by(MetricAction.position)
    indicators = (
        await MetricIndicator.select().where(MetricIndicator.plan == plan_id).order_by(MetricIndicator.position)
    )
    targets: dict[int, list[TargetOut]] = defaultdict(list)
    rows = (
        await MetricTarget.select()
        .where(MetricTarget.indicator.is_in([i["id"] for i in indicators] or [0]))
        .order_by(MetricTarget.set_at, ascending=False)
        .order_by(MetricTarget.id, ascending=False)
    )
    for t in rows:
        targets[t["indicator"]].append(
            TargetOut(period=_period_out(t["period_start"], t["period_end"]), value=t["value"],
                      set_by=t["set_by_email"], set_at=t["set_at"])
        )  # fmt: skip
    baseline = (
        _period_out(plan["baseline_start"], plan["baseline_end"]) if plan["baseline_start"] is not None else None
    )
    return PlanOut(
        id=plan["id"], code=plan["code"], name=plan["name"], description=plan["description"], status=plan["status"],
        baseline=baseline, created_by=plan["created_by_email"], created_at=plan["created_at"],
        archived_at=plan["archived_at"],
        actions=[
            ActionOut(
                code=a["code"], title=a["title"],
                indicators=[
                    IndicatorOut(
                        id=i["id"], code=i["code"], title=i["title"], metric=i["metric"],
                        metric_name=METRICS[i["metric"]].name if i["metric"] in METRICS else i["metric"],
                        direction=i["direction"], targets=targets.get(i["id"], []),
                    )
                    for i in indicators if i["action"] == a["id"]
                ],
            )
            for a in actions
        ],
    )  # fmt: skip


async def create_plan(viewer: Viewer, data: PlanIn) -> PlanOut:
    """A new, empty plan (then its actions and indicators)."""
    _require_plan_editor(viewer)
    baseline = read_period(data.baseline_period, "baseline_period") if data.baseline_period else None
    if await MetricPlan.exists().where(MetricPlan.code == data.code):
        raise Conflict(f"There is already a plan with code {data.code}")
    try:
        async with write_tx():
            inserted = await MetricPlan.insert(
                MetricPlan(
                    code=data.code, name=data.name, description=data.description,
                    baseline_start=baseline.start if baseline else None,
                    baseline_end=baseline.end if baseline else None,
                    status="active", created_by_email=viewer.email, created_at=clock.now(),
                )
            ).returning(MetricPlan.id)  # fmt: skip
    except Exception as exc:
        if is_integrity_error(exc):
            raise Conflict(f"There is already a plan with code {data.code}") from exc
        raise
    log.info("%s created plan %s (%s)", viewer.email, data.code, inserted[0]["id"])
    return await get_plan(viewer, inserted[0]["id"])


async def add_action(viewer: Viewer, plan_id: int, data: ActionIn) -> PlanOut:
    """Add an action to an active plan."""
    _require_plan_editor(viewer)
    async with write_tx():
        await _writable(plan_id)
        if await MetricAction.exists().where((MetricAction.plan == plan_id) & (MetricAction.code == data.code)):
            raise Conflict(f"The plan already has an action {data.code}")
        position = await MetricAction.count().where(MetricAction.plan == plan_id)
        await MetricAction.insert(
            MetricAction(plan=plan_id, code=data.code, title=data.title, position=position + 1,
                         created_by_email=viewer.email, created_at=clock.now())
        )  # fmt: skip
    log.info("%s added action %s to plan %s", viewer.email, data.code, plan_id)
    return await get_plan(viewer, plan_id)


async def add_indicator(viewer: Viewer, plan_id: int, data: IndicatorIn) -> PlanOut:
    """Add an indicator under one of the plan's actions, answered by a metric of METRICS.md."""
    _require_plan_editor(viewer)
    async with write_tx():
        await _writable(plan_id)
        action = await MetricAction.select(MetricAction.id).where(
            (MetricAction.plan == plan_id) & (MetricAction.code == data.action)
        ).first()
        if action is None:
            raise Invalid({"action": f"the plan has no action {data.action}: add the action first"})
        same_code = (MetricIndicator.plan == plan_id) & (MetricIndicator.code == data.code)
        if await MetricIndicator.exists().where(same_code):
            raise Conflict(f"The plan already has an indicator {data.code}")
        position = await MetricIndicator.count().where(MetricIndicator.plan == plan_id)
        await MetricIndicator.insert(
            MetricIndicator(plan=plan_id, action=action["id"], code=data.code, title=data.title, metric=data.metric,
                            direction=data.direction, position=position + 1, created_by_email=viewer.email,
                            created_at=clock.now())
        )  # fmt: skip
    log.info("%s added indicator %s (%s) to plan %s", viewer.email, data.code, data.metric, plan_id)
    return await get_plan(viewer, plan_id)


async def set_target(viewer: Viewer, plan_id: int, data: TargetIn) -> PlanOut:
    """Set an indicator's target for a period (again: a new row beside the old, which stays in the history)."""
    _require_plan_editor(viewer)
    period = read_period(data.period)
    async with write_tx():
        await _writable(plan_id)
        indicator = await MetricIndicator.select(MetricIndicator.id).where(
            (MetricIndicator.plan == plan_id) & (MetricIndicator.code == data.indicator)
        ).first()
        if indicator is None:
            raise Invalid({"indicator": f"the plan has no indicator {data.indicator}"})
        await MetricTarget.insert(
            MetricTarget(indicator=indicator["id"], period_start=period.start, period_end=period.end, value=data.value,
                         set_by_email=viewer.email, set_at=clock.now())
        )  # fmt: skip
    log.info("%s set the target of %s in plan %s for %s to %s", viewer.email, data.indicator, plan_id, period.label,
             data.value)  # fmt: skip
    return await get_plan(viewer, plan_id)


async def archive_plan(viewer: Viewer, plan_id: int) -> PlanOut:
    """Archive a plan: read-only from now on, still reported on when asked for by its code."""
    _require_plan_editor(viewer)
    async with write_tx():
        await _writable(plan_id)
        archived: dict[Any, Any] = {MetricPlan.status: "archived", MetricPlan.archived_by_email: viewer.email,
                    MetricPlan.archived_at: clock.now()}  # fmt: skip
        await MetricPlan.update(archived).where(MetricPlan.id == plan_id)
    log.info("%s archived plan %s", viewer.email, plan_id)
    return await get_plan(viewer, plan_id)


async def load_builtin(by_email: str = "migration") -> None:
    """The CLD Strategy 2018–21 from its file, as migration m0020 loads it (for databases emptied in tests)."""
    with BUILTIN_PLAN.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if await MetricPlan.exists().where(MetricPlan.code == rows[0]["plan_code"]):
        return
    now = clock.now()
    async with write_tx():
        plan = await MetricPlan.insert(
            MetricPlan(code=rows[0]["plan_code"], name=rows[0]["plan_name"],
                       description="Dundee Partnership CLD Strategy 2018–21 (report 34-2019)", status="active",
                       created_by_email=by_email, created_at=now)
        ).returning(MetricPlan.id)  # fmt: skip
        plan_id = plan[0]["id"]
        actions: dict[str, int] = {}
        for position, row in enumerate(rows, start=1):
            if row["action_code"] not in actions:
                inserted = await MetricAction.insert(
                    MetricAction(plan=plan_id, code=row["action_code"], title=row["action_title"],
                                 position=len(actions) + 1, created_by_email=by_email, created_at=now)
                ).returning(MetricAction.id)  # fmt: skip
                actions[row["action_code"]] = inserted[0]["id"]
            await MetricIndicator.insert(
                MetricIndicator(plan=plan_id, action=actions[row["action_code"]], code=row["indicator_code"],
                                title=row["indicator_title"], metric=row["metric"], direction=row["direction"],
                                position=position, created_by_email=by_email, created_at=now)
            )  # fmt: skip
