"""Reading and appending CLDSC registration history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw

from registry import clock
from registry.registration.rules import RegistrationRow, category_for, default_renewal_due, status_on
from registry.registration.tables import CldscRegistration

__all__ = ("append_change", "latest_changes", "status_is", "statuses_on")

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
    if renewal_due is None and status in {"registered", "associate"}:
        renewal_due = default_renewal_due(effective_from)
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
