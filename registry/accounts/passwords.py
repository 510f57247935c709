"""Argon2 password hashing, run off the event loop (hashing is deliberately slow)."""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ("MIN_PASSWORD_LENGTH", "common_passwords", "hash_password", "password_problem", "verify_password")

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this when the user is unknown takes as long as a real check, so timing does not
# reveal which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The list of common passwords shipped with the project (one per line, ``#`` comments)."""
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str) -> str | None:
    """What is wrong with a chosen password, or None.

    Length and a list of common passwords only: NCSC and NIST SP 800-63B advise against composition rules.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if password.lower() in common_passwords() or len(set(password)) == 1:
        return "Password is too easy to guess: it is on a list of common passwords"
    return None


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # No password set: spend the same time as a real check, then refuse whatever was typed.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(_verify, stored_hash, password)
