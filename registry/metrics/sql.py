"""The SQL pieces every metric query shares, written once so that they mean the same in each query and on
both engines: the periods asked about, the scope of organisations, the active population, events in a
period, attendances and learning in a period, and the required PL hours.

Every metric is computed for several periods at once (the period, its baseline and the trend) by joining a
``periods`` table of ``(n, start_on, end_on, starts_at, ends_before, days)`` rows: ``starts_at`` and
``ends_before`` are the moments the period's local days begin and end (clock.local_days), because an event
is in a period by the local date of its first session and ``first_starts_at`` is stored in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry import clock
from registry.db import is_sqlite
from registry.learning.rules import Period
from registry.metrics.tables import MetricPlan

__all__ = (
    "ATTENDANCES",
    "EVENTS_IN",
    "LEARNING_IN",
    "Query",
    "Scope",
    "active",
    "fetch",
    "in_scope",
    "periods_cte",
    "required_tenths",
    "scope_test",
)


@dataclass(frozen=True, slots=True)
class Scope:
    """The organisations a report is narrowed to (``None``: the whole alliance), and how it was asked for."""

    organisation_ids: tuple[int, ...] | None = None
    organisation: str | None = None
    """The organisation's code, when one was chosen."""
    local_authority: str | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """A SQL text with Piccolo's ``{}`` placeholders and the values for them, in order."""

    sql: str
    args: tuple[Any, ...]


def scope_test(column: str, scope: Scope) -> str:
    """A condition: ``<column>`` (an organisation id) is in the scope. The ids are integers read from the
    database, so they are written into the text (a local authority may hold many organisations)."""
    if scope.organisation_ids is None:
        return "1 = 1"
    return f"{column} IN ({', '.join(str(int(i)) for i in scope.organisation_ids) or 'NULL'})"


def in_scope(column: str, scope: Scope) -> str:
    """``AND <column> IN (...)`` for a scoped report, nothing for the alliance."""
    return "" if scope.organisation_ids is None else f" AND {scope_test(column, scope)}"


def periods_cte(periods: Sequence[Period]) -> Query:
    """``periods(n, start_on, end_on, starts_at, ends_before, days) AS (VALUES ...)`` with n = 0, 1, ..."""
    date_, moment = ("{}", "{}") if is_sqlite() else ("CAST({} AS DATE)", "CAST({} AS TIMESTAMPTZ)")
    rows, args = [], []
    for n, period in enumerate(periods):
        starts, ends = clock.local_days(period.start, period.end)
        rows.append(f"({n}, {date_}, {date_}, {moment}, {moment}, {period.days})")
        args += [period.start, period.end, starts, ends]
    sql = f"periods(n, start_on, end_on, starts_at, ends_before, days) AS (VALUES {', '.join(rows)})"
    return Query(sql, tuple(args))



def active(scope: Scope) -> str:
    """A(P) of each period, in the scope: started on or before its last day and not left, or left after it."""
    return f"""active AS (
    SELECT pr.n AS n, p.id AS id, p.organisation AS organisation, p.contract AS contract, p.setting AS setting,
           p.cld_qualified AS cld_qualified, p.weekly_hours AS weekly_hours, p.started_on AS started_on
    FROM periods pr JOIN practitioner p
      ON p.started_on <= pr.end_on AND (p.left_on IS NULL OR p.left_on > pr.end_on){in_scope("p.organisation", scope)}
)"""

EVENTS_IN = """events_in AS (
    SELECT pr.n AS n, e.id AS id, e.host_organisation AS host_organisation, e.topics AS topics
    FROM periods pr JOIN event e
      ON e.status <> 'cancelled' AND e.first_starts_at >= pr.starts_at AND e.first_starts_at < pr.ends_before
)"""
"""Events in P: not cancelled, first session on a local date within P."""

ATTENDANCES = """attendances AS (
    SELECT ev.n AS n, ev.id AS event, ev.topics AS topics, b.practitioner AS practitioner,
           p.organisation AS organisation
    FROM events_in ev
    JOIN booking b ON b.event = ev.id AND b.status = 'attended'
    JOIN practitioner p ON p.id = b.practitioner
)"""
"""Attendances at events in P (every attendee: a filter narrows them where each metric says)."""

LEARNING_IN = """learning_in AS (
    SELECT pr.n AS n, r.id AS id, r.practitioner AS practitioner, r.hours AS hours,
           CASE WHEN r.protected_time OR r.source = 'event' THEN r.hours ELSE 0 END AS protected_hours,
           CASE WHEN r.verification_state = 'verified' THEN 1 ELSE 0 END AS verified,
           r.verifier_email AS verifier_email, p.organisation AS organisation
    FROM periods pr
    JOIN learning_record r ON r.completed_on >= pr.start_on AND r.completed_on <= pr.end_on
    JOIN practitioner p ON p.id = r.practitioner
)"""
"""Learning in P: records completed within it. Attendance makes a record (source ``event``), which counts as
protected time; a self-recorded one when flagged so."""


def _days_from(start: str, end: str) -> str:
    """Whole days from ``start`` to ``end`` (dates) as an integer."""
    if is_sqlite():
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"
    return f"({end} - {start})"


def required_tenths(member: str = "a") -> str:
    """Required PL hours in P of an A(P) member, in tenths of an hour, exactly as learning.rules.required_pl_hours
    works them out: weekly hours to the hundredth × days employed in P, over 3,650, rounded half up — integer
    arithmetic, so both engines agree with the rule to the last tenth. A member of A(P) is employed to P's last
    day, from P's first day or the day they started."""
    hundredths = (
        f"CAST({member}.weekly_hours * 100 + 0.5 AS INTEGER)"
        if is_sqlite()
        else f"CAST(FLOOR({member}.weekly_hours * 100 + 0.5) AS BIGINT)"
    )
    since_start = _days_from(f"{member}.started_on", "pr.end_on")
    days = f"(CASE WHEN {member}.started_on <= pr.start_on THEN pr.days ELSE {since_start} + 1 END)"
    product = f"({hundredths} * {days})"
    return f"({product} / 3650 + CASE WHEN 2 * ({product} % 3650) >= 3650 THEN 1 ELSE 0 END)"


async def fetch(periods: Sequence[Period], ctes: Sequence[str], final: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``WITH periods, <ctes> <final>`` for these periods (``args`` fill ``final``'s placeholders)."""
    cte = periods_cte(periods)
    sql = "WITH " + ",\n".join([cte.sql, *ctes]) + "\n" + final
    return list(await MetricPlan.raw(sql, *cte.args, *args))
