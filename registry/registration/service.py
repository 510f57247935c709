"""CLDSC registration: reading and appending the history, and the use cases of seeing and recording it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw

from registry import clock
from registry.accounts.rules import Viewer
from registry.db import write_tx
from registry.errors import Forbidden

# people.service imports this module for statuses; only module attributes are used at call time, so the
# cycle resolves whichever side is imported first.
from registry.people import service as people
from registry.people.schemas import PractitionerOut
from registry.registration.rules import (
    RegistrationRow,
    can_record_change,
    category_for,
    current_cycle,
    days_until,
    renewal_due_for,
    status_on,
)
from registry.registration.schemas import RegistrationChangeIn, RegistrationOut, RegistrationRowOut
from registry.registration.tables import CldscRegistration

__all__ = (
    "RegistrationPage",
    "append_change",
    "get_registration",
    "latest_changes",
    "record_change",
    "registration_page",
    "status_is",
    "statuses_on",
    "summary_for",
)

log = logging.getLogger(__name__)

# The SQL twin of rules.status_on, for filtering lists in the database. Kept beside the rule it mirrors;
# tests compare the two on the same rows.
_STATUS_SQL = """COALESCE((
    SELECT CASE WHEN r.status IN ('registered', 'associate') AND r.renewal_due < {}
                THEN 'lapsed' ELSE r.status END
    FROM cldsc_registration r
    WHERE r.practitioner = practitioner.id AND r.effective_from <= {}
    ORDER BY r.effective_from DESC, r.id DESC
    LIMIT 1
), 'none')"""


def status_is(status: str, day: date) -> WhereRaw:
    """A WHERE clause on ``practitioner``: registration status on ``day`` equals ``status``."""
    return WhereRaw(_STATUS_SQL + " = {}", day, day, status)


async def statuses_on(practitioner_ids: Iterable[int], day: date) -> dict[int, str]:
    """Status on ``day`` for each practitioner, in one query."""
    ids = list(practitioner_ids)
    if not ids:
        return {}
    rows = await CldscRegistration.select(
        CldscRegistration.id,
        CldscRegistration.practitioner,
        CldscRegistration.status,
        CldscRegistration.effective_from,
        CldscRegistration.renewal_due,
    ).where(CldscRegistration.practitioner.is_in(ids))
    history: dict[int, list[RegistrationRow]] = defaultdict(list)
    for row in rows:
        history[row["practitioner"]].append(
            RegistrationRow(row["id"], row["status"], row["effective_from"], row["renewal_due"])
        )
    return {pid: status_on(history.get(pid, []), day) for pid in ids}


async def append_change(
    practitioner_id: int,
    status: str,
    effective_from: date,
    *,
    membership_number: str | None = None,
    renewal_due: date | None = None,
    route: str | None = None,
    recorded_by_email: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Append a registration change (call inside the use case's write transaction)."""
    renewal_due = renewal_due_for(status, effective_from, renewal_due)
    row = CldscRegistration(
        practitioner=practitioner_id,
        status=status,
        category=category_for(status),
        route=route,
        membership_number=membership_number,
        effective_from=effective_from,
        renewal_due=renewal_due,
        note=note,
        recorded_by_email=recorded_by_email,
        recorded_at=clock.now(),
    )
    await CldscRegistration.insert(row)
    return row.to_dict()


async def latest_changes(practitioner_ids: Iterable[int]) -> dict[int, tuple[str, date | None, str | None]]:
    """The most recent recorded (status, renewal_due, membership_number) of each practitioner that has one."""
    ids = list(practitioner_ids)
    if not ids:
        return {}
    rows = (
        await CldscRegistration.select(
            CldscRegistration.practitioner,
            CldscRegistration.status,
            CldscRegistration.renewal_due,
            CldscRegistration.membership_number,
        )
        .where(CldscRegistration.practitioner.is_in(ids))
        .order_by(CldscRegistration.effective_from, CldscRegistration.id)
    )
    return {r["practitioner"]: (r["status"], r["renewal_due"], r["membership_number"]) for r in rows}


# ---------------------------------------------------------------- use cases


@dataclass(frozen=True, slots=True)
class RegistrationPage:
    """What the registration page shows: whose it is, their registration, and whether the viewer may record."""

    practitioner: PractitionerOut
    registration: RegistrationOut
    can_record: bool


_ROW_COLUMNS = (
    CldscRegistration.id,
    CldscRegistration.status,
    CldscRegistration.category,
    CldscRegistration.route,
    CldscRegistration.membership_number,
    CldscRegistration.effective_from,
    CldscRegistration.renewal_due,
    CldscRegistration.note,
    CldscRegistration.recorded_by_email,
    CldscRegistration.recorded_at,
)


async def _registration(practitioner_id: int, day: date) -> RegistrationOut:
    rows = await (
        CldscRegistration.select(*_ROW_COLUMNS)
        .where(CldscRegistration.practitioner == practitioner_id)
        .order_by(CldscRegistration.effective_from, CldscRegistration.id, ascending=False)
    )
    history = [RegistrationRowOut(**row) for row in rows]
    facts = [RegistrationRow(r.id, r.status, r.effective_from, r.renewal_due) for r in history]
    cycle = current_cycle(facts, day)
    renewal_due = cycle.renewal_due if cycle else None
    # Newest first, so the first number in effect by the day is the latest one.
    number = next((r.membership_number for r in history if r.membership_number and r.effective_from <= day), None)
    return RegistrationOut(
        practitioner_id=practitioner_id,
        status_today=status_on(facts, day),
        category=category_for(cycle.status) if cycle else None,
        membership_number=number,
        renewal_due=renewal_due,
        days_to_renewal=days_until(renewal_due, day) if renewal_due else None,
        history=history,
    )


async def get_registration(viewer: Viewer, practitioner_id: int) -> RegistrationOut:
    """Status today, the current cycle's renewal and the history; 404 outside the viewer's scope."""
    await people.get_practitioner(viewer, practitioner_id)
    return await _registration(practitioner_id, clock.today())


async def summary_for(viewer: Viewer, practitioner_id: int) -> RegistrationOut:
    """The registration for the summary card on the practitioner page (same scope rule as the page)."""
    return await get_registration(viewer, practitioner_id)


async def registration_page(viewer: Viewer, practitioner_id: int) -> RegistrationPage:
    """Everything the registration page needs, in one scope check."""
    practitioner = await people.get_practitioner(viewer, practitioner_id)
    return RegistrationPage(
        practitioner=practitioner,
        registration=await _registration(practitioner_id, clock.today()),
        can_record=can_record_change(viewer, practitioner.id, practitioner.manager_email),
    )


async def record_change(viewer: Viewer, practitioner_id: int, data: RegistrationChangeIn) -> RegistrationOut:
    """Append a change (never overwrite): by the practitioner, their line manager, a lead or an admin."""
    practitioner = await people.get_practitioner(viewer, practitioner_id)
    if not can_record_change(viewer, practitioner.id, practitioner.manager_email):
        raise Forbidden("Only the practitioner, their line manager or an alliance lead can record registration")
    async with write_tx():
        row = await append_change(
            practitioner_id,
            data.status,
            data.effective_from,
            membership_number=data.membership_number,
            renewal_due=data.renewal_due,
            route=data.route,
            recorded_by_email=viewer.email,
            note=data.note or "",
        )
    log.info(
        "%s recorded CLDSC %s for practitioner %s effective %s (renewal due %s)",
        viewer.email,
        data.status,
        practitioner_id,
        data.effective_from,
        row["renewal_due"],
    )
    return await _registration(practitioner_id, clock.today())
