"""Who may export or erase a record, and when a record may be erased (registry.privacy.rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from registry.accounts.rules import Role, Viewer
from registry.privacy.rules import erase_problem, erased_email, may_erase, may_export, retention_cutoff

TODAY = date(2026, 11, 19)


def _viewer(role: Role, organisation_id: int | None = None, practitioner_id: int | None = None) -> Viewer:
    return Viewer(1, "someone@example.org", "Someone", role, organisation_id, practitioner_id)


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (_viewer(Role.PRACTITIONER, 1, 7), True),  # their own
        (_viewer(Role.PRACTITIONER, 1, 8), False),
        (_viewer(Role.MANAGER, 1, 8), False),  # a line manager sees the record, not everything
        (_viewer(Role.MANAGER, 1, 7), True),  # a manager's own record
        (_viewer(Role.PARTNER_ADMIN, 1), True),  # the employer
        (_viewer(Role.PARTNER_ADMIN, 2), False),
        (_viewer(Role.LEAD), True),
        (_viewer(Role.ADMIN), True),
    ],
)
def test_who_may_export_everything_about_practitioner_7_of_organisation_1(viewer: Viewer, allowed: bool) -> None:
    assert may_export(viewer, 7, 1) is allowed


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_erase(role: Role) -> None:
    assert may_erase(_viewer(role)) is (role == Role.ADMIN)


def _problem(**changes: object) -> str | None:
    facts: dict[str, object] = {"left_on": date(2026, 3, 31), "today": TODAY, "erased_at": None, "manages": 0,
                                "is_self": False, **changes}  # fmt: skip
    return erase_problem(**facts)  # type: ignore[arg-type]


def test_a_leaver_who_manages_nobody_may_be_erased() -> None:
    assert _problem() is None
    assert _problem(left_on=TODAY) is None  # from their last day


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"erased_at": datetime(2026, 1, 1, tzinfo=UTC)}, "already been erased"),
        ({"is_self": True}, "your own record"),
        ({"left_on": None}, "record their leaving date first"),
        ({"left_on": date(2026, 11, 20)}, "after that day"),
        ({"manages": 1}, "line manager of 1 current practitioner:"),
        ({"manages": 2}, "line manager of 2 current practitioners"),
    ],
)
def test_why_a_record_may_not_be_erased(changes: dict[str, object], words: str) -> None:
    problem = _problem(**changes)
    assert problem is not None
    assert words in problem


def test_the_retention_cutoff_is_so_many_years_back_and_29_february_becomes_28() -> None:
    assert retention_cutoff(TODAY, 6) == date(2020, 11, 19)
    assert retention_cutoff(date(2028, 2, 29), 6) == date(2022, 2, 28)
    assert retention_cutoff(date(2028, 2, 29), 4) == date(2024, 2, 29)


def test_the_stand_in_address_is_unique_and_nobody_can_use_it() -> None:
    from pydantic import TypeAdapter, ValidationError

    from registry.people.schemas import Email

    assert erased_email(3) != erased_email(4)
    with pytest.raises(ValidationError, match="special-use or reserved"):
        TypeAdapter(Email).validate_python(erased_email(3))
