"""Who may see everything about a person or erase them, and when a record may or must be erased (pure)."""

from __future__ import annotations

from datetime import date, datetime

from registry.accounts.rules import Role, Viewer

__all__ = (
    "ERASED_GIVEN_NAME",
    "erase_problem",
    "erased_email",
    "erased_family_name",
    "may_erase",
    "may_export",
    "retention_cutoff",
)

ERASED_GIVEN_NAME = "Erased"


def erased_email(practitioner_id: int) -> str:
    """What stands for the person's email everywhere after erasure: unique, and under ``.invalid`` (RFC 2606),
    which no form or import accepts as anybody's address, so nobody can ever claim it."""
    return f"erased-{practitioner_id}@erased.invalid"


def erased_family_name(practitioner_id: int) -> str:
    return f"practitioner {practitioner_id}"


def may_export(viewer: Viewer, practitioner_id: int, organisation_id: int) -> bool:
    """The person themself, their organisation's partner admin (the employer answering a subject access
    request), and the alliance's leads and admins. A line manager may not: they see the record, not everything."""
    if viewer.practitioner_id == practitioner_id:
        return True
    if viewer.role == Role.PARTNER_ADMIN:
        return viewer.organisation_id == organisation_id
    return viewer.role in {Role.LEAD, Role.ADMIN}


ERASED = "This record has been erased: it keeps only the alliance's counts, and nothing can be added or changed"
"""Why an erased record takes no change and no booking: what it held about the person is gone for good."""


def may_erase(viewer: Viewer) -> bool:
    """Erasure cannot be undone: only the registry's admins do it (the retention job does it unasked)."""
    return viewer.role == Role.ADMIN


def erase_problem(
    *, left_on: date | None, today: date, erased_at: datetime | None, manages: int, is_self: bool
) -> str | None:
    """Why this record may not be erased now, in words for the admin; None when it may.

    Only a leaver is erased: a person still employed has a record their employer needs, so their leaving date
    comes first. Someone still line-managing a current practitioner is refused too, since the manager's address
    decides what the team's manager may see."""
    if erased_at is not None:
        return "This record has already been erased"
    if is_self:
        return "You cannot erase your own record: ask another admin"
    if left_on is None or left_on > today:
        return "Only a leaver's record can be erased: record their leaving date first, then erase it after that day"
    if manages:
        noun = "practitioner" if manages == 1 else "practitioners"
        return f"They are still the line manager of {manages} current {noun}: give them another line manager first"
    return None


def retention_cutoff(today: date, years: int) -> date:
    """Leavers who left before this day are erased by the retention rule (``years`` after leaving). 29 February
    counts as 28 February in a year that has none."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)
