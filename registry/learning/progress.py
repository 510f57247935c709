"""Hours against the CLDSC pro-rata requirement: SQL sums over one period, per competence too."""

from __future__ import annotations

from datetime import date, timedelta

from registry import clock
from registry.accounts.rules import Viewer
from registry.learning.rules import Period, financial_year, required_pl_hours
from registry.learning.schemas import CompetenceProgress, Progress
from registry.learning.service import PractitionerRef, list_competences, practitioner_ref
from registry.learning.tables import LearningRecord
from registry.registration import history as registration
from registry.templating import govdate

__all__ = ("current_cycle", "learning_hours", "progress", "progress_overview")

# Attendance-created records (source ``event``) always count as protected time (METRICS.md).
_TOTALS_SQL = """
SELECT COALESCE(SUM(hours), 0) AS learning,
       COALESCE(SUM(CASE WHEN verification_state = 'verified' THEN hours ELSE 0 END), 0) AS verified,
       COALESCE(SUM(CASE WHEN protected_time OR source = 'event' THEN hours ELSE 0 END), 0) AS protected
FROM learning_record
WHERE practitioner = {} AND completed_on >= {} AND completed_on <= {}
"""
_PER_COMPETENCE_SQL = """
SELECT c.code AS code, COALESCE(SUM(r.hours), 0) AS hours
FROM learning_record r
JOIN learning_record_competence rc ON rc.record = r.id
JOIN competence c ON c.id = rc.competence
WHERE r.practitioner = {} AND r.completed_on >= {} AND r.completed_on <= {}
GROUP BY c.code
"""


async def current_cycle(practitioner_id: int, day: date) -> Period | None:
    """The registration cycle running on ``day`` (registration.summary_on): from its start to its renewal date."""
    summary = (await registration.summary_on([practitioner_id], day))[practitioner_id]
    if summary.cycle_start is None or summary.renewal_due is None:
        return None
    due = summary.renewal_due
    return Period(summary.cycle_start, due - timedelta(days=1), f"Registration cycle to {govdate(due)}")


async def progress(practitioner: PractitionerRef, period: Period) -> Progress:
    pid = practitioner["id"]
    totals = (await LearningRecord.raw(_TOTALS_SQL, pid, period.start, period.end))[0]
    hours = {
        r["code"]: float(r["hours"])
        for r in await LearningRecord.raw(_PER_COMPETENCE_SQL, pid, period.start, period.end)
    }
    return Progress(
        label=period.label,
        start=period.start,
        end=period.end,
        required_pl_hours=required_pl_hours(
            practitioner["weekly_hours"], period, practitioner["started_on"], practitioner["left_on"]
        ),
        learning_hours=float(totals["learning"]),
        verified_hours=float(totals["verified"]),
        protected_hours=float(totals["protected"]),
        per_competence=[
            CompetenceProgress(code=c.code, title=c.title, hours=hours.get(c.code, 0.0))
            for c in await list_competences()
        ],
    )


async def progress_overview(viewer: Viewer, practitioner_id: int) -> list[Progress]:
    """The current registration cycle (when registered) and the current reporting year."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    today = clock.today()
    periods = [p for p in (await current_cycle(practitioner_id, today), financial_year(today)) if p is not None]
    year = periods[-1]
    periods[-1] = Period(year.start, year.end, f"Reporting year {year.label}")
    return [await progress(practitioner, p) for p in periods]


async def learning_hours(practitioner_id: int, period: Period) -> float:
    """All learning logged in the period, in hours (METRICS.md's "learning in P")."""
    totals = (await LearningRecord.raw(_TOTALS_SQL, practitioner_id, period.start, period.end))[0]
    return float(totals["learning"])
