"""Metric snapshots: the scheduler works out every indicator of every active plan — nightly for the current
financial year and quarter, and once a quarter has ended for that quarter and the year to date — for the whole
alliance and for each organisation, and keeps what it found (value, numerator, denominator, breakdown, when,
by which version). The dashboard's trend reads them, so it shows what was reported then, a later correction
beside it (registry.metrics.report).

One snapshot per indicator, scope and period (a unique index): working a period out again replaces its
snapshot, and two instances running the job at once leave one. ``registry metrics snapshot --period P`` works
one period out by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import metadata
from typing import Any

from registry import clock
from registry.db import batches, write_tx
from registry.errors import Invalid
from registry.learning.rules import Period
from registry.metrics.compute import COMPUTE
from registry.metrics.rules import MetricResult, last_finished_quarter, nightly_periods, scope_key, year_to_date
from registry.metrics.sql import Scope
from registry.metrics.tables import MetricIndicator, MetricPlan, MetricSnapshot
from registry.people.tables import Organisation
from registry.settings import get_settings

__all__ = ("QUARTER_END", "SnapshotRun", "due", "reported", "run_due", "take")

QUARTER_END = "quarter_end"
_COLUMNS = (
    MetricSnapshot.kind, MetricSnapshot.value, MetricSnapshot.numerator, MetricSnapshot.denominator,
    MetricSnapshot.breakdown, MetricSnapshot.computed_at, MetricSnapshot.version,
)  # fmt: skip
"""What a second snapshot of the same indicator, scope and period replaces."""
_ROWS_PER_INSERT = 200


def version() -> str:
    """The registry's version, as the package says."""
    try:
        return metadata.version("cld-workforce-registry")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


@dataclass(frozen=True, slots=True)
class SnapshotRun:
    """What one run of the job did."""

    periods: tuple[str, ...]
    snapshots: int
    quarter: Period | None = None
    """The quarter whose end it marked, if it did."""
    plans: tuple[str, ...] = ()


async def _plans(code: str | None) -> list[dict[str, Any]]:
    if code:
        plan = await MetricPlan.select(MetricPlan.id, MetricPlan.code).where(MetricPlan.code == code.upper()).first()
        if plan is None:
            raise Invalid({"plan": f"{code} is not a plan of the registry"})
        return [plan]
    return list(
        await MetricPlan.select(MetricPlan.id, MetricPlan.code)
        .where(MetricPlan.status == "active")
        .order_by(MetricPlan.id)
    )


async def _scopes() -> list[tuple[str, Scope]]:
    """The whole alliance, then each organisation: the scopes the dashboard reads snapshots for."""
    organisations = await Organisation.select(Organisation.id, Organisation.code).order_by(Organisation.code)
    scopes = [("", Scope())]
    for o in organisations:
        scopes.append((scope_key(o["code"], None) or "", Scope((o["id"],), o["code"], None)))
    return scopes


async def _work_out(metrics: Sequence[str], period: Period, scope: Scope) -> dict[str, MetricResult]:
    return {key: (await COMPUTE[key]([period], scope, True))[0] for key in dict.fromkeys(metrics) if key in COMPUTE}


