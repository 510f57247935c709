"""The ledger of protected learning time for many people at once: entitlement, used, booked, remaining and
verified hours, in a handful of grouped SQL queries whatever the number of people (the team view, its CSV,
the digest and INTERFACE.md's learning-time all read it, so they agree)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from registry import clock
from registry.db import batches, is_sqlite
from registry.learning.rules import Period, financial_year
from registry.learning_time.rules import Adjustment, HoursFrom, Ledger, Policy, entitlement_hours, ledger
from registry.learning_time.tables import LearningTimeAdjustment, LearningTimePolicy
from registry.people.tables import HoursChange

__all__ = ("Person", "adjustments_of", "hours_history", "ledgers", "policies_of")

Person = Mapping[str, Any]
"""A practitioner row with at least ``id``, ``organisation`` (its id), ``started_on``, ``left_on``."""

# Attendance-created records (source ``event``) always count as protected time (METRICS.md).
_LEARNING_SQL = """
SELECT practitioner,
       COALESCE(SUM(CASE WHEN protected_time OR source = 'event' THEN hours ELSE 0 END), 0) AS used,
       COALESCE(SUM(CASE WHEN verification_state = 'verified' THEN hours ELSE 0 END), 0) AS verified
FROM learning_record
WHERE practitioner IN ({ids}) AND completed_on >= {{}} AND completed_on <= {{}}
GROUP BY practitioner
"""
# Confirmed places at published events in the period not yet attended (attendance makes them used time),
# summed over the sessions. An event is in the period by the local date of its first session (clock.local_days).
_BOOKED_EVENTS_SQL = """
SELECT b.practitioner AS practitioner, COALESCE(SUM({seconds}), 0) AS seconds
FROM booking b JOIN event e ON e.id = b.event JOIN event_session s ON s.event = e.id
WHERE b.practitioner IN ({ids}) AND b.status = 'confirmed' AND e.status = 'published'
  AND e.first_starts_at >= {{}} AND e.first_starts_at < {{}}
GROUP BY b.practitioner
"""
# Approved requests whose learning is not logged yet, by their first day.
_BOOKED_REQUESTS_SQL = """
SELECT practitioner, COALESCE(SUM(hours), 0) AS hours
FROM time_request
WHERE practitioner IN ({ids}) AND status = 'approved' AND starts_on >= {{}} AND starts_on <= {{}}
GROUP BY practitioner
"""


def _session_seconds() -> str:
    if is_sqlite():
        return "(julianday(s.ends_at) - julianday(s.starts_at)) * 86400"
    return "EXTRACT(EPOCH FROM (s.ends_at - s.starts_at))"


def _in(sql: str, ids: list[int], **extra: str) -> str:
    return sql.format(ids=", ".join("{}" for _ in ids), **extra)


async def hours_history(ids: Iterable[int]) -> dict[int, list[HoursFrom]]:
    """Each person's weekly hours from each day, oldest first."""
    out: dict[int, list[HoursFrom]] = defaultdict(list)
    for batch in batches(ids):
        rows = (
            await HoursChange.select(HoursChange.practitioner, HoursChange.from_on, HoursChange.weekly_hours)
            .where(HoursChange.practitioner.is_in(batch))
            .order_by(HoursChange.from_on)
            .order_by(HoursChange.id)
        )
        for row in rows:
            out[row["practitioner"]].append(HoursFrom(row["from_on"], float(row["weekly_hours"])))
    return out


async def policies_of(organisation_ids: Iterable[int]) -> dict[int, list[Policy]]:
    """Each organisation's policies, oldest first (none: the CLDSC minimum applies)."""
    out: dict[int, list[Policy]] = defaultdict(list)
    wanted = sorted(set(organisation_ids))
    if not wanted:
        return out
    rows = (
        await LearningTimePolicy.select(
            LearningTimePolicy.organisation, LearningTimePolicy.hours_per_year,
            LearningTimePolicy.full_time_weekly_hours, LearningTimePolicy.applies_from,
        )
        .where(LearningTimePolicy.organisation.is_in(wanted))
        .order_by(LearningTimePolicy.applies_from)
        .order_by(LearningTimePolicy.id)
    )  # fmt: skip
    for row in rows:
        out[row["organisation"]].append(
            Policy(float(row["hours_per_year"]), float(row["full_time_weekly_hours"]), row["applies_from"])
        )
    return out


async def adjustments_of(ids: Iterable[int], period: Period) -> dict[int, list[Adjustment]]:
    """Adjustments for the financial years the period touches."""
    out: dict[int, list[Adjustment]] = defaultdict(list)
    first_year = financial_year(period.start).start
    for batch in batches(ids):
        rows = await LearningTimeAdjustment.select(
            LearningTimeAdjustment.practitioner, LearningTimeAdjustment.year_start, LearningTimeAdjustment.hours
        ).where(
            LearningTimeAdjustment.practitioner.is_in(batch)
            & (LearningTimeAdjustment.year_start >= first_year)
            & (LearningTimeAdjustment.year_start <= period.end)
        )
        for row in rows:
            out[row["practitioner"]].append(Adjustment(row["year_start"], float(row["hours"])))
    return out


async def _grouped(sql: str, ids: list[int], *args: Any, **extra: str) -> list[dict[str, Any]]:
    return list(await HoursChange.raw(_in(sql, ids, **extra), *ids, *args))


async def ledgers(people: Iterable[Person], period: Period) -> dict[int, Ledger]:
    """The ledger of each person for the period."""
    rows = list(people)
    out: dict[int, Ledger] = {}
    policies = await policies_of(r["organisation"] for r in rows)
    starts, ends = clock.local_days(period.start, period.end)
    for batch in batches(rows):
        ids = [r["id"] for r in batch]
        history = await hours_history(ids)
        adjustments = await adjustments_of(ids, period)
        learning = {r["practitioner"]: r for r in await _grouped(_LEARNING_SQL, ids, period.start, period.end)}
        events = {
            r["practitioner"]: float(r["seconds"] or 0) / 3600
            for r in await _grouped(_BOOKED_EVENTS_SQL, ids, starts, ends, seconds=_session_seconds())
        }
        requests = {
            r["practitioner"]: float(r["hours"])
            for r in await _grouped(_BOOKED_REQUESTS_SQL, ids, period.start, period.end)
        }
        for person in batch:
            pid = person["id"]
            done = learning.get(pid, {})
            entitlement = entitlement_hours(
                period, person["started_on"], person["left_on"], history.get(pid, []),
                policies.get(person["organisation"], []), adjustments.get(pid, []),
            )  # fmt: skip
            out[pid] = ledger(
                entitlement,
                float(done.get("used", 0) or 0),
                events.get(pid, 0.0) + requests.get(pid, 0.0),
                float(done.get("verified", 0) or 0),
            )
    return out
