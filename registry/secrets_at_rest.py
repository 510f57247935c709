"""Integration secrets at rest (a single-sign-on client secret, and any later one): encrypted with Fernet
under a key derived from ``REGISTRY_SECRET_KEY`` (HKDF-SHA256), never stored or shown in clear.

Rotation: set the new ``REGISTRY_SECRET_KEY`` and list the old one in ``REGISTRY_OLD_SECRET_KEYS``; every
secret still opens (MultiFernet tries each key), and ``registry secrets rotate`` re-encrypts them all under
the new key, after which the old key can go. A value stored before encryption existed opens as it is and is
encrypted by migration m0033.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from registry.errors import DomainError
from registry.settings import get_settings

__all__ = ("PREFIX", "SecretUnreadable", "is_encrypted", "open_secret", "reseal", "seal")

PREFIX = "fernet:"
_INFO = b"cld-registry secrets at rest v1"


class SecretUnreadable(DomainError):
    """A stored secret no configured key opens: the secret key changed without listing the old one."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    settings = get_settings()
    old = [k.strip() for k in settings.old_secret_keys.split(",") if k.strip()]
    return MultiFernet([_fernet(settings.resolved_secret_key()), *(_fernet(k) for k in old)])


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal(secret: str) -> str:
    """The secret as it is stored: ``fernet:`` and the token."""
    return PREFIX + _keys().encrypt(secret.encode()).decode()


def open_secret(stored: str) -> str:
    """The secret in clear, for the moment it is used."""
    if not is_encrypted(stored):
        return stored  # stored before encryption; migration m0033 encrypts what is left
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be opened with the secret key: list the previous key in REGISTRY_OLD_SECRET_KEYS"
        ) from None


def reseal(stored: str) -> str:
    """The secret encrypted under the current key (from an older key, or from clear)."""
    if not is_encrypted(stored):
        return seal(stored)
    try:
        return PREFIX + _keys().rotate(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("A stored secret cannot be opened with any configured key") from None
