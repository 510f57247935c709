"""The metrics report of a plan for a period: every indicator's value, baseline, change judged against the
direction it wants, target, and breakdown — the one use case behind ``GET /api/v1/metrics``, ``registry
metrics`` and the leads' dashboard, so the three cannot disagree.

Who sees what: leads and admins any scope (the alliance, an organisation, a local authority); partner
admins their own organisation's, which they get without asking (asking for another is refused); nobody
else any (registry.metrics.rules.scope_problem).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from registry import clock
from registry.accounts.rules import ALLIANCE_ROLES, Viewer
from registry.errors import Forbidden, Invalid
from registry.learning.rules import Period, financial_year
from registry.metrics import snapshots
from registry.metrics.compute import COMPUTE
from registry.metrics.plans import read_period
from registry.metrics.rules import (
    MetricResult,
    baseline_for,
    change,
    correction,
    judge,
    label_of,
    scope_key,
    scope_problem,
    trend_periods,
)
from registry.metrics.schemas import IndicatorReportOut, MetricsReportOut, PeriodOut, TrendPoint
from registry.metrics.sql import Scope
from registry.metrics.tables import MetricIndicator, MetricPlan, MetricTarget
from registry.people.tables import Organisation

__all__ = ("Dashboard", "ReportAsk", "dashboard", "metrics_report", "period_and_scope", "resolve")


@dataclass(frozen=True, slots=True)
class ReportAsk:
    """What was asked for, as written (INTERFACE.md): each may be empty."""

    period: str | None = None
    plan: str | None = None
    organisation: str | None = None
    local_authority: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    period: Period
    baseline: Period
    plan: dict[str, Any]
    scope: Scope


@dataclass(frozen=True, slots=True)
class Dashboard:
    report: MetricsReportOut
    trends: dict[int, list[TrendPoint]]
    """Indicator id → the last five periods as reported (their snapshots, else worked out now), oldest first."""


def _period_out(period: Period) -> PeriodOut:
    return PeriodOut(start=period.start, end=period.end, label=period.label)


async def _plan(code: str | None) -> dict[str, Any]:
    if code:
        row: dict[str, Any] | None = await MetricPlan.select().where(MetricPlan.code == code.strip().upper()).first()
        if row is None:
            raise Invalid({"plan": f"{code} is not a plan of the registry"})
        return row
    # No plan asked for: the one added last of the active ones (an archived plan is reported on only when named).
    active = MetricPlan.status == "active"
    row = await MetricPlan.select().where(active).order_by(MetricPlan.id, ascending=False).first()
    if row is None:
        raise Invalid({"plan": "no plan is active: name one, or add a plan"})
    return row


async def _scope(viewer: Viewer, organisation: str | None, local_authority: str | None) -> Scope:
    organisation = (organisation or "").strip() or None
    local_authority = (local_authority or "").strip() or None
    chosen: dict[str, Any] | None = None
    if organisation:
        chosen = (
            await Organisation.select(Organisation.id, Organisation.code)
            .where(Organisation.code == organisation.upper())
            .first()
        )
        if chosen is None:
            raise Invalid({"organisation": f"{organisation} is not an organisation of the alliance"})
    if problem := scope_problem(viewer, chosen["id"] if chosen else None, local_authority is not None):
        raise Forbidden(problem)
    if viewer.role not in ALLIANCE_ROLES:  # a partner admin: their own organisation, asked for or not
        own = (
            await Organisation.select(Organisation.id, Organisation.code)
            .where(Organisation.id == (viewer.organisation_id or 0))
            .first()
        )
        if own is None:
            raise Forbidden("Your sign-in has no organisation: ask an admin")
        return Scope((own["id"],), own["code"], None)
    if local_authority is None:
        return Scope() if chosen is None else Scope((chosen["id"],), chosen["code"], None)
    ids = [
        r["id"]
        for r in await Organisation.select(Organisation.id).where(
            WhereRaw("LOWER(local_authority) = LOWER({})", local_authority)
        )
    ]
    if not ids:
        raise Invalid({"local_authority": f"no organisation of the alliance is in {local_authority}"})
    if chosen is not None:
        if chosen["id"] not in ids:
            raise Invalid({"organisation": f"{chosen['code']} is not in {local_authority}"})
        ids = [chosen["id"]]
    return Scope(tuple(sorted(ids)), chosen["code"] if chosen else None, local_authority)


async def period_and_scope(viewer: Viewer, ask: ReportAsk) -> tuple[Period, Scope]:
    """The period (default: this financial year) and the organisations asked for, or what is wrong."""
    period = read_period(ask.period) if ask.period and ask.period.strip() else financial_year(clock.today())
    if problem := scope_problem(viewer, None, False):
        raise Forbidden(problem)
    return period, await _scope(viewer, ask.organisation, ask.local_authority)


async def resolve(viewer: Viewer, ask: ReportAsk) -> Resolved:
    """The period, baseline, plan and scope asked for, or the error that says what is wrong with them."""
    period, scope = await period_and_scope(viewer, ask)
    plan = await _plan(ask.plan)
    own_baseline = (
        Period(plan["baseline_start"], plan["baseline_end"], label_of(plan["baseline_start"], plan["baseline_end"]))
        if plan["baseline_start"] is not None
        else None
    )
    return Resolved(period, baseline_for(period, own_baseline), plan, scope)


async def _indicators(plan_id: int, only: int | None) -> list[dict[str, Any]]:
    where: Any = MetricIndicator.plan == plan_id
    if only is not None:
        where = where & (MetricIndicator.id == only)
    return list(
        await MetricIndicator.select(
            MetricIndicator.id, MetricIndicator.code, MetricIndicator.title, MetricIndicator.metric,
            MetricIndicator.direction, MetricIndicator.action.code.as_alias("action_code"),
            MetricIndicator.action.title.as_alias("action_title"),
        )
        .where(where)
        .order_by(MetricIndicator.action.position)
        .order_by(MetricIndicator.position)
    )  # fmt: skip


async def _targets(indicator_ids: list[int], period: Period) -> dict[int, float]:
    """The target that counts for each indicator in exactly this period: the latest set."""
    rows = (
        await MetricTarget.select(MetricTarget.indicator, MetricTarget.value)
        .where(
            MetricTarget.indicator.is_in(indicator_ids or [0])
            & (MetricTarget.period_start == period.start)
            & (MetricTarget.period_end == period.end)
        )
        .order_by(MetricTarget.set_at)
        .order_by(MetricTarget.id)
    )
    # A whole number stays one (a target of 10 events), as counts do in the answer.
    return {r["indicator"]: int(v) if (v := float(r["value"])).is_integer() else v for r in rows}


async def _compute(
    keys: Sequence[str], periods: list[Period], scope: Scope, detail: bool
) -> dict[str, list[MetricResult]]:
    return {key: await COMPUTE[key](periods, scope, detail) for key in dict.fromkeys(keys) if key in COMPUTE}


def _unique(periods: list[Period]) -> list[Period]:
    seen: dict[tuple[Any, Any], Period] = {}
    for p in periods:
        seen.setdefault((p.start, p.end), p)
    return list(seen.values())


async def _report(
    viewer: Viewer, ask: ReportAsk, *, detail: bool, trend: bool, only: int | None = None
) -> tuple[MetricsReportOut, dict[int, list[TrendPoint]]]:
    resolved = await resolve(viewer, ask)
    period, baseline = resolved.period, resolved.baseline
    trend_list = trend_periods(period) if trend else []
    periods = _unique([period, baseline, *trend_list])
    index = {(p.start, p.end): n for n, p in enumerate(periods)}
    indicators = await _indicators(resolved.plan["id"], only)
    results = await _compute([i["metric"] for i in indicators], periods, resolved.scope, detail)
    targets = await _targets([i["id"] for i in indicators], period)
    scope = resolved.scope
    key = scope_key(scope.organisation, scope.local_authority)
    kept = await snapshots.reported([i["id"] for i in indicators], trend_list, key) if key is not None else {}
    out, trends = [], {}
    for indicator in indicators:
        found = results.get(indicator["metric"])
        now = found[0] if found else MetricResult(None)
        before = found[index[(baseline.start, baseline.end)]].value if found else None
        difference = change(now.value, before)
        out.append(
            IndicatorReportOut(
                id=indicator["id"], code=indicator["code"], action=indicator["action_code"],
                action_title=indicator["action_title"], indicator=indicator["title"], metric=indicator["metric"],
                value=now.value, numerator=now.numerator, denominator=now.denominator, baseline_value=before,
                change=difference, direction=indicator["direction"], status=judge(difference, indicator["direction"]),
                target=targets.get(indicator["id"]), breakdown=now.breakdown,
            )
        )  # fmt: skip
        trends[indicator["id"]] = [
            _trend_point(p, found[index[(p.start, p.end)]] if found else MetricResult(None),
                         kept.get((indicator["id"], p.start, p.end)))
            for p in trend_list
        ]  # fmt: skip
    report = MetricsReportOut(
        plan=resolved.plan["code"], plan_name=resolved.plan["name"], period=_period_out(period),
        baseline=_period_out(baseline), organisation=scope.organisation, local_authority=scope.local_authority,
        indicators=out,
    )  # fmt: skip
    return report, trends


def _trend_point(period: Period, live: MetricResult, snapshot: snapshots.Reported | None) -> TrendPoint:
    """What was reported for the period, with how far the value worked out now has moved since."""
    if snapshot is None:
        return TrendPoint(
            period=_period_out(period), value=live.value, numerator=live.numerator, denominator=live.denominator,
            now=live.value, now_numerator=live.numerator, now_denominator=live.denominator,
        )  # fmt: skip
    return TrendPoint(
        period=_period_out(period), value=snapshot.value, numerator=snapshot.numerator,
        denominator=snapshot.denominator, reported_at=snapshot.computed_at, now=live.value,
        now_numerator=live.numerator, now_denominator=live.denominator,
        correction=correction(snapshot.value, live.value),
    )  # fmt: skip


async def metrics_report(viewer: Viewer, ask: ReportAsk) -> MetricsReportOut:
    """INTERFACE.md's metrics: every indicator of the plan with its breakdown (API and command line)."""
    report, _ = await _report(viewer, ask, detail=True, trend=False)
    return report


async def dashboard(viewer: Viewer, ask: ReportAsk, indicator_id: int | None = None) -> Dashboard:
    """The dashboard's cards (values, baselines, targets, the last five periods; no breakdowns), or one
    indicator's card with its breakdown for the breakdown page."""
    report, trends = await _report(viewer, ask, detail=indicator_id is not None, trend=True, only=indicator_id)
    return Dashboard(report, trends)
