"""The manager's team view: each team member's ledger for a period, who is behind, whose CLDSC registration
lapses within 90 days, and what awaits the manager. Line managers see the people they manage, partner admins
their organisation, leads and admins everyone (with an organisation filter). The page, its CSV and the
weekly digest read these same functions."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from piccolo.columns.combination import Or

from registry import clock
from registry.accounts.rules import ALLIANCE_ROLES, Role, Viewer
from registry.csv_export import spreadsheet_text
from registry.errors import Forbidden, Invalid
from registry.events.tables import Booking
from registry.learning.rules import Period
from registry.learning.tables import LearningRecord
from registry.learning_time.ledger import ledgers
from registry.learning_time.requests import count_awaiting
from registry.learning_time.rules import behind
from registry.learning_time.schemas import TeamMemberOut
from registry.people.tables import Organisation, Practitioner
from registry.registration import history as registration
from registry.registration.rules import ACTIVE_STATUSES

__all__ = ("CSV_COLUMNS", "Awaiting", "TeamFilter", "awaiting", "team_csv", "team_rows")

LAPSE_WARNING = timedelta(days=90)
PART_TIME_CONTRACTS = ("part_time", "sessional")
"""METRICS.md: part-time is a ``part_time`` or ``sessional`` contract."""
CSV_COLUMNS = (
    "name", "organisation", "contract", "weekly_hours", "setting", "left_on", "entitlement_hours", "used_hours",
    "booked_hours", "remaining_hours", "verified_hours", "behind", "registration_status", "renewal_due",
)  # fmt: skip
TEAM_ROLES = frozenset({Role.MANAGER, Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class TeamFilter:
    period: Period
    part_time: bool | None = None
    """True: part-time and sessional only; False: the others; None: everyone."""
    setting: str | None = None
    organisation: str | None = None
    """An organisation's code (leads and admins; a partner admin's own organisation is always applied)."""


@dataclass(frozen=True, slots=True)
class Awaiting:
    """What waits for the manager, each with the page that lists it."""

    approvals: int
    requests: int
    verifications: int

    @property
    def total(self) -> int:
        return self.approvals + self.requests + self.verifications


def _require_team_role(viewer: Viewer) -> None:
    if viewer.role not in TEAM_ROLES:
        raise Forbidden("The team view is for line managers, partner admins and leads")


async def _where(viewer: Viewer, filters: TeamFilter) -> list[Any]:
    _require_team_role(viewer)
    period = filters.period
    where: list[Any] = [
        Practitioner.started_on <= period.end,
        Practitioner.left_on.is_null() | (Practitioner.left_on > period.start),
    ]
    email = viewer.email.lower()
    if viewer.role is Role.MANAGER:
        where.append(Practitioner.manager_email == email)
    elif viewer.role is Role.PARTNER_ADMIN:
        own = Practitioner.organisation == (viewer.organisation_id or 0)
        where.append(Or(own, Practitioner.manager_email == email))
    if filters.organisation:
        if viewer.role not in ALLIANCE_ROLES:
            raise Forbidden("Only leads and admins can choose another organisation")
        found = await Organisation.select(Organisation.id).where(Organisation.code == filters.organisation.upper())
        if not found:
            raise Invalid({"organisation": f"{filters.organisation} is not an organisation of the alliance"})
        where.append(Practitioner.organisation == found[0]["id"])
    if filters.part_time is not None:
        chosen = Practitioner.contract.is_in(list(PART_TIME_CONTRACTS))
        where.append(chosen if filters.part_time else Practitioner.contract.not_in(list(PART_TIME_CONTRACTS)))
    if filters.setting:
        where.append(Practitioner.setting == filters.setting)
    return where


_COLUMNS = (
    Practitioner.id, Practitioner.given_name, Practitioner.family_name, Practitioner.organisation,
    Practitioner.organisation.code.as_alias("organisation_code"), Practitioner.contract, Practitioner.weekly_hours,
    Practitioner.setting, Practitioner.started_on, Practitioner.left_on,
)  # fmt: skip


async def _members(rows: list[dict[str, Any]], period: Period, today: date) -> list[TeamMemberOut]:
    entries = await ledgers(rows, period)
    summaries = await registration.summary_on([r["id"] for r in rows], today)
    out = []
    for row in rows:
        entry = entries[row["id"]]
        summary = summaries[row["id"]]
        due = summary.renewal_due
        lapsing = (
            due if due is not None and summary.status in ACTIVE_STATUSES and due <= today + LAPSE_WARNING else None
        )
        out.append(
            TeamMemberOut(
                practitioner_id=row["id"], name=f"{row['given_name']} {row['family_name']}",
                organisation=row["organisation_code"], contract=row["contract"], weekly_hours=row["weekly_hours"],
                setting=row["setting"], left_on=row["left_on"], entitlement_hours=entry.entitlement_hours,
                used_hours=entry.used_hours, booked_hours=entry.booked_hours,
                remaining_hours=entry.remaining_hours, verified_hours=entry.verified_hours,
                behind=behind(entry, period, row["started_on"], row["left_on"], today), renewal_due=lapsing,
                registration_status=summary.status,
            )
        )  # fmt: skip
    return out


async def team_rows(viewer: Viewer, filters: TeamFilter, limit: int = 25, offset: int = 0) -> tuple[
    list[TeamMemberOut], int
]:
    """A page of the team, by family name, and how many there are (paged in SQL)."""
    where = await _where(viewer, filters)
    rows = await (
        Practitioner.select(*_COLUMNS).where(*where)
        .order_by(Practitioner.family_name, Practitioner.given_name, Practitioner.id).limit(limit).offset(offset)
    )  # fmt: skip
    return await _members(list(rows), filters.period, clock.today()), await Practitioner.count().where(*where)


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


async def team_csv(viewer: Viewer, filters: TeamFilter, batch: int = 500) -> AsyncIterator[str]:
    """The whole table as CSV, a batch of people at a time (streamed: a lead's alliance is thousands)."""
    await _where(viewer, filters)  # refuse before the first byte
    yield _csv_line(list(CSV_COLUMNS))
    offset = 0
    while True:
        members, total = await team_rows(viewer, filters, batch, offset)
        for m in members:
            values = m.model_dump()
            values["behind"] = "yes" if m.behind else "no"
            values["name"], values["setting"] = spreadsheet_text(m.name), spreadsheet_text(m.setting)
            yield _csv_line(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
        offset += batch
        if offset >= total:
            return


async def awaiting(viewer: Viewer) -> Awaiting:
    """What waits for the viewer as a manager and verifier: event bookings to approve, time requests to
    decide, learning to verify (counted in SQL)."""
    email = viewer.email.lower()
    approvals = await Booking.count().where(
        (Booking.status == "pending_approval") & (Booking.practitioner.manager_email == email)
    )
    verifications = await LearningRecord.count().where(
        (LearningRecord.verifier_email == email) & (LearningRecord.verification_state == "requested")
    )
    return Awaiting(int(approvals), await count_awaiting(viewer), int(verifications))
