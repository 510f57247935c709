"""Demo data for the metrics: last financial year's shared events (held, with attendance) and learning needs,
reflective discussions that verified some learning in both years, and the city's CLD Plan 2024–27 carrying
the strategy's workforce indicators on with targets for this year — so that the dashboard shows every
indicator against a baseline.

Loaded through the same services as real use. Last year's events are booked while still ahead and then moved
to their real dates, as a host recording a past event does (registry.events.demo does the same); last year's
needs are recorded through the service and then dated when the alliance's survey collected them, since a
service records a need on the day it is told.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta

from registry import clock
from registry.accounts.rules import Role, Viewer
from registry.cli_viewer import COMMAND_LINE
from registry.db import write_tx
from registry.errors import Conflict, Invalid
from registry.events import bookings
from registry.events import service as events
from registry.events.schemas import AttendanceItem, EventIn, EventPatch, SessionIn
from registry.events.tables import Event
from registry.learning import service as learning
from registry.learning import verification
from registry.learning.rules import financial_year
from registry.learning.schemas import LearningNeedIn
from registry.learning.tables import LearningNeed, LearningRecord
from registry.metrics import plans
from registry.metrics.plans import BUILTIN_PLAN
from registry.metrics.schemas import ActionIn, IndicatorIn, PlanIn, TargetIn
from registry.metrics.tables import MetricPlan
from registry.people.tables import Practitioner
from registry.settings import get_settings

__all__ = ("load_metrics_demo",)

# title, host, competences, topics, hours, days into last year
LAST_YEAR = (
    ("Community engagement standards refresher", "DCC", ["C1", "C4"], ["engagement"], 3, 40),
    ("Youth work and schools: planning together", "ANGUS", ["C6", "C3"], ["schools"], 2.5, 95),
    ("What the CLD Standards Council does", "FIFE", ["C7"], ["cldsc"], 1.5, 150),
    ("Adult literacies: learner-led assessment", "FIFEALN", ["C3", "C7"], ["literacies"], 2, 210),
    ("Volunteers and safeguarding", "DVVA", ["C5", "C2"], ["volunteering"], 2, 280),
)
NEEDS_LAST_YEAR = (
    ("C4", "Engaging communities in locality planning"), ("C6", "Working with schools"),
    ("C7", "Measuring the difference we make"), ("C1", "Using community profiles"),
)  # fmt: skip
TARGETS = {"A2": 10, "B1": 12, "C1": 0.5, "D3": 0.6}
"""CLD Plan 2024–27's targets for this year (shares as fractions)."""


def _sessions(day: date, hours: float) -> list[SessionIn]:
    begins = datetime.combine(day, time(10, 0), get_settings().zone)
    return [SessionIn(starts_at=begins, ends_at=begins + timedelta(hours=hours))]


async def _last_years_events(rng: random.Random, people: list[int], year_start: date) -> int:
    held = 0
    for index, (title, host, competences, topics, hours, offset) in enumerate(LAST_YEAR):
        event = await events.create_event(
            COMMAND_LINE,
            EventIn(title=title, description=f"Shared learning of the alliance, hosted by {host}.",
                    host_organisation=host, format="online", capacity=20,
                    online_url=f"https://meet.example.org/last-year-{index}",
                    sessions=_sessions(clock.today() + timedelta(days=30 + index), hours), competences=competences,
                    topics=topics, status="published"),
        )  # fmt: skip
        made = [await bookings.book(COMMAND_LINE, event.id, pid) for pid in rng.sample(people, min(10, len(people)))]
        await events.update_event(
            COMMAND_LINE, event.id, EventPatch(sessions=_sessions(year_start + timedelta(days=offset), hours))
        )
        confirmed = [b for b in made if b.status == "confirmed"]
        items = [AttendanceItem(booking_id=b.id, attended=rng.random() < 0.8) for b in confirmed]
        await bookings.set_attendance(COMMAND_LINE, event.id, items)
        held += 1
    return held


