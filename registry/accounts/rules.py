"""Who may see and change what: pure functions over a ``Viewer``, unit-tested exhaustively."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

__all__ = (
    "ADMIN_ROLES",
    "EDITOR_ROLES",
    "ROLES",
    "ROLE_RANK",
    "USER_ADMIN_ROLES",
    "Account",
    "Role",
    "Scope",
    "Viewer",
    "assignable_roles",
    "can_edit_practitioner",
    "can_see_practitioner",
    "hash_token",
    "is_self",
    "manager_problem",
    "new_token",
    "new_user_problem",
    "practitioner_scope",
    "role_change_problem",
    "sign_in_claim_problem",
    "suspension_problem",
    "user_admin_problem",
)


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    MANAGER = "manager"
    PARTNER_ADMIN = "partner_admin"
    LEAD = "lead"
    ADMIN = "admin"


ROLES: tuple[str, ...] = tuple(role.value for role in Role)
ALLIANCE_ROLES = frozenset({Role.LEAD, Role.ADMIN})
"""Roles that see the whole alliance."""
EDITOR_ROLES = frozenset({Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN})
"""Roles that keep practitioner records current (partner admins within their organisation)."""
ADMIN_ROLES = frozenset({Role.LEAD, Role.ADMIN})
"""Roles that keep the list of organisations."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person, as the rules need them."""

    user_id: int
    email: str
    name: str
    role: Role
    organisation_id: int | None = None
    practitioner_id: int | None = None
    """The practitioner record this sign-in is tied to (by id: changing a record's email never moves it)."""


ROLE_RANK: dict[Role, int] = {
    Role.PRACTITIONER: 0,
    Role.MANAGER: 1,
    Role.PARTNER_ADMIN: 2,
    Role.LEAD: 3,
    Role.ADMIN: 4,
}


@dataclass(frozen=True, slots=True)
class Scope:
    """Which practitioner records a viewer may see: everything, or the union of the narrower parts."""

    everything: bool = False
    own_practitioner_id: int | None = None
    managed_by: str | None = None
    organisation_id: int | None = None


def practitioner_scope(viewer: Viewer) -> Scope:
    """Everyone sees their own record and the people whose line manager they are (whatever their role: a line
    manager is often a practitioner too); partner admins also their organisation; leads and admins all."""
    email = viewer.email.lower()
    if viewer.role in ALLIANCE_ROLES:
        return Scope(everything=True)
    if viewer.role is Role.PARTNER_ADMIN:
        return Scope(
            own_practitioner_id=viewer.practitioner_id, managed_by=email, organisation_id=viewer.organisation_id
        )
    return Scope(own_practitioner_id=viewer.practitioner_id, managed_by=email)


def is_self(viewer: Viewer, practitioner_id: int) -> bool:
    """Whether the record is the viewer's own: decided by the id their sign-in is tied to, never by email."""
    return viewer.practitioner_id is not None and viewer.practitioner_id == practitioner_id


def can_see_practitioner(viewer: Viewer, practitioner_id: int, organisation_id: int, manager_email: str | None) -> bool:
    scope = practitioner_scope(viewer)
    if scope.everything:
        return True
    return (
        is_self(viewer, practitioner_id)
        or (scope.managed_by is not None and manager_email is not None and scope.managed_by == manager_email.lower())
        or (scope.organisation_id is not None and scope.organisation_id == organisation_id)
    )


def sign_in_claim_problem(
    viewer: Viewer, user_role: str, user_organisation_id: int | None, record_organisation_id: int
) -> str | None:
    """Why the viewer may not tie (or keep tied) an existing sign-in to a practitioner record they create or
    edit, or None. A record's leaving date ends its sign-in, so a partner admin must not be able to reach the
    sign-in of another organisation's user, nor anyone the sign-in of a role above their own."""
    role = Role(user_role)
    if ROLE_RANK[role] > ROLE_RANK[viewer.role]:
        return "that email belongs to a sign-in with a role above yours; ask an admin"
    if viewer.role not in ALLIANCE_ROLES and (
        user_organisation_id != viewer.organisation_id or record_organisation_id != viewer.organisation_id
    ):
        return "that email belongs to a sign-in of another organisation"
    return None


