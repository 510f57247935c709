"""CLDSC registration rules: the status on a date, the 3-yearly renewal, categories, who records changes,
and which changes wait for confirmation and who may confirm them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from registry.accounts.rules import ALLIANCE_ROLES, Role, Viewer, is_self

__all__ = (
    "ACTIVE_STATUSES",
    "CHANGE_STATES",
    "CONFIRMED",
    "CONFIRMING_ROLES",
    "NOT_REGISTERED",
    "PENDING",
    "RECORDING_ROLES",
    "REJECTED",
    "RENEWAL_YEARS",
    "ROUTES",
    "STATUSES",
    "RegistrationRow",
    "RegistrationSummary",
    "can_confirm_change",
    "can_record_change",
    "category_for",
    "claim_problems",
    "confirmed_when_recorded",
    "current_cycle",
    "days_until",
    "default_renewal_due",
    "renewal_due_for",
    "status_on",
    "summary_of",
)

STATUSES: tuple[str, ...] = ("applied", "registered", "associate", "lapsed", "withdrawn")
ACTIVE_STATUSES = frozenset({"registered", "associate"})
"""Statuses that lapse when their renewal date passes."""
RENEWAL_YEARS = 3
ROUTES: tuple[str, ...] = ("recognised_qualification", "individual_recognition_process")
"""How a registered member qualified: a CLDSC-recognised qualification, or the Individual Recognition Process."""
ENDING_STATUSES = frozenset({"lapsed", "withdrawn"})
"""Statuses that end a registration cycle; an application (e.g. an associate applying to be a full member) does not."""
RECORDING_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.LEAD, Role.ADMIN})
"""Roles that may record a registration change (partner admins only read it, and confirm claims)."""
CONFIRMING_ROLES = frozenset({Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN})
"""Roles that confirm or reject registration claims: partner admins for their organisation, leads and admins
for the alliance. They can check a membership number with the CLD Standards Council."""

CONFIRMED, PENDING, REJECTED = "confirmed", "pending", "rejected"
CHANGE_STATES: tuple[str, ...] = (CONFIRMED, PENDING, REJECTED)
"""A recorded change counts only once ``confirmed``; a ``pending`` claim waits for a confirmer; a ``rejected``
one is kept in the history with the reason, and never counts."""


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """One appended registration change."""

    id: int
    status: str
    effective_from: date
    renewal_due: date | None
    state: str = CONFIRMED
    membership_number: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationSummary:
    """One person's registration on a day, as every part of the registry must tell it: the status, the
    category and cycle running (an associate who records ``applied`` keeps theirs), its start and renewal
    date, and the latest membership number recorded."""

    status: str
    category: str | None
    cycle_start: date | None
    renewal_due: date | None
    membership_number: str | None = None


NOT_REGISTERED = RegistrationSummary("none", None, None, None)


def summary_of(rows: Iterable[RegistrationRow], day: date) -> RegistrationSummary:
    """The registration on ``day`` from a person's history (only confirmed rows in effect by then count)."""
    facts = [row for row in rows if row.state == CONFIRMED and row.effective_from <= day]
    cycle = current_cycle(facts, day)
    numbered = [row for row in facts if row.membership_number]
    latest_number = max(numbered, key=_order).membership_number if numbered else None
    return RegistrationSummary(
        status=status_on(facts, day),
        category=category_for(cycle.status) if cycle else None,
        cycle_start=cycle.effective_from if cycle else None,
        renewal_due=cycle.renewal_due if cycle else None,
        membership_number=latest_number,
    )


def _order(row: RegistrationRow) -> tuple[date, int]:
    """Rows take effect by date; on the same day the one recorded later (higher id) wins."""
    return (row.effective_from, row.id)


def status_on(rows: Iterable[RegistrationRow], day: date) -> str:
    """METRICS.md: the latest confirmed row with ``effective_from <= day``; an active row past its renewal is
    ``lapsed``. Claims awaiting confirmation, and rejected ones, do not count."""
    current: RegistrationRow | None = None
    for row in rows:
        if row.state == CONFIRMED and row.effective_from <= day and (current is None or _order(row) > _order(current)):
            current = row
    if current is None:
        return "none"
    if current.status in ACTIVE_STATUSES and current.renewal_due is not None and current.renewal_due < day:
        return "lapsed"
    return current.status


