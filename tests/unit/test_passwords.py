"""Password rules and argon2 hashing."""

from __future__ import annotations

import pytest

from registry.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, password_problem, verify_password

TOO_SHORT = "Password must be 10 characters or more"
TOO_LONG = "Password must be 256 characters or fewer"
COMMON = "Password is too easy to guess: it is on a list of common passwords"
PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", TOO_SHORT),
        ("a", TOO_SHORT),
        ("123456789", TOO_SHORT),
        (" " * 9, TOO_SHORT),
        ("1234567890", COMMON),
        ("Password1234", COMMON),
        ("QWERTYUIOP", COMMON),
        ("aaaaaaaaaa", COMMON),
        ("          ", COMMON),
        ("é" * 10, COMMON),
        ("plum orchard lantern", None),
        ("1234567890x", None),
        ("x" * 254 + "yz", None),
        ("x" * 257, TOO_LONG),
        ("x" * 10_000, TOO_LONG),
    ],
    ids=lambda value: f"len{len(value)}" if isinstance(value, str) and len(value) > 20 else None,
)
def test_password_problem(password: str, problem: str | None) -> None:
    assert password_problem(password) == problem


def test_min_length() -> None:
    assert MIN_PASSWORD_LENGTH == 10


async def test_hash_and_verify_round_trip() -> None:
    stored = await hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert await verify_password(stored, PASSWORD) is True


async def test_wrong_password_is_refused() -> None:
    stored = await hash_password(PASSWORD)
    assert await verify_password(stored, "correct horse batterY") is False
    assert await verify_password(stored, "") is False
    assert await verify_password(stored, PASSWORD + " ") is False


async def test_hashes_are_salted() -> None:
    first, second = await hash_password(PASSWORD), await hash_password(PASSWORD)
    assert first != second
    assert await verify_password(first, PASSWORD) is True
    assert await verify_password(second, PASSWORD) is True


@pytest.mark.parametrize("password", [PASSWORD, "", "not a real password, only for timing"])
async def test_no_stored_hash_is_refused(password: str) -> None:
    assert await verify_password(None, password) is False


@pytest.mark.parametrize("stored", ["not a hash", "$argon2id$v=19$garbage", "plain-text-password"])
async def test_malformed_stored_hash_is_refused(stored: str) -> None:
    assert await verify_password(stored, stored) is False


async def test_empty_stored_hash_is_refused() -> None:
    assert await verify_password("", "not a real password, only for timing") is False
