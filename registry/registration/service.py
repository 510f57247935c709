"""CLDSC registration: reading and appending the history, and the use cases of seeing and recording it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from registry import clock
from registry.accounts.rules import Viewer
from registry.audit import service as audit
from registry.db import write_tx
from registry.errors import Forbidden, Invalid
from registry.people import service as people
from registry.people.schemas import PractitionerOut
from registry.people.tables import Practitioner
from registry.registration.history import append_change, latest_changes, status_is, statuses_on, summary_on
from registry.registration.rules import (
    CONFIRMED,
    PENDING,
    RegistrationRow,
    can_confirm_change,
    can_record_change,
    claim_problems,
    confirmed_when_recorded,
    days_until,
    summary_of,
)
from registry.registration.schemas import RegistrationChangeIn, RegistrationOut, RegistrationRowOut
from registry.registration.tables import CldscRegistration

__all__ = (
    "Recorded",
    "RegistrationPage",
    "append_change",
    "get_registration",
    "latest_changes",
    "record",
    "record_change",
    "registration_on",
    "registration_page",
    "status_is",
    "statuses_on",
    "summary_for",
    "summary_on",
)

log = logging.getLogger(__name__)




@dataclass(frozen=True, slots=True)
class RegistrationPage:
    """What the registration page shows: whose it is, their registration, and whether the viewer may record
    a change or confirm the claims waiting."""

    practitioner: PractitionerOut
    registration: RegistrationOut
    can_record: bool
    can_confirm: bool


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recorded change: the registration as it now stands, and whether the change waits for confirmation."""

    registration: RegistrationOut
    awaiting_confirmation: bool


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
    CldscRegistration.state,
    CldscRegistration.decided_by_email,
    CldscRegistration.decided_at,
    CldscRegistration.decision_note,
)


async def registration_on(practitioner_id: int, day: date) -> RegistrationOut:
    """The registration on ``day`` and its history (no scope check: for use cases that made one)."""
    rows = await (
        CldscRegistration.select(*_ROW_COLUMNS)
        .where(CldscRegistration.practitioner == practitioner_id)
        .order_by(CldscRegistration.effective_from, CldscRegistration.id, ascending=False)
    )
    history = [RegistrationRowOut(**row) for row in rows]
    # The rule summary_on applies, applied to the history already read (not read a second time).
    facts = [
        RegistrationRow(r.id, r.status, r.effective_from, r.renewal_due, r.state, r.membership_number)
        for r in history
    ]
    summary = summary_of(facts, day)
    renewal_due = summary.renewal_due
    return RegistrationOut(
        practitioner_id=practitioner_id,
        status_today=summary.status,
        category=summary.category,
        membership_number=summary.membership_number,
        renewal_due=renewal_due,
        days_to_renewal=days_until(renewal_due, day) if renewal_due else None,
        awaiting_confirmation=[r for r in history if r.state == PENDING],
        history=history,
    )


async def get_registration(viewer: Viewer, practitioner_id: int) -> RegistrationOut:
    """Status today, the current cycle's renewal and the history; 404 outside the viewer's scope."""
    await people.get_practitioner(viewer, practitioner_id)
    return await registration_on(practitioner_id, clock.today())


async def summary_for(viewer: Viewer, practitioner_id: int) -> RegistrationOut:
    """The registration for the summary card on the practitioner page (same scope rule as the page)."""
    return await get_registration(viewer, practitioner_id)


async def organisation_of(practitioner_id: int) -> int:
    """The practitioner's organisation id (PractitionerOut carries only its code)."""
    row = await Practitioner.select(Practitioner.organisation).where(Practitioner.id == practitioner_id).first()
    assert row is not None
    return int(row["organisation"])


async def registration_page(viewer: Viewer, practitioner_id: int) -> RegistrationPage:
    """Everything the registration page needs, in one scope check."""
    practitioner = await people.get_practitioner(viewer, practitioner_id)
    return RegistrationPage(
        practitioner=practitioner,
        registration=await registration_on(practitioner_id, clock.today()),
        can_record=can_record_change(viewer, practitioner.id, practitioner.manager_email),
        can_confirm=can_confirm_change(viewer, practitioner.id, await organisation_of(practitioner_id)),
    )


async def record(viewer: Viewer, practitioner_id: int, data: RegistrationChangeIn) -> Recorded:
    """Append a change (never overwrite): by the practitioner, their line manager, a lead or an admin.

    Becoming registered or associate, recorded by the practitioner or their line manager (or by a lead for
    themselves), is a claim: it needs the membership number and counts only once confirmed.
    """
    practitioner = await people.get_practitioner(viewer, practitioner_id)
    if not can_record_change(viewer, practitioner.id, practitioner.manager_email):
        raise Forbidden("Only the practitioner, their line manager or an alliance lead can record registration")
    organisation_id = await organisation_of(practitioner_id)
    confirmed = confirmed_when_recorded(viewer, data.status, practitioner_id, organisation_id)
    if not confirmed and (problems := claim_problems(data.membership_number)):
        raise Invalid(problems)
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
            state=CONFIRMED if confirmed else PENDING,
        )
        await audit.record(
            viewer, "registration.recorded" if confirmed else "registration.claimed",
            subject=f"practitioner:{practitioner_id}",
            summary=f"CLDSC {data.status} from {data.effective_from.isoformat()}"
            + ("" if confirmed else f", awaiting confirmation as change {row['id']}"),
            details={"change_id": row["id"], "status": data.status, "effective_from": data.effective_from,
                     "renewal_due": row["renewal_due"], "confirmed": confirmed},
        )  # fmt: skip
    log.info(
        "%s recorded CLDSC %s for practitioner %s effective %s (renewal due %s)%s",
        viewer.email,
        data.status,
        practitioner_id,
        data.effective_from,
        row["renewal_due"],
        "" if confirmed else f", awaiting confirmation as change {row['id']}",
    )
    return Recorded(await registration_on(practitioner_id, clock.today()), awaiting_confirmation=not confirmed)


async def record_change(viewer: Viewer, practitioner_id: int, data: RegistrationChangeIn) -> RegistrationOut:
    """``record``, answering the registration as it now stands."""
    return (await record(viewer, practitioner_id, data)).registration
