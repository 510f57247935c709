"""Use cases of protected learning time: policies, individual adjustments, and one person's ledger."""

from __future__ import annotations

import logging
from datetime import date

from registry import clock
from registry.accounts.rules import Viewer
from registry.db import write_tx
from registry.errors import Forbidden, Invalid, NotFound
from registry.learning.progress import learning_hours
from registry.learning.rules import Period, financial_year, parse_period, required_pl_hours
from registry.learning.schemas import LearningTimeOut
from registry.learning.service import PractitionerRef, practitioner_ref
from registry.learning_time.ledger import ledgers
from registry.learning_time.rules import Ledger, may_adjust, may_set_policy
from registry.learning_time.schemas import AdjustmentIn, AdjustmentOut, PolicyIn, PolicyOut
from registry.learning_time.tables import LearningTimeAdjustment, LearningTimePolicy
from registry.people.tables import Organisation, Practitioner

__all__ = (
    "add_adjustment",
    "balance_on",
    "learning_time",
    "ledger_of",
    "list_adjustments",
    "list_policies",
    "may_adjust_for",
    "period_or_this_year",
    "remaining_on",
    "set_policy",
    "time_of",
)

log = logging.getLogger(__name__)


def period_or_this_year(text: str | None) -> Period:
    """A period as INTERFACE.md writes it, or the current financial year; Invalid names what is wrong."""
    if not text:
        return financial_year(clock.today())
    try:
        return parse_period(text)
    except ValueError as exc:
        raise Invalid({"period": str(exc)}) from exc


async def _organisation(organisation_id: int) -> dict[str, object]:
    row = await Organisation.select(Organisation.id, Organisation.code, Organisation.name).where(
        Organisation.id == organisation_id
    ).first()
    if row is None:
        raise NotFound("No such organisation")
    return row


async def list_policies(viewer: Viewer, organisation_id: int) -> list[PolicyOut]:
    """An organisation's policies, newest first (everyone signed in may read them: they are not personal)."""
    organisation = await _organisation(organisation_id)
    rows = await (
        LearningTimePolicy.select(
            LearningTimePolicy.id, LearningTimePolicy.hours_per_year, LearningTimePolicy.full_time_weekly_hours,
            LearningTimePolicy.applies_from, LearningTimePolicy.set_by_email, LearningTimePolicy.set_at,
        )
        .where(LearningTimePolicy.organisation == organisation_id)
        .order_by(LearningTimePolicy.applies_from, ascending=False)
        .order_by(LearningTimePolicy.id, ascending=False)
    )  # fmt: skip
    return [PolicyOut(**row, organisation=str(organisation["code"])) for row in rows]


async def set_policy(viewer: Viewer, organisation_id: int, data: PolicyIn) -> PolicyOut:
    """Record the policy from its date. Earlier years keep theirs: a date inside a year gone by is refused, and
    a change from a day already past applies only from that day."""
    organisation = await _organisation(organisation_id)
    if not may_set_policy(viewer, organisation_id):
        raise Forbidden("Only a partner admin of the organisation, a lead or an admin can set its policy")
    if data.applies_from < financial_year(clock.today()).start:
        raise Invalid({"applies_from": "must be in this financial year or later: earlier years keep their policy"})
    async with write_tx():
        inserted = await LearningTimePolicy.insert(
            LearningTimePolicy(
                organisation=organisation_id, hours_per_year=data.hours_per_year,
                full_time_weekly_hours=data.full_time_weekly_hours, applies_from=data.applies_from,
                set_by_email=viewer.email, set_at=clock.now(),
            )
        ).returning(LearningTimePolicy.id)  # fmt: skip
    log.info(
        "%s set the learning time policy of %s: %s h a year per %s h a week from %s",
        viewer.email, organisation["code"], data.hours_per_year, data.full_time_weekly_hours, data.applies_from,
    )  # fmt: skip
    return next(p for p in await list_policies(viewer, organisation_id) if p.id == inserted[0]["id"])


def may_adjust_for(viewer: Viewer, practitioner: PractitionerRef) -> bool:
    return may_adjust(viewer, practitioner["id"], practitioner["organisation"], practitioner["manager_email"])


