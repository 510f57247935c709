"""The throttle's arithmetic: when the next attempt is allowed, how a client is counted, what people read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from registry.accounts.throttle import SIGN_IN_ACCOUNT, Limit, TooManyAttempts, client_key, wait_needed

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FIVE_IN_15 = Limit("test", 5, timedelta(minutes=15))


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("times", "wait"),
    [
        ([], None),
        (minutes_ago(1, 2, 3, 4), None),  # four in the window: one more is allowed
        (minutes_ago(0, 0, 0, 0, 0), timedelta(minutes=15)),
        (minutes_ago(1, 2, 3, 4, 5), timedelta(minutes=10)),  # the oldest leaves the window in 10 minutes
        (minutes_ago(1, 2, 3, 4, 16), None),  # one has already left the window
        (minutes_ago(1, 2, 3, 4, 5, 6, 7), timedelta(minutes=10)),  # seven: wait until only four are left
        (minutes_ago(15, 15, 15, 15, 15), None),  # exactly at the edge: the window is open at its far end
    ],
)
def test_wait_needed(times: list[datetime], wait: timedelta | None) -> None:
    assert wait_needed(times, FIVE_IN_15, NOW) == wait


def test_the_sign_in_policy_is_five_failures_in_fifteen_minutes() -> None:
    assert (SIGN_IN_ACCOUNT.attempts, SIGN_IN_ACCOUNT.window) == (5, timedelta(minutes=15))


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # the same household's network
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_client_key(address: str | None, key: str) -> None:
    assert client_key(address) == key


@pytest.mark.parametrize(
    ("wait", "retry_after", "text"),
    [
        (timedelta(minutes=15), 900, "Too many attempts. Try again in 15 minutes"),
        (timedelta(seconds=61), 61, "Too many attempts. Try again in 2 minutes"),
        (timedelta(seconds=30), 30, "Too many attempts. Try again in 1 minute"),
        (timedelta(seconds=0.2), 1, "Too many attempts. Try again in 1 minute"),
        (timedelta(0), 1, "Too many attempts. Try again in 1 minute"),
    ],
)
def test_too_many_attempts_says_when_to_come_back(wait: timedelta, retry_after: int, text: str) -> None:
    error = TooManyAttempts(wait)
    assert (error.status_code, error.retry_after, error.detail) == (429, retry_after, text)
