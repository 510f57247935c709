"""Who may manage which sign-in (registry.accounts.rules), over every role of viewer, sign-in and new role."""

from __future__ import annotations

import itertools

import pytest

from registry.accounts.rules import (
    ROLE_RANK,
    Account,
    Role,
    Viewer,
    assignable_roles,
    new_user_problem,
    role_change_problem,
    suspension_problem,
    user_admin_problem,
)

DCC, FIFE = 1, 2
ROLES = list(Role)


def _viewer(role: Role, organisation: int | None = DCC, user_id: int = 100) -> Viewer:
    return Viewer(user_id, "me@example.org", "Me", role, organisation_id=organisation)


@pytest.mark.parametrize(("role", "expected"), [
    (Role.PRACTITIONER, ()), (Role.MANAGER, ()), (Role.LEAD, ()),
    (Role.PARTNER_ADMIN, (Role.PRACTITIONER, Role.MANAGER, Role.PARTNER_ADMIN)), (Role.ADMIN, tuple(Role)),
])  # fmt: skip
def test_the_roles_one_may_give_are_up_to_ones_own(role: Role, expected: tuple[Role, ...]) -> None:
    assert assignable_roles(_viewer(role)) == expected


@pytest.mark.parametrize(
    ("viewer_role", "target_role", "target_org", "new_role"),
    list(itertools.product(ROLES, ROLES, [DCC, FIFE, None], ROLES)),
)
def test_every_role_change(viewer_role: Role, target_role: Role, target_org: int | None, new_role: Role) -> None:
    viewer = _viewer(viewer_role)
    account = Account(7, target_role, target_org)
    problem = role_change_problem(viewer, account, new_role, other_active_admins=1)
    manages = viewer_role is Role.ADMIN or (viewer_role is Role.PARTNER_ADMIN and target_org == DCC)
    allowed = (
        manages
        and ROLE_RANK[target_role] <= ROLE_RANK[viewer_role]
        and ROLE_RANK[new_role] <= ROLE_RANK[viewer_role]
        and not (new_role is Role.PARTNER_ADMIN and target_org is None)
    )
    assert (problem is None) == allowed, (viewer_role, target_role, target_org, new_role, problem)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_changes_their_own_role_or_suspends_themselves(role: Role) -> None:
    viewer = _viewer(role, user_id=7)
    me = Account(7, role, DCC)
    for new_role in ROLES:
        assert role_change_problem(viewer, me, new_role, other_active_admins=3) is not None
    assert suspension_problem(viewer, me, other_active_admins=3) is not None


def test_the_last_admin_stays_an_admin_and_is_not_suspended() -> None:
    admin = _viewer(Role.ADMIN)
    last = Account(7, Role.ADMIN, None)
    for new_role in (Role.LEAD, Role.PARTNER_ADMIN, Role.MANAGER, Role.PRACTITIONER):
        assert role_change_problem(admin, last, new_role, other_active_admins=0) == (
            "This is the only admin left: make someone else an admin first"
        )
        assert role_change_problem(admin, last, new_role, other_active_admins=1) in (
            None,
            "A partner admin needs an organisation: this sign-in has none",
        )
    assert role_change_problem(admin, last, Role.ADMIN, other_active_admins=0) is None
    assert suspension_problem(admin, last, other_active_admins=0) is not None
    assert suspension_problem(admin, last, other_active_admins=1) is None
    suspended = Account(7, Role.ADMIN, None, suspended=True)  # already not an active admin
    assert role_change_problem(admin, suspended, Role.LEAD, other_active_admins=0) is None


@pytest.mark.parametrize(
    ("viewer_role", "target_role", "target_org"), list(itertools.product(ROLES, ROLES, [DCC, FIFE, None]))
)
def test_who_may_manage_and_suspend_whom(viewer_role: Role, target_role: Role, target_org: int | None) -> None:
    viewer = _viewer(viewer_role)
    account = Account(7, target_role, target_org)
    manages = (viewer_role is Role.ADMIN or (viewer_role is Role.PARTNER_ADMIN and target_org == DCC)) and (
        ROLE_RANK[target_role] <= ROLE_RANK[viewer_role]
    )
    assert (user_admin_problem(viewer, account) is None) == manages
    assert (suspension_problem(viewer, account, other_active_admins=1) is None) == manages


@pytest.mark.parametrize(
    ("viewer_role", "role", "organisation"), list(itertools.product(ROLES, ROLES, [DCC, FIFE, None]))
)
def test_who_may_invite_whom(viewer_role: Role, role: Role, organisation: int | None) -> None:
    allowed = (
        (viewer_role is Role.ADMIN or (viewer_role is Role.PARTNER_ADMIN and organisation == DCC))
        and ROLE_RANK[role] <= ROLE_RANK[viewer_role]
        and not (role is Role.PARTNER_ADMIN and organisation is None)
    )
    assert (new_user_problem(_viewer(viewer_role), role, organisation) is None) == allowed
