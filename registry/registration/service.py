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
from registry.accounts.tables import User
from registry.db import batches, write_tx
from registry.errors import Forbidden, Invalid

# people.service imports this module for statuses; only module attributes are used at call time, so the
# cycle resolves whichever side is imported first.
from registry.people import service as people
from registry.people.schemas import PractitionerOut
from registry.people.tables import Practitioner
from registry.registration.rules import (
    ACTIVE_STATUSES,
    CONFIRMED,
    NOT_REGISTERED,
    PENDING,
    RegistrationRow,
    RegistrationSummary,
    can_confirm_change,
    can_record_change,
    category_for,
    claim_problems,
    confirmed_when_recorded,
    days_until,
    renewal_due_for,
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

# The SQL twin of rules.status_on, for filtering lists in the database. Kept beside the rule it mirrors;
# tests compare the two on the same rows.
_STATUS_SQL = """COALESCE((
    SELECT CASE WHEN r.status IN ('registered', 'associate') AND r.renewal_due < {}
                THEN 'lapsed' ELSE r.status END
    FROM cldsc_registration r
    WHERE r.practitioner = practitioner.id AND r.state = 'confirmed' AND r.effective_from <= {}
    ORDER BY r.effective_from DESC, r.id DESC
    LIMIT 1
), 'none')"""


def status_is(status: str, day: date) -> WhereRaw:
    """A WHERE clause on ``practitioner``: registration status on ``day`` equals ``status``."""
    return WhereRaw(_STATUS_SQL + " = {}", day, day, status)


async def summary_on(practitioner_ids: Iterable[int], day: date) -> dict[int, RegistrationSummary]:
    """The registration on ``day`` of many people: one query (per 500 people) over their confirmed history,
    told by the pure rule. Every part of the registry asks this: pages, API, progress, the renewal pack,
    reminders, the digest and the metrics, so they cannot disagree."""
    ids = list(dict.fromkeys(practitioner_ids))
    history: dict[int, list[RegistrationRow]] = defaultdict(list)
    for chunk in batches(ids):
        for row in await CldscRegistration.select(
            CldscRegistration.id,
            CldscRegistration.practitioner,
            CldscRegistration.status,
            CldscRegistration.effective_from,
            CldscRegistration.renewal_due,
            CldscRegistration.membership_number,
        ).where(
            CldscRegistration.practitioner.is_in(chunk)
            & (CldscRegistration.state == CONFIRMED)
            & (CldscRegistration.effective_from <= day)
        ):
            history[row["practitioner"]].append(
                RegistrationRow(
                    row["id"], row["status"], row["effective_from"], row["renewal_due"],
                    membership_number=row["membership_number"],
                )
            )  # fmt: skip
    return {pid: summary_of(history[pid], day) if pid in history else NOT_REGISTERED for pid in ids}


async def statuses_on(practitioner_ids: Iterable[int], day: date) -> dict[int, str]:
    """Status on ``day`` for each practitioner (confirmed changes only: a claim makes nobody a verifier, nor
    shows in a list filtered by status)."""
    return {pid: summary.status for pid, summary in (await summary_on(practitioner_ids, day)).items()}


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
    state: str | None = None,
) -> dict[str, Any]:
    """Append a registration change (call inside the use case's write transaction).

    ``state`` is decided by the use case; when it is not (HR imports), the change counts at once unless it
    is someone recording an active status for themselves (a partner admin importing their own row), which
    waits for another confirmer like any claim.
    """
    if state is None:
        state = await _state_of_import(practitioner_id, status, recorded_by_email)
    renewal_due = renewal_due_for(status, effective_from, renewal_due)
    now = clock.now()
    if state == PENDING:
        same = await _same_pending_claim(practitioner_id, status, effective_from, membership_number)
        if same is not None:
            return same  # a re-import of the same file adds no second claim
    confirmed = state == CONFIRMED
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
        recorded_at=now,
        state=state,
        decided_by_email=recorded_by_email if confirmed else None,
        decided_at=now if confirmed else None,
    )
    await CldscRegistration.insert(row)
    return row.to_dict()


async def _state_of_import(practitioner_id: int, status: str, recorded_by_email: str | None) -> str:
    # The command line ("command-line") is nobody's own record: large imports run there, without a look-up.
    if status not in ACTIVE_STATUSES or not recorded_by_email or "@" not in recorded_by_email:
        return CONFIRMED
    email = recorded_by_email.lower()
    own = await User.exists().where((User.email == email) & (User.practitioner == practitioner_id)) or (
        await Practitioner.exists().where((Practitioner.id == practitioner_id) & (Practitioner.email == email))
    )
    return PENDING if own else CONFIRMED


async def _same_pending_claim(
    practitioner_id: int, status: str, effective_from: date, membership_number: str | None
) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await CldscRegistration.select()
        .where(
            (CldscRegistration.practitioner == practitioner_id)
            & (CldscRegistration.state == PENDING)
            & (CldscRegistration.status == status)
            & (CldscRegistration.effective_from == effective_from)
        )
        .first()
    )
    return row if row is not None and row["membership_number"] == membership_number else None


async def latest_changes(practitioner_ids: Iterable[int]) -> dict[int, tuple[str, date | None, str | None]]:
    """The most recent confirmed (status, renewal_due, membership_number) of each practitioner that has one.

    Imports compare with it: a claim waiting for confirmation, or rejected, is not what HR's file updates.
    """
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
        .where(CldscRegistration.practitioner.is_in(ids) & (CldscRegistration.state == CONFIRMED))
        .order_by(CldscRegistration.effective_from, CldscRegistration.id)
    )
    return {r["practitioner"]: (r["status"], r["renewal_due"], r["membership_number"]) for r in rows}


# ---------------------------------------------------------------- use cases


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
    summary = (await summary_on([practitioner_id], day))[practitioner_id]
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
