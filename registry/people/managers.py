"""Line managers as history: who managed a practitioner from which day, and the practitioner told of a change.

A line manager reads the reflections logged from the day they became the manager (learning/rules.py), so
the day a change takes effect is what decides access; it is kept, never rewritten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from registry import clock
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.people.tables import LineManagerChange
from registry.settings import get_settings

__all__ = ("ManagerChange", "history", "manager_since", "record_manager")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ManagerChange:
    manager_email: str | None
    from_on: date
    recorded_by_email: str
    recorded_at: datetime


async def manager_since(practitioner_id: int, manager_email: str) -> date | None:
    """The day the current stint of this line manager began (None if the history does not know them)."""
    row: dict[str, Any] | None = (
        await LineManagerChange.select(LineManagerChange.from_on)
        .where((LineManagerChange.practitioner == practitioner_id) & (LineManagerChange.manager_email == manager_email))
        .order_by(LineManagerChange.from_on, ascending=False)
        .order_by(LineManagerChange.id, ascending=False)
        .first()
    )
    return row["from_on"] if row else None


async def history(practitioner_id: int) -> list[ManagerChange]:
    """Every change of line manager, newest first."""
    rows = (
        await LineManagerChange.select(
            LineManagerChange.manager_email,
            LineManagerChange.from_on,
            LineManagerChange.recorded_by_email,
            LineManagerChange.recorded_at,
        )
        .where(LineManagerChange.practitioner == practitioner_id)
        .order_by(LineManagerChange.from_on, ascending=False)
        .order_by(LineManagerChange.id, ascending=False)
    )
    return [ManagerChange(**row) for row in rows]


async def record_manager(
    practitioner: dict[str, Any],
    manager_email: str | None,
    *,
    by_email: str,
    from_on: date | None = None,
    tell_practitioner: bool = True,
) -> None:
    """Append a change of line manager (inside the caller's transaction) and tell the practitioner by mail.

    ``practitioner`` needs ``id``, ``email`` and ``given_name``. A new record's first manager starts with the
    record (``from_on`` its start date) and is not mailed: the person has not been invited yet.
    """
    day = from_on or clock.today()
    await LineManagerChange.insert(
        LineManagerChange(
            practitioner=practitioner["id"],
            manager_email=manager_email,
            from_on=day,
            recorded_by_email=by_email,
            recorded_at=clock.now(),
        )
    )
    log.info(
        "%s recorded line manager %s for practitioner %s from %s", by_email, manager_email, practitioner["id"], day
    )
    if not tell_practitioner:
        return
    text, page = render_mail(
        "manager_changed", name=practitioner["given_name"], manager_email=manager_email, day=day, by_email=by_email,
        link=f"{get_settings().base_url}/practitioners/{practitioner['id']}",
    )  # fmt: skip
    await enqueue(practitioner["email"], "Your line manager has changed", text, page)