async def list_adjustments(viewer: Viewer, practitioner_id: int) -> list[AdjustmentOut]:
    """A person's adjustments, newest year first (whoever may see the person)."""
    await practitioner_ref(viewer, practitioner_id)
    rows = await (
        LearningTimeAdjustment.select(
            LearningTimeAdjustment.id, LearningTimeAdjustment.year_start, LearningTimeAdjustment.hours,
            LearningTimeAdjustment.reason, LearningTimeAdjustment.recorded_by_email,
            LearningTimeAdjustment.recorded_at,
        )
        .where(LearningTimeAdjustment.practitioner == practitioner_id)
        .order_by(LearningTimeAdjustment.year_start, ascending=False)
        .order_by(LearningTimeAdjustment.id, ascending=False)
    )  # fmt: skip
    return [
        AdjustmentOut(
            id=r["id"], period=financial_year(r["year_start"]).label, hours=r["hours"], reason=r["reason"],
            recorded_by_email=r["recorded_by_email"], recorded_at=r["recorded_at"],
        )
        for r in rows
    ]  # fmt: skip


async def add_adjustment(viewer: Viewer, practitioner_id: int, data: AdjustmentIn) -> AdjustmentOut:
    """Extra or fewer hours for one person and year, with the reason (their manager, partner admin or a lead)."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    if not may_adjust_for(viewer, practitioner):
        raise Forbidden("Only the line manager, a partner admin of their organisation, a lead or an admin can adjust")
    year = period_or_this_year(data.period)
    if year.start < financial_year(clock.today()).start:
        raise Invalid({"period": "must be this financial year or later: a year gone by is not rewritten"})
    async with write_tx():
        inserted = await LearningTimeAdjustment.insert(
            LearningTimeAdjustment(
                practitioner=practitioner_id, year_start=year.start, hours=data.hours, reason=data.reason,
                recorded_by_email=viewer.email, recorded_at=clock.now(),
            )
        ).returning(LearningTimeAdjustment.id)  # fmt: skip
    log.info("%s adjusted the learning time of practitioner %s for %s by %s h", viewer.email, practitioner_id,
             year.label, data.hours)  # fmt: skip
    return next(a for a in await list_adjustments(viewer, practitioner_id) if a.id == inserted[0]["id"])


async def ledger_of(practitioner: PractitionerRef, period: Period) -> Ledger:
    return (await ledgers([practitioner], period))[practitioner["id"]]


async def learning_time(viewer: Viewer, practitioner_id: int, period: Period) -> LearningTimeOut:
    """INTERFACE.md's learning-time: the ledger of protected time, and the CLDSC requirement, for a period."""
    return await time_of(await practitioner_ref(viewer, practitioner_id), period)


async def time_of(practitioner: PractitionerRef, period: Period) -> LearningTimeOut:
    """``learning_time`` for a practitioner the caller has already been let see (``practitioner_ref``)."""
    entry = await ledger_of(practitioner, period)
    return LearningTimeOut(
        period=period.label,
        entitlement_hours=entry.entitlement_hours,
        used_hours=entry.used_hours,
        booked_hours=entry.booked_hours,
        remaining_hours=entry.remaining_hours,
        required_pl_hours=required_pl_hours(
            practitioner["weekly_hours"], period, practitioner["started_on"], practitioner["left_on"]
        ),
        learning_hours=await learning_hours(practitioner["id"], period),
    )


async def remaining_on(wanted: list[tuple[int, date]]) -> dict[tuple[int, date], float]:
    """Protected hours remaining for each (practitioner, day), in the financial year of the day: what a
    manager sees beside a booking waiting for approval (a few grouped queries per year, not per booking)."""
    by_year: dict[Period, set[int]] = {}
    for practitioner_id, day in wanted:
        by_year.setdefault(financial_year(day), set()).add(practitioner_id)
    out: dict[tuple[int, date], float] = {}
    for year, ids in by_year.items():
        people = await Practitioner.select(
            Practitioner.id, Practitioner.organisation, Practitioner.started_on, Practitioner.left_on
        ).where(Practitioner.id.is_in(sorted(ids)))
        entries = await ledgers(people, year)
        for practitioner_id, day in wanted:
            if financial_year(day) == year and practitioner_id in entries:
                out[(practitioner_id, day)] = entries[practitioner_id].remaining_hours
    return out


async def balance_on(viewer: Viewer, day: date) -> tuple[Period, Ledger] | None:
    """The signed-in person's own ledger for the financial year containing ``day`` (None without a record)."""
    if viewer.practitioner_id is None:
        return None
    practitioner = await practitioner_ref(viewer, viewer.practitioner_id)
    year = financial_year(day)
    return year, await ledger_of(practitioner, year)
