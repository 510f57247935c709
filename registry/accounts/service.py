"""Use cases of signing in: sessions, API tokens and users."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from registry import clock
from registry.accounts import api_tokens, throttle
from registry.accounts.passwords import hash_password, password_problem, verify_password
from registry.accounts.rules import ROLES, Role, Viewer, hash_token, new_token
from registry.accounts.tables import SsoProvider, User, UserSession
from registry.audit import service as audit
from registry.cli_viewer import COMMAND_LINE
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, Invalid
from registry.people.tables import Organisation, Practitioner

__all__ = (
    "SESSION_LIFETIME",
    "create_api_token",
    "create_user",
    "has_left",
    "sign_in",
    "sign_out",
    "start_session",
    "unclaimed_practitioner_id",
    "viewer_for_api_token",
    "viewer_for_session",
)

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=12)
SIGN_IN_FAILED = "Enter a correct email address and password"
SSO_ONLY = "Your organisation asks you to sign in with its own account"
SUSPENDED = "Your sign-in is suspended: ask your organisation's partner admin or an admin to restore it"


def _viewer(row: dict[str, Any], prefix: str = "") -> Viewer:
    org = row[f"{prefix}organisation"]
    return Viewer(
        user_id=int(row[f"{prefix}id"]),
        email=str(row[f"{prefix}email"]),
        name=str(row[f"{prefix}name"]),
        role=Role(str(row[f"{prefix}role"])),
        organisation_id=int(org) if org is not None else None,
        practitioner_id=int(row[f"{prefix}practitioner"]) if row[f"{prefix}practitioner"] is not None else None,
    )


def _viewer_columns(user: Any) -> tuple[Any, ...]:
    """The user's columns a Viewer needs, from ``User`` itself or through a foreign key to it."""
    return (user.id, user.email, user.name, user.role, user.organisation, user.practitioner)


# A user whose own practitioner record (tied by id) has a leaving date that has passed is signed in nowhere:
# their sessions and tokens stop working, though the record stays for the metrics (and re-importing without
# left_on restores them). Another record that happens to use the same address ends nobody's sign-in.
_STILL_HERE = "NOT EXISTS (SELECT 1 FROM practitioner p WHERE p.id = app_user.practitioner AND p.left_on <= {{}})"
_VIEWER_SQL = (
    "SELECT app_user.id, app_user.email, app_user.name, app_user.role, app_user.organisation, app_user.practitioner"
    '{more} FROM {credential} c JOIN app_user ON app_user.id = c."user" '
    "WHERE c.token_hash = {{}} AND {extra} AND app_user.suspended_at IS NULL AND " + _STILL_HERE
)


async def _viewer_row(credential: str, extra: str, *args: Any, more: str = "") -> dict[str, Any] | None:
    rows = await User.raw(_VIEWER_SQL.format(credential=credential, extra=extra, more=more), *args)
    return rows[0] if rows else None


async def _viewer_by(credential: str, extra: str, *args: Any) -> Viewer | None:
    row = await _viewer_row(credential, extra, *args)
    return _viewer(row) if row else None


async def viewer_for_session(token: str) -> Viewer | None:
    now = clock.now()
    return await _viewer_by("user_session", "c.expires_at > {}", hash_token(token), now, clock.today())


async def viewer_for_api_token(token: str) -> Viewer | None:
    """The token's owner, unless the token is unknown, revoked, expired, or its owner has left."""
    now = clock.now()
    token_hash = hash_token(token)
    # Whether the use still needs noting comes with the owner: one query on every API call, not two.
    row = await _viewer_row(
        "api_token", "c.expires_at > {}", now - api_tokens.LAST_USED_PRECISION, token_hash, now, clock.today(),
        more=", (c.last_used_at IS NULL OR c.last_used_at <= {}) AS use_unnoted",
    )  # fmt: skip
    if row is None:
        return None
    if row["use_unnoted"]:
        await api_tokens.note_use(token_hash, now)
    return _viewer(row)


async def has_left(practitioner_id: int | None) -> bool:
    """Whether the practitioner record a sign-in is tied to shows they have left (None: no record, never left)."""
    if practitioner_id is None:
        return False
    return bool(
        await Practitioner.exists().where(
            (Practitioner.id == practitioner_id) & (Practitioner.left_on <= clock.today())
        )
    )


async def _password_sign_in_off(email: str) -> bool:
    """Whether the organisation whose provider covers this address has turned password sign-in off."""
    domain = email.rpartition("@")[2]
    rows = await SsoProvider.select(SsoProvider.email_domains).where(SsoProvider.password_sign_in.eq(False))
    return any(domain in r["email_domains"].split(";") for r in rows)


