"""Managing sign-ins in the browser (issue 15): admins every one, partner admins their own organisation's — list
and search them, invite someone, change a role, suspend and restore, and make or revoke API tokens for them.

Nobody changes their own role or suspends themselves, gives a role above their own, or leaves the registry
without an admin (registry.accounts.rules). Each change is one transaction that also writes the audit log
(who, when, what). The last-admin check counts the other admins inside that transaction, with the admins'
rows locked on PostgreSQL (SQLite's write transactions already run one at a time), so two admins demoting
each other at once cannot both succeed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry import clock
from registry.accounts import api_tokens, invitations
from registry.accounts import service as accounts
from registry.accounts.rules import (
    Account,
    Role,
    Viewer,
    new_user_problem,
    role_change_problem,
    suspension_problem,
    user_admin_problem,
)
from registry.accounts.tables import ApiToken, User, UserSession
from registry.audit import service as audit
from registry.db import contains, is_sqlite, write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.people.tables import Organisation

__all__ = (
    "STATUSES",
    "UserFilter",
    "UserRow",
    "change_role",
    "invite_user",
    "issue_token",
    "list_users",
    "restore",
    "revoke_token",
    "suspend",
    "user_detail",
)

log = logging.getLogger(__name__)
STATUSES = ("active", "invited", "suspended")
"""``active``: has signed in or has a password; ``invited``: cannot sign in yet; ``suspended``."""


@dataclass(frozen=True, slots=True)
class UserFilter:
    """What the list is narrowed to; each may be empty."""

    text: str | None = None
    """Part of a name or an email address."""
    role: Role | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    email: str
    name: str
    role: Role
    organisation: str | None
    """The organisation's name."""
    organisation_id: int | None
    status: str
    last_signed_in_at: datetime | None
    suspended_at: datetime | None
    suspended_by: str | None


_COLUMNS = (
    User.id, User.email, User.name, User.role, User.organisation, User.organisation.name.as_alias("organisation_name"),
    User.password_hash, User.last_signed_in_at, User.suspended_at, User.suspended_by, User.practitioner,
)  # fmt: skip


def _row(r: dict[str, Any]) -> UserRow:
    if r["suspended_at"] is not None:
        status = "suspended"
    elif r["password_hash"] or r["last_signed_in_at"]:
        status = "active"
    else:
        status = "invited"
    return UserRow(
        id=r["id"], email=r["email"], name=r["name"], role=Role(r["role"]), organisation=r["organisation_name"],
        organisation_id=r["organisation"], status=status, last_signed_in_at=r["last_signed_in_at"],
        suspended_at=r["suspended_at"], suspended_by=r["suspended_by"],
    )  # fmt: skip


def _visible(viewer: Viewer) -> Any:
    """The sign-ins the viewer manages (partner admins: their organisation's); refused for anyone else."""
    if viewer.role is Role.ADMIN:
        return User.id > 0
    if viewer.role is Role.PARTNER_ADMIN:
        return User.organisation == (viewer.organisation_id or 0)
    raise Forbidden("Only admins and partner admins manage sign-ins")


def _filtered(viewer: Viewer, chosen: UserFilter) -> Any:
    where = _visible(viewer)
    if chosen.text:
        where = where & (contains(User.name, chosen.text) | contains(User.email, chosen.text))
    if chosen.role is not None:
        where = where & (User.role == chosen.role.value)
    if chosen.status == "suspended":
        where = where & User.suspended_at.is_not_null()
    elif chosen.status == "active":
        where = (
            where
            & User.suspended_at.is_null()
            & (User.password_hash.is_not_null() | User.last_signed_in_at.is_not_null())
        )
    elif chosen.status == "invited":
        where = where & User.suspended_at.is_null() & User.password_hash.is_null() & User.last_signed_in_at.is_null()
    return where


async def list_users(viewer: Viewer, chosen: UserFilter, limit: int, offset: int) -> tuple[list[UserRow], int]:
    """A page of the sign-ins the viewer manages, by name, and how many there are in all."""
    where = _filtered(viewer, chosen)
    rows = await User.select(*_COLUMNS).where(where).order_by(User.name).order_by(User.id).limit(limit).offset(offset)
    return [_row(r) for r in rows], int(await User.count().where(where))


@dataclass(frozen=True, slots=True)
class UserDetail:
    user: UserRow
    tokens: list[api_tokens.ApiTokenRow]


async def _account(viewer: Viewer, user_id: int) -> UserRow:
    """The sign-in, if the viewer may manage it; otherwise not found (whether it exists is not told)."""
    row = await User.select(*_COLUMNS).where(_visible(viewer) & (User.id == user_id)).first()
    if row is None:
        raise NotFound("No such sign-in")
    found = _row(row)
    if problem := user_admin_problem(viewer, _rules_view(found)):
        raise Forbidden(problem)
    return found


def _rules_view(row: UserRow) -> Account:
    return Account(row.id, row.role, row.organisation_id, row.status == "suspended")


async def user_detail(viewer: Viewer, user_id: int) -> UserDetail:
    """One sign-in with its API tokens."""
    row = await _account(viewer, user_id)
    return UserDetail(row, await api_tokens.list_tokens(row.email))


async def _other_active_admins(user_id: int) -> int:
    """Admins other than this one who are not suspended, their rows held to the end of the transaction."""
    if not is_sqlite():
        await User.raw("SELECT id FROM app_user WHERE role = 'admin' FOR UPDATE")
    return int(
        await User.count().where((User.role == Role.ADMIN.value) & User.suspended_at.is_null() & (User.id != user_id))
    )