async def take(periods: Sequence[Period], kind: str, plan: str | None = None) -> SnapshotRun:
    """Work out every indicator of the plans (the active ones, or the one named) for each period and scope,
    and store them, replacing what those periods held. All is worked out first, then written in one
    transaction, so a reader sees either the old snapshots or the new ones."""
    plans = await _plans(plan)
    indicators = await MetricIndicator.select(MetricIndicator.id, MetricIndicator.metric).where(
        MetricIndicator.plan.is_in([p["id"] for p in plans] or [0])
    )
    metrics = [i["metric"] for i in indicators]
    now, made_by = clock.now(), version()
    rows = []
    for key, scope in await _scopes():
        for period in periods:
            results = await _work_out(metrics, period, scope)
            for indicator in indicators:
                result = results.get(indicator["metric"], MetricResult(None))
                rows.append(
                    MetricSnapshot(
                        indicator=indicator["id"], scope=key, period_start=period.start, period_end=period.end,
                        kind=kind, value=result.value, numerator=result.numerator, denominator=result.denominator,
                        breakdown=json.dumps(result.breakdown, default=str, sort_keys=True), computed_at=now,
                        version=made_by,
                    )
                )  # fmt: skip
    target = (MetricSnapshot.indicator, MetricSnapshot.scope, MetricSnapshot.period_start, MetricSnapshot.period_end)
    async with write_tx():
        for batch in batches(rows, _ROWS_PER_INSERT):
            await MetricSnapshot.insert(*batch).on_conflict(target=target, action="DO UPDATE", values=_COLUMNS)
    return SnapshotRun(tuple(p.label for p in periods), len(rows), plans=tuple(p["code"] for p in plans))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=get_settings().zone)


async def _taken_since(period: Period, since: datetime) -> bool:
    """Whether the whole alliance's snapshot of the period was taken at or after ``since``."""
    found = await MetricSnapshot.exists().where(
        (MetricSnapshot.scope == "")
        & (MetricSnapshot.period_start == period.start)
        & (MetricSnapshot.period_end == period.end)
        & (MetricSnapshot.computed_at >= since)
    )
    return bool(found)


@dataclass(frozen=True, slots=True)
class Due:
    nightly: list[Period]
    """The current periods, when tonight's snapshot of them has not been taken yet."""
    quarter: Period | None
    """The quarter just ended, when its end has not been marked yet."""


async def due(today: date) -> Due:
    """What the job has to do today: tonight's snapshot (once per local day) and the quarter's end (once, on
    the first run after the quarter's last day)."""
    current = nightly_periods(today)
    nightly = [] if await _taken_since(current[0], _local_midnight(today)) else current
    quarter = last_finished_quarter(today)
    ended = await _taken_since(quarter, _local_midnight(quarter.end + timedelta(days=1)))
    return Due(nightly, None if ended else quarter)


async def run_due(today: date | None = None) -> list[SnapshotRun]:
    """The scheduled job: what :func:`due` says, each part at most once however many instances run it."""
    today = today or clock.today()
    todo = await due(today)
    runs = []
    if todo.quarter is not None:
        ended = await take([todo.quarter, year_to_date(todo.quarter)], QUARTER_END)
        runs.append(SnapshotRun(ended.periods, ended.snapshots, todo.quarter, ended.plans))
    if todo.nightly:
        runs.append(await take(todo.nightly, "nightly"))
    return runs


@dataclass(frozen=True, slots=True)
class Reported:
    value: float | None
    numerator: float | None
    denominator: float | None
    computed_at: datetime


async def reported(
    indicator_ids: Sequence[int], periods: Sequence[Period], scope: str
) -> dict[tuple[int, date, date], Reported]:
    """The snapshots of these indicators for these periods in one scope, by (indicator, start, end)."""
    if not indicator_ids or not periods:
        return {}
    starts = sorted({p.start for p in periods})
    rows = await MetricSnapshot.select(
        MetricSnapshot.indicator, MetricSnapshot.period_start, MetricSnapshot.period_end, MetricSnapshot.value,
        MetricSnapshot.numerator, MetricSnapshot.denominator, MetricSnapshot.computed_at,
    ).where(
        MetricSnapshot.indicator.is_in(list(indicator_ids)) & (MetricSnapshot.scope == scope)
        & MetricSnapshot.period_start.is_in(starts)
    )  # fmt: skip
    wanted = {(p.start, p.end) for p in periods}
    return {
        (r["indicator"], r["period_start"], r["period_end"]): Reported(
            r["value"], r["numerator"], r["denominator"], r["computed_at"]
        )
        for r in rows
        if (r["period_start"], r["period_end"]) in wanted
    }
