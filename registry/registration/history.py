"""The registration history as data: reading it (the one summary, the status filter) and appending to it.

Other areas (people's lists and HR imports, learning, notify, the metrics) read and append here; this
module imports no other area's service, so nothing imports in a circle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw

from registry import clock
from registry.accounts.tables import User
from registry.db import batches
from registry.people.tables import Practitioner
from registry.registration.rules import (
    ACTIVE_STATUSES,
    CONFIRMED,
    NOT_REGISTERED,
    PENDING,
    RegistrationRow,
    RegistrationSummary,
    category_for,
    renewal_due_for,
    summary_of,
)
from registry.registration.tables import CldscRegistration

__all__ = ("append_change", "latest_changes", "status_is", "statuses_on", "summary_on")

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