async def change_role(viewer: Viewer, user_id: int, role_text: str) -> UserRow:
    """Give the sign-in another role (within the rules); the change is in the audit log."""
    try:
        role = Role(role_text)
    except ValueError:
        raise Invalid({"role": "Choose a role from the list"}) from None
    async with write_tx():
        row = await _account(viewer, user_id)
        if problem := role_change_problem(viewer, _rules_view(row), role, await _other_active_admins(user_id)):
            raise Invalid({"role": problem})
        if role is row.role:
            return row
        await User.update({User.role: role.value}).where(User.id == user_id)
        await audit.record(
            viewer, "user.role", subject=row.email, summary=f"Role of {row.email} changed from {row.role} to {role}",
            details={"user_id": user_id, "from": row.role.value, "to": role.value},
        )  # fmt: skip
    log.info("%s changed the role of %s to %s", viewer.email, row.email, role)
    return await _account(viewer, user_id)


async def suspend(viewer: Viewer, user_id: int) -> None:
    """Stop the sign-in: its sessions end at once and its API tokens are revoked; it can be restored."""
    async with write_tx():
        row = await _account(viewer, user_id)
        if row.status == "suspended":
            return
        if problem := suspension_problem(viewer, _rules_view(row), await _other_active_admins(user_id)):
            raise Invalid({"suspend": problem})
        await User.update({User.suspended_at: clock.now(), User.suspended_by: viewer.email}).where(User.id == user_id)
        await UserSession.delete().where(UserSession.user == user_id)
        revoked = await ApiToken.delete().where(ApiToken.user == user_id).returning(ApiToken.id)
        await audit.record(
            viewer, "user.suspend", subject=row.email, summary=f"{row.email} suspended",
            details={"user_id": user_id, "tokens_revoked": len(revoked)},
        )  # fmt: skip
    log.info("%s suspended %s", viewer.email, row.email)


async def restore(viewer: Viewer, user_id: int) -> None:
    """Let a suspended sign-in sign in again (its old tokens stay revoked)."""
    async with write_tx():
        row = await _account(viewer, user_id)
        if row.status != "suspended":
            return
        await User.update({User.suspended_at: None, User.suspended_by: None}).where(User.id == user_id)
        await audit.record(viewer, "user.restore", subject=row.email, summary=f"{row.email} restored",
                           details={"user_id": user_id})  # fmt: skip
    log.info("%s restored %s", viewer.email, row.email)


async def invite_user(viewer: Viewer, email: str, name: str, role_text: str, organisation: str | None) -> int:
    """Make a sign-in and mail its invitation link; partner admins for their own organisation only."""
    problems: dict[str, str] = {}
    try:
        role: Role | None = Role(role_text)
    except ValueError:
        role, problems["role"] = None, "Choose a role from the list"
    organisation_id: int | None = None
    code = (organisation or "").strip().upper() or None
    if viewer.role is Role.PARTNER_ADMIN:
        organisation_id = viewer.organisation_id
    elif code:
        found = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
        if found is None:
            problems["organisation"] = "Choose an organisation from the list"
        else:
            organisation_id = found["id"]
    if role is not None and (problem := new_user_problem(viewer, role, organisation_id)):
        problems["organisation" if "organisation" in problem else "role"] = problem
    if problems:
        raise Invalid(problems)
    assert role is not None
    code = None
    if organisation_id is not None:
        own = await Organisation.select(Organisation.code).where(Organisation.id == organisation_id).first()
        code = own["code"] if own else None
    async with write_tx():
        try:
            user_id = await accounts.create_user(email, name, role.value, code)
        except Invalid as exc:
            raise Invalid({k: v[:1].upper() + v[1:] for k, v in exc.problems.items()}) from None
        except Conflict:
            raise Invalid({"email": "Someone already signs in with this email address"}) from None
        created = await User.select(User.email, User.name).where(User.id == user_id).first()
        assert created is not None
        await invitations.send_invitation(user_id, created["email"], created["name"])
        await audit.record(
            viewer, "user.invite", subject=created["email"], summary=f"{created['email']} invited as {role}",
            details={"user_id": user_id, "role": role.value, "organisation": code},
        )  # fmt: skip
    return user_id


async def issue_token(viewer: Viewer, user_id: int, label: str, days: int) -> tuple[str, api_tokens.ApiTokenRow]:
    """A token for the sign-in, its secret to show once; not for a suspended sign-in."""
    row = await _account(viewer, user_id)
    if row.status == "suspended":
        raise Invalid({"label": "Restore the sign-in before making it a token"})
    async with write_tx():
        secret, token = await api_tokens.issue(user_id, label, days, by=viewer.email)
        await audit.record(
            viewer, "token.create", subject=row.email, summary=f"API token {token.id} made for {row.email}",
            details={"user_id": user_id, "token_id": token.id, "label": token.label, "expires_at": token.expires_at},
        )  # fmt: skip
    return secret, token


async def revoke_token(viewer: Viewer, user_id: int, token_id: int) -> None:
    """Revoke one of the sign-in's tokens."""
    row = await _account(viewer, user_id)
    async with write_tx():
        gone = (
            await ApiToken.delete().where((ApiToken.id == token_id) & (ApiToken.user == user_id)).returning(ApiToken.id)
        )
        if not gone:
            raise NotFound("No such token")
        await audit.record(
            viewer, "token.revoke", subject=row.email, summary=f"API token {token_id} of {row.email} revoked",
            details={"user_id": user_id, "token_id": token_id},
        )  # fmt: skip


async def token_of(viewer: Viewer, user_id: int, token_id: int) -> api_tokens.ApiTokenRow:
    """One of the sign-in's tokens (for the confirmation page)."""
    row = await _account(viewer, user_id)
    for token in await api_tokens.list_tokens(row.email):
        if token.id == token_id:
            return token
    raise NotFound("No such token")