async def sign_in(
    email: str, password: str, previous_session: str | None, client_address: str | None = None
) -> tuple[Viewer, str]:
    """Check the password and open a new session; the previous session id is never reused (no fixation).

    Throttled per account and per client (accounts/throttle.py): past the limit, ``TooManyAttempts`` is
    raised before the password is even looked at, so a correct guess then gets in no more than a wrong one.
    """
    email = email.strip().lower()
    if await _password_sign_in_off(email):
        raise Invalid({"email": SSO_ONLY}, detail=SSO_ONLY)
    client = throttle.client_key(client_address)
    attempt = await throttle.record_attempt((throttle.SIGN_IN_ACCOUNT, email), (throttle.SIGN_IN_CLIENT, client))
    columns = (*_viewer_columns(User), User.password_hash, User.suspended_at)
    user = await User.select(*columns).where(User.email == email).first()
    stored_hash = user["password_hash"] if user else None
    if not await verify_password(stored_hash, password) or user is None or await has_left(user["practitioner"]):
        log.info("sign-in refused for %s from %s", email, client)
        await audit.record(None, "sign_in.failed", subject=email[:200], summary=f"Failed sign-in as {email}",
                           details={"client": client}, actor_email=email[:254])  # fmt: skip
        raise Invalid({"email": SIGN_IN_FAILED}, detail=SIGN_IN_FAILED)
    if user["suspended_at"] is not None:  # only told to whoever knows the password
        log.info("sign-in refused for %s (suspended)", email)
        await audit.record(None, "sign_in.failed", subject=email, summary=f"Sign-in refused: {email} is suspended",
                           details={"client": client, "suspended": True}, actor_email=email)  # fmt: skip
        raise Invalid({"email": SUSPENDED}, detail=SUSPENDED)
    async with write_tx():
        await throttle.forget(attempt)
        await throttle.clear(throttle.SIGN_IN_ACCOUNT, email)
    token = await start_session(user["id"], previous_session, how="password", client=client)
    log.info("%s signed in", email)
    return _viewer(user), token


async def start_session(user_id: int, previous_session: str | None, *, how: str, client: str = "") -> str:
    """A new session for the user; the previous session id is dropped, never reused (no fixation). ``how``
    (password, sso, invitation) goes in the audit log's sign-in entry."""
    user = await User.select(*_viewer_columns(User), User.suspended_at).where(User.id == user_id).first()
    if user is None or user["suspended_at"] is not None:
        raise Forbidden(SUSPENDED)
    token = new_token()
    now = clock.now()
    async with write_tx():
        if previous_session:
            await UserSession.delete().where(UserSession.token_hash == hash_token(previous_session))
        await UserSession.delete().where(UserSession.expires_at < now)
        await UserSession.insert(
            UserSession(token_hash=hash_token(token), user=user_id, created_at=now, expires_at=now + SESSION_LIFETIME)
        )
        await User.update({User.last_signed_in_at: now}).where(User.id == user_id)
        await audit.record(
            _viewer(user), "sign_in", subject=user["email"], summary=f"{user['email']} signed in ({how})",
            details={"how": how, **({"client": client} if client else {})},
        )  # fmt: skip
    return token


async def sign_out(token: str) -> None:
    async with write_tx():
        await UserSession.delete().where(UserSession.token_hash == hash_token(token))


async def create_user(
    email: str, name: str, role: str, organisation_code: str | None = None, password: str | None = None
) -> int:
    """Create a sign-in. Partner admins must belong to an organisation; passwords are argon2-hashed."""
    problems: dict[str, str] = {}
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        problems["email"] = "Enter an email address in the correct format, like name@example.org"
    if not name.strip():
        problems["name"] = "Enter a name"
    if role not in ROLES:
        problems["role"] = f"must be one of {', '.join(ROLES)}"
    if role == Role.PARTNER_ADMIN and not organisation_code:
        problems["organisation"] = "a partner admin needs an organisation"
    if password is not None and (problem := password_problem(password)):
        problems["password"] = problem
    organisation_id = None
    if organisation_code:
        org = await Organisation.select(Organisation.id).where(Organisation.code == organisation_code).first()
        if org is None:
            problems["organisation"] = f"no organisation with code {organisation_code}"
        else:
            organisation_id = org["id"]
    if problems:
        raise Invalid(problems)
    password_hash = await hash_password(password) if password is not None else None
    async with write_tx():
        if await User.exists().where(User.email == email):
            raise Conflict(f"a user with email {email} already exists")
        record = await unclaimed_practitioner_id(email)
        rows = await User.insert(
            User(
                email=email,
                name=name.strip(),
                role=role,
                organisation=organisation_id,
                password_hash=password_hash,
                created_at=clock.now(),
                practitioner=record,
            )
        ).returning(User.id)
    log.info("user %s created with role %s", email, role)
    return int(rows[0]["id"])


async def unclaimed_practitioner_id(email: str) -> int | None:
    """The practitioner record with this address that no sign-in is tied to yet: a new sign-in is tied to it
    once, by id, when it is created (INTERFACE: a user is linked to the record with the same email)."""
    row = await Practitioner.select(Practitioner.id).where(Practitioner.email == email.strip().lower()).first()
    if row is None or await User.exists().where(User.practitioner == row["id"]):
        return None
    return int(row["id"])


async def create_api_token(email: str, label: str = "", expires_in_days: int = api_tokens.DEFAULT_LIFETIME_DAYS) -> str:
    """A new bearer token for that user (``registry tokens create``), ending after ``expires_in_days``;
    printed once, stored only as a hash."""
    email = email.strip().lower()
    user = await User.select(User.id).where(User.email == email).first()
    if user is None:
        raise Invalid({"email": f"no user with email {email}"})
    token, _ = await api_tokens.issue(int(user["id"]), label, expires_in_days, by=COMMAND_LINE.email)
    return token
