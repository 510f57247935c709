"""API tokens that end: issuing (shown once), listing without the secret, noting use, revoking.

Every token expires (90 days unless asked otherwise, at most 366); revoking deletes its row, so the
token answers 401 from then on. ``last_used_at`` is written at most once per ``LAST_USED_PRECISION``
per token, so a script calling the API in a loop does not turn every request into a write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry import clock
from registry.accounts.rules import Viewer, hash_token, new_token
from registry.accounts.tables import ApiToken, User
from registry.db import write_tx
from registry.errors import Invalid, NotFound

__all__ = (
    "DEFAULT_LIFETIME_DAYS",
    "LAST_USED_PRECISION",
    "MAX_LIFETIME_DAYS",
    "ApiTokenRow",
    "issue",
    "lifetime_problem",
    "list_tokens",
    "note_use",
    "own_token",
    "own_tokens",
    "revoke",
    "revoke_own",
)

log = logging.getLogger(__name__)

DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 366
LAST_USED_PRECISION = timedelta(minutes=5)
LABEL_LENGTH = 100


@dataclass(frozen=True, slots=True)
class ApiTokenRow:
    """A token as its owner and admins see it: never the secret."""

    id: int
    email: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    expired: bool


def lifetime_problem(days: int) -> str | None:
    """What is wrong with a lifetime in days, if anything."""
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        return f"Enter a number of days from 1 to {MAX_LIFETIME_DAYS}"
    return None


_COLUMNS = (
    ApiToken.id,
    ApiToken.user.email.as_alias("email"),
    ApiToken.label,
    ApiToken.created_at,
    ApiToken.expires_at,
    ApiToken.last_used_at,
)


def _row(row: dict[str, Any], now: datetime) -> ApiTokenRow:
    expires_at = row["expires_at"]
    return ApiTokenRow(
        id=int(row["id"]),
        email=str(row["email"]),
        label=str(row["label"]),
        created_at=row["created_at"],
        expires_at=expires_at,
        last_used_at=row["last_used_at"],
        expired=expires_at is None or expires_at <= now,
    )


async def issue(user_id: int, label: str, expires_in_days: int, *, by: str) -> tuple[str, ApiTokenRow]:
    """A new token for that user: the secret (to show once) and the row as it will be listed."""
    label = label.strip()
    problems: dict[str, str] = {}
    if len(label) > LABEL_LENGTH:
        problems["label"] = f"Enter a label of {LABEL_LENGTH} characters or fewer"
    if problem := lifetime_problem(expires_in_days):
        problems["expires_in_days"] = problem
    if problems:
        raise Invalid(problems)
    token = new_token()
    now = clock.now()
    async with write_tx():
        inserted = await ApiToken.insert(
            ApiToken(
                token_hash=hash_token(token),
                user=user_id,
                label=label,
                created_at=now,
                expires_at=now + timedelta(days=expires_in_days),
            )
        ).returning(ApiToken.id)
        rows = await ApiToken.select(*_COLUMNS).where(ApiToken.id == inserted[0]["id"])
    row = _row(rows[0], now)
    log.info("%s created API token %s (%r) for %s, expiring %s", by, row.id, label, row.email, row.expires_at)
    return token, row


async def note_use(token_hash: str, now: datetime) -> None:
    """Keep ``last_used_at`` to within ``LAST_USED_PRECISION``: call only when it is older than that (the
    sign-in query says so, ``accounts.service.viewer_for_api_token``), so that most calls write nothing."""
    stale = now - LAST_USED_PRECISION
    async with write_tx():
        # Conditional, so that instances noting the same use at once write it once.
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            (ApiToken.token_hash == token_hash) & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at <= stale))
        )


async def _known(email: str) -> str:
    email = email.strip().lower()
    if not await User.exists().where(User.email == email):
        raise Invalid({"email": f"no user with email {email}"})
    return email


async def list_tokens(email: str | None = None) -> list[ApiTokenRow]:
    """Every token (or one person's), newest first (``registry tokens list``)."""
    query = ApiToken.select(*_COLUMNS).order_by(ApiToken.id, ascending=False)
    if email is not None:
        query = query.where(ApiToken.user.email == await _known(email))
    now = clock.now()
    return [_row(r, now) for r in await query]


async def own_tokens(viewer: Viewer) -> list[ApiTokenRow]:
    """The signed-in person's tokens, newest first."""
    now = clock.now()
    rows = (
        await ApiToken.select(*_COLUMNS).where(ApiToken.user == viewer.user_id).order_by(ApiToken.id, ascending=False)
    )
    return [_row(r, now) for r in rows]


async def own_token(viewer: Viewer, token_id: int) -> ApiTokenRow:
    """One of the viewer's own tokens; anyone else's is not found (not even confirmed to exist)."""
    row = await ApiToken.select(*_COLUMNS).where((ApiToken.id == token_id) & (ApiToken.user == viewer.user_id)).first()
    if row is None:
        raise NotFound("No such token")
    return _row(row, clock.now())


async def revoke_own(viewer: Viewer, token_id: int) -> None:
    """The viewer revokes one of their own tokens: it answers 401 from now on."""
    async with write_tx():
        deleted = (
            await ApiToken.delete()
            .where((ApiToken.id == token_id) & (ApiToken.user == viewer.user_id))
            .returning(ApiToken.id)
        )
    if not deleted:
        raise NotFound("No such token")
    log.info("%s revoked their API token %s", viewer.email, token_id)


async def revoke(*, by: str, token_id: int | None = None, email: str | None = None) -> int:
    """Revoke one token by id, or every token of one person (``registry tokens revoke``); how many went."""
    if (token_id is None) == (email is None):
        raise Invalid({"token": "say which token: an id, or an email for all of that person's tokens"})
    email = await _known(email) if email is not None else None
    async with write_tx():
        if token_id is not None:
            deleted = await ApiToken.delete().where(ApiToken.id == token_id).returning(ApiToken.id)
            if not deleted:
                raise NotFound(f"no API token with id {token_id}")
        else:
            assert email is not None
            owners = ApiToken.select(ApiToken.id).where(ApiToken.user.email == email)
            ids = [r["id"] for r in await owners]
            deleted = await ApiToken.delete().where(ApiToken.id.is_in(ids)).returning(ApiToken.id) if ids else []
    log.info("%s revoked API token(s) %s", by, ", ".join(str(r["id"]) for r in deleted) or "none")
    return len(deleted)
