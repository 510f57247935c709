"""Limits on guessing: failed sign-ins and password reset requests, counted per account and per client.

Every attempt is a row in ``throttle``, so the limits hold across app instances and restarts. An attempt
is recorded *before* the password is checked (inside a transaction that serialises attempts on the same
keys), so that a burst of parallel guesses cannot all slip past the count; a successful sign-in then
removes its own rows, so only failures are left counted.

Policy (docs/user-guide.md, "Signing in"):

- 5 failed sign-ins for one email address within 15 minutes: that address is refused, even with the
  right password, until the oldest of those failures is 15 minutes old. A successful sign-in clears the
  account's failures (only someone who knows the password can do that); choosing a new password through
  a link does too.
- 50 failed sign-ins from one client address within 15 minutes: that client is refused for every account.
  A successful sign-in never clears these, so an attacker cannot reset the count by signing in to an
  account of their own between guesses.
- Password resets: 3 requests per email address and 20 per client address within an hour. Beyond that
  the answer on the page stays the same (nothing tells whether the address has a sign-in) but no mail
  is queued.
- IPv6 clients are counted per /64 network, the block one household or office is usually given.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from registry import clock
from registry.accounts.tables import Throttle
from registry.db import is_sqlite, write_tx
from registry.errors import DomainError

__all__ = (
    "KEPT",
    "RESET_ACCOUNT",
    "RESET_CLIENT",
    "SIGN_IN_ACCOUNT",
    "SIGN_IN_CLIENT",
    "Limit",
    "TooManyAttempts",
    "clean_up",
    "clear",
    "client_key",
    "forget",
    "record_attempt",
    "wait_needed",
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``attempts`` of ``kind`` for one key within any ``window``."""

    kind: str
    """What is counted, and what the key is: ``sign_in_account`` (an email), ``sign_in_client`` (an address)."""
    attempts: int
    """How many attempts the window may hold; the next one is refused."""
    window: timedelta
    """How long an attempt counts."""


SIGN_IN_ACCOUNT = Limit("sign_in_account", 5, timedelta(minutes=15))
SIGN_IN_CLIENT = Limit("sign_in_client", 50, timedelta(minutes=15))
RESET_ACCOUNT = Limit("reset_account", 3, timedelta(hours=1))
RESET_CLIENT = Limit("reset_client", 20, timedelta(hours=1))
KEPT = timedelta(days=1)
"""Rows older than this are deleted by the ``throttle_cleanup`` job (longer than every window, so an
admin can still look at yesterday's attempts)."""


class TooManyAttempts(DomainError):
    """A limit is reached: try again after ``retry_after`` seconds."""

    status_code = 429

    def __init__(self, wait: timedelta) -> None:
        self.retry_after = max(1, math.ceil(wait.total_seconds()))
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(f"Too many attempts. Try again in {minutes} minute{'' if minutes == 1 else 's'}")


def wait_needed(times: Sequence[datetime], limit: Limit, now: datetime) -> timedelta | None:
    """None when one more attempt is allowed; otherwise how long until enough attempts leave the window."""
    recent = sorted(t for t in times if t > now - limit.window)
    if len(recent) < limit.attempts:
        return None
    return recent[len(recent) - limit.attempts] + limit.window - now


def client_key(address: str | None) -> str:
    """The client address as counted: IPv4 as it is, IPv6 by its /64 network, anything else as given."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:300]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


async def _hold(keys: Sequence[str]) -> None:
    """Serialise attempts on these keys across instances (on SQLite the IMMEDIATE transaction already does)."""
    if is_sqlite():
        return
    for key in sorted(set(keys)):  # always in the same order, so two attempts never wait for each other
        await Throttle.raw("SELECT pg_advisory_xact_lock({})", zlib.crc32(f"throttle:{key}".encode()))


async def record_attempt(*checks: tuple[Limit, str]) -> list[int]:
    """Count one attempt against each (limit, key), or raise ``TooManyAttempts`` and count nothing.

    Returns the ids of the rows written, for ``forget`` once the attempt turns out not to be a failure.
    Joins the caller's write transaction if there is one.
    """
    now = clock.now()
    async with write_tx():
        await _hold([f"{limit.kind}:{key}" for limit, key in checks])
        waits = []
        for limit, key in checks:
            rows = await Throttle.select(Throttle.at).where(
                (Throttle.kind == limit.kind) & (Throttle.key == key) & (Throttle.at > now - limit.window)
            )
            wait = wait_needed([r["at"] for r in rows], limit, now)
            if wait is not None:
                waits.append(wait)
                log.warning("%s limit reached for %s", limit.kind, key)
        if waits:
            raise TooManyAttempts(max(waits))
        inserted = await Throttle.insert(
            *(Throttle(kind=limit.kind, key=key, at=now) for limit, key in checks)
        ).returning(Throttle.id)
    return [int(r["id"]) for r in inserted]


async def forget(ids: Sequence[int]) -> None:
    """Stop counting these attempts (a sign-in that succeeded was not a failure)."""
    if ids:
        async with write_tx():
            await Throttle.delete().where(Throttle.id.is_in(list(ids)))


async def clear(limit: Limit, key: str) -> None:
    """Forget every attempt of this kind for this key (inside the caller's transaction, if any)."""
    async with write_tx():
        await Throttle.delete().where((Throttle.kind == limit.kind) & (Throttle.key == key))


async def clean_up() -> int:
    """Delete attempts older than ``KEPT`` (the ``throttle_cleanup`` job)."""
    async with write_tx():
        deleted = await Throttle.delete().where(Throttle.at < clock.now() - KEPT).returning(Throttle.id)
    return len(deleted)