async def _last_years_needs(rng: random.Random, people: list[int], year_start: date) -> int:
    ids = []
    for pid in rng.sample(people, min(12, len(people))):
        code, text = rng.choice(NEEDS_LAST_YEAR)
        need = await learning.record_need(COMMAND_LINE, pid, LearningNeedIn(competence=code, description=text))
        ids.append(need.id)
    async with write_tx():
        for n, need_id in enumerate(ids):
            day = year_start + timedelta(days=60 + 12 * n)
            await LearningNeed.update({LearningNeed.recorded_on: day}).where(LearningNeed.id == need_id)
    return len(ids)


async def _discussions(rng: random.Random) -> int:
    """Some self-recorded learning verified by the line manager after a reflective discussion."""
    rows = await LearningRecord.select(
        LearningRecord.id, LearningRecord.practitioner, LearningRecord.practitioner.email.as_alias("email"),
        LearningRecord.practitioner.manager_email.as_alias("manager"),
    ).where(
        (LearningRecord.source == "self") & (LearningRecord.verification_state == "none")
        & LearningRecord.practitioner.manager_email.is_not_null() & LearningRecord.practitioner.left_on.is_null()
    ).order_by(LearningRecord.id)  # fmt: skip
    verified = 0
    for row in rng.sample(list(rows), min(16, len(rows))):
        own = Viewer(0, row["email"], "Demo practitioner", Role.PRACTITIONER, practitioner_id=row["practitioner"])
        manager = Viewer(0, row["manager"], "Demo manager", Role.MANAGER)
        try:
            await verification.request_verification(own, row["practitioner"], row["id"], row["manager"])
            await verification.verify(manager, row["id"], "Discussed in supervision: what changed in practice.")
        except (Conflict, Invalid):
            continue  # a manager cannot verify their own manager's learning, and so on: the demo skips those
        verified += 1
    return verified


async def _plan_2024_27() -> str:
    if await MetricPlan.exists().where(MetricPlan.code == "CLD-2024-27"):
        return "CLD Plan 2024-27 already recorded"
    plan = await plans.create_plan(
        COMMAND_LINE,
        PlanIn(code="CLD-2024-27", name="CLD Plan 2024–27: Learning and Workforce Development",
               description="The Dundee Partnership's CLD Plan 2024–27 carries the 2018–21 workforce actions on."),
    )  # fmt: skip
    with BUILTIN_PLAN.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for code, title in {r["action_code"]: r["action_title"] for r in rows}.items():
        await plans.add_action(COMMAND_LINE, plan.id, ActionIn(code=code, title=title))
    for r in rows:
        await plans.add_indicator(
            COMMAND_LINE, plan.id,
            IndicatorIn(action=r["action_code"], code=r["indicator_code"], title=r["indicator_title"],
                        metric=r["metric"], direction=r["direction"]),
        )  # fmt: skip
    this_year = financial_year(clock.today()).label
    for code, value in TARGETS.items():
        await plans.set_target(COMMAND_LINE, plan.id, TargetIn(indicator=code, period=this_year, value=value))
    return f"CLD Plan 2024-27 with {len(TARGETS)} targets for {this_year}"


async def load_metrics_demo() -> str:
    """Load the metrics' demo data unless last year already has events."""
    year_start = financial_year(clock.today()).start
    last_start = financial_year(year_start - timedelta(days=1)).start
    if await Event.exists().where(Event.first_starts_at < clock.local_midnight(year_start)):
        return "last year's events already recorded; none added"
    rng = random.Random(2024)
    people = [
        r["id"]
        for r in await Practitioner.select(Practitioner.id)
        .where(Practitioner.left_on.is_null() & (Practitioner.started_on < last_start))
        .order_by(Practitioner.id)
    ]
    held = await _last_years_events(rng, people, last_start)
    needs = await _last_years_needs(rng, people, last_start)
    verified = await _discussions(rng)
    plan = await _plan_2024_27()
    return f"{held} events held last year, {needs} needs recorded last year, {verified} records verified; {plan}"
