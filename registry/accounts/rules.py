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
    "Role",
    "Scope",
    "Viewer",
    "can_edit_practitioner",
    "can_see_practitioner",
    "hash_token",
    "new_token",
    "practitioner_scope",
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


@dataclass(frozen=True, slots=True)
class Scope:
    """Which practitioner records a viewer may see: everything, or the union of the narrower parts."""

    everything: bool = False
    own_email: str | None = None
    managed_by: str | None = None
    organisation_id: int | None = None


def practitioner_scope(viewer: Viewer) -> Scope:
    """Everyone sees themselves and the people whose line manager they are (whatever their role: a line
    manager is often a practitioner too); partner admins also their organisation; leads and admins all."""
    email = viewer.email.lower()
    if viewer.role in ALLIANCE_ROLES:
        return Scope(everything=True)
    if viewer.role is Role.PARTNER_ADMIN:
        return Scope(own_email=email, managed_by=email, organisation_id=viewer.organisation_id)
    return Scope(own_email=email, managed_by=email)


def can_see_practitioner(viewer: Viewer, email: str, organisation_id: int, manager_email: str | None) -> bool:
    scope = practitioner_scope(viewer)
    if scope.everything:
        return True
    return (
        (scope.own_email is not None and scope.own_email == email.lower())
        or (scope.managed_by is not None and manager_email is not None and scope.managed_by == manager_email.lower())
        or (scope.organisation_id is not None and scope.organisation_id == organisation_id)
    )


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