def manager_problem(viewer: Viewer, manager_email: str | None) -> str | None:
    """Nobody may make themselves someone's line manager: the line manager reads the practitioner's reflections."""
    if manager_email is not None and manager_email.lower() == viewer.email.lower():
        return "you cannot make yourself someone's line manager; ask another partner admin, a lead or an admin"
    return None


def can_edit_practitioner(viewer: Viewer, organisation_id: int) -> bool:
    """Whether the viewer may change HR fields of a practitioner in that organisation."""
    if viewer.role in ALLIANCE_ROLES:
        return True
    return viewer.role is Role.PARTNER_ADMIN and viewer.organisation_id == organisation_id


def new_token() -> str:
    """A fresh secret for a session cookie or an API token."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is the right store (no password stretching needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


USER_ADMIN_ROLES = frozenset({Role.PARTNER_ADMIN, Role.ADMIN})
"""Who manages sign-ins in the browser: admins every one, partner admins their own organisation's."""
LAST_ADMIN = "This is the only admin left: make someone else an admin first"


@dataclass(frozen=True, slots=True)
class Account:
    """A sign-in being managed, as the rules need it."""

    user_id: int
    role: Role
    organisation_id: int | None
    suspended: bool = False


def assignable_roles(viewer: Viewer) -> tuple[Role, ...]:
    """The roles the viewer may give: none above their own."""
    if viewer.role not in USER_ADMIN_ROLES:
        return ()
    return tuple(role for role in Role if ROLE_RANK[role] <= ROLE_RANK[viewer.role])


def user_admin_problem(viewer: Viewer, account: Account) -> str | None:
    """Why the viewer may not manage this sign-in at all, or None."""
    if viewer.role not in USER_ADMIN_ROLES:
        return "Only admins and partner admins manage sign-ins"
    if viewer.role is Role.PARTNER_ADMIN and account.organisation_id != viewer.organisation_id:
        return "Partner admins manage their own organisation's sign-ins only"
    if ROLE_RANK[account.role] > ROLE_RANK[viewer.role]:
        return "You cannot manage a sign-in whose role is above your own"
    return None


def role_change_problem(viewer: Viewer, account: Account, new_role: Role, other_active_admins: int) -> str | None:
    """Why the viewer may not give this sign-in that role, or None. ``other_active_admins``: admins other than
    this sign-in who are not suspended."""
    if problem := user_admin_problem(viewer, account):
        return problem
    if account.user_id == viewer.user_id:
        return "You cannot change your own role: ask another admin"
    if ROLE_RANK[new_role] > ROLE_RANK[viewer.role]:
        return "You cannot give a role above your own"
    if account.role is Role.ADMIN and new_role is not Role.ADMIN and not account.suspended and other_active_admins == 0:
        return LAST_ADMIN
    if new_role is Role.PARTNER_ADMIN and account.organisation_id is None:
        return "A partner admin needs an organisation: this sign-in has none"
    return None


def suspension_problem(viewer: Viewer, account: Account, other_active_admins: int) -> str | None:
    """Why the viewer may not suspend this sign-in, or None."""
    if problem := user_admin_problem(viewer, account):
        return problem
    if account.user_id == viewer.user_id:
        return "You cannot suspend your own sign-in"
    if account.role is Role.ADMIN and other_active_admins == 0:
        return LAST_ADMIN
    return None


def new_user_problem(viewer: Viewer, role: Role, organisation_id: int | None) -> str | None:
    """Why the viewer may not make a sign-in with this role and organisation, or None."""
    if viewer.role not in USER_ADMIN_ROLES:
        return "Only admins and partner admins invite sign-ins"
    if ROLE_RANK[role] > ROLE_RANK[viewer.role]:
        return "You cannot give a role above your own"
    if viewer.role is Role.PARTNER_ADMIN and organisation_id != viewer.organisation_id:
        return "Partner admins invite people to their own organisation only"
    if role is Role.PARTNER_ADMIN and organisation_id is None:
        return "A partner admin needs an organisation"
    return None