def default_renewal_due(cycle_start: date) -> date:
    """Three years from the start of the cycle (29 February falls back to 28 February)."""
    try:
        return cycle_start.replace(year=cycle_start.year + RENEWAL_YEARS)
    except ValueError:
        return cycle_start.replace(year=cycle_start.year + RENEWAL_YEARS, day=28)


def category_for(status: str) -> str | None:
    """The CLDSC category a status belongs to."""
    return {"registered": "registered_member", "associate": "associate_member"}.get(status)


def renewal_due_for(status: str, effective_from: date, entered: date | None) -> date | None:
    """The renewal date to store: the one entered, else 3 years on for a registered or associate member."""
    if entered is not None:
        return entered
    return default_renewal_due(effective_from) if status in ACTIVE_STATUSES else None


def current_cycle(rows: Iterable[RegistrationRow], day: date) -> RegistrationRow | None:
    """The registration cycle running on ``day``: the latest registered or associate row in effect by then.

    A later ``lapsed`` or ``withdrawn`` row ends the cycle, so nobody is told to renew what they gave up;
    a later ``applied`` row does not (an associate applying to become a registered member keeps their
    renewal date). A cycle whose renewal date has passed is still returned: it is overdue. Only confirmed
    rows count.
    """
    cycle: RegistrationRow | None = None
    ended_by: RegistrationRow | None = None
    for row in rows:
        if row.effective_from > day or row.state != CONFIRMED:
            continue
        if row.status in ACTIVE_STATUSES and (cycle is None or _order(row) > _order(cycle)):
            cycle = row
        elif row.status in ENDING_STATUSES and (ended_by is None or _order(row) > _order(ended_by)):
            ended_by = row
    if cycle is None or (ended_by is not None and _order(ended_by) > _order(cycle)):
        return None
    return cycle


def days_until(renewal_due: date, day: date) -> int:
    """Days from ``day`` to the renewal date: 0 on the day itself, negative once overdue."""
    return (renewal_due - day).days


def can_record_change(viewer: Viewer, practitioner_id: int, manager_email: str | None) -> bool:
    """The practitioner themself, their line manager, alliance leads and admins record registration changes."""
    if viewer.role not in RECORDING_ROLES:
        return False
    if viewer.role in ALLIANCE_ROLES:
        return True
    email = viewer.email.lower()
    return is_self(viewer, practitioner_id) or (manager_email is not None and email == manager_email.lower())


def can_confirm_change(
    viewer: Viewer, practitioner_id: int, practitioner_organisation_id: int, recorded_by_email: str | None = None
) -> bool:
    """Partner admins of the practitioner's organisation, leads and admins confirm registration; nobody
    confirms their own (a partner admin or lead may be a practitioner too), nor a claim they recorded."""
    if viewer.role not in CONFIRMING_ROLES or is_self(viewer, practitioner_id):
        return False
    if recorded_by_email is not None and viewer.email.lower() == recorded_by_email.lower():
        return False
    return viewer.role in ALLIANCE_ROLES or viewer.organisation_id == practitioner_organisation_id


def confirmed_when_recorded(
    viewer: Viewer, status: str, practitioner_id: int, practitioner_organisation_id: int
) -> bool:
    """Whether a change counts as soon as it is recorded, or is a claim waiting for confirmation.

    Becoming registered or associate is what makes a person a verifier of others' learning, so it counts
    at once only when recorded by someone who may confirm it; recorded by the person themself or their line
    manager it is a claim. Other statuses (applied, lapsed, withdrawn) give nothing and count at once.
    """
    if status not in ACTIVE_STATUSES:
        return True
    return can_confirm_change(viewer, practitioner_id, practitioner_organisation_id)


def claim_problems(membership_number: str | None) -> dict[str, str]:
    """What a claim waiting for confirmation lacks: the number the confirmer checks with the CLDSC."""
    if not (membership_number or "").strip():
        return {"membership_number": "is needed for registered or associate membership; it is checked before it counts"}
    return {}
