"""The history of each practitioner's contract and weekly hours: protected learning time is pro rata to the
hours worked on each day of the year (learning_time/rules.py), so a change counts from the day it is made."""

from __future__ import annotations

import logging
from datetime import date

from registry import clock
from registry.people.tables import HoursChange

__all__ = ("record_hours",)

log = logging.getLogger(__name__)


async def record_hours(
    practitioner_id: int, contract: str, weekly_hours: float, *, by_email: str, from_on: date | None = None
) -> None:
    """Append the hours worked from ``from_on`` (default today), inside the caller's transaction."""
    day = from_on or clock.today()
    await HoursChange.insert(
        HoursChange(
            practitioner=practitioner_id, contract=contract, weekly_hours=weekly_hours, from_on=day,
            recorded_by_email=by_email, recorded_at=clock.now(),
        )
    )  # fmt: skip
    log.info("%s recorded %s h a week (%s) for practitioner %s from %s", by_email, weekly_hours, contract,
             practitioner_id, day)  # fmt: skip
