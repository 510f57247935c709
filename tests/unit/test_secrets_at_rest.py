"""Secrets at rest (issue 16, point 5): sealed with a key derived from REGISTRY_SECRET_KEY, opened with it or
with an earlier key listed in REGISTRY_OLD_SECRET_KEYS, re-sealed under the current key by rotation, and
refused with a clear message when no configured key opens them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry import secrets_at_rest as secrets
from registry.settings import get_settings


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _use(monkeypatch: pytest.MonkeyPatch, key: str, old: str = "") -> None:
    monkeypatch.setenv("REGISTRY_SECRET_KEY", key)
    monkeypatch.setenv("REGISTRY_OLD_SECRET_KEYS", old)
    get_settings.cache_clear()


def test_a_sealed_secret_never_holds_the_secret_and_opens_again(keys: pytest.MonkeyPatch) -> None:
    _use(keys, "key-one-" * 6)
    sealed = secrets.seal("client-secret-123")
    assert sealed.startswith("fernet:")
    assert "client-secret-123" not in sealed
    assert secrets.seal("client-secret-123") != sealed  # a fresh token each time
    assert secrets.open_secret(sealed) == "client-secret-123"
    assert secrets.open_secret("stored-before-encryption") == "stored-before-encryption"


def test_rotation_opens_with_the_old_key_then_seals_under_the_new(keys: pytest.MonkeyPatch) -> None:
    _use(keys, "old-key-" * 6)
    sealed = secrets.seal("s3cret")
    _use(keys, "new-key-" * 6)
    with pytest.raises(secrets.SecretUnreadable, match="REGISTRY_OLD_SECRET_KEYS"):
        secrets.open_secret(sealed)
    _use(keys, "new-key-" * 6, old="old-key-" * 6)
    assert secrets.open_secret(sealed) == "s3cret"
    resealed = secrets.reseal(sealed)
    _use(keys, "new-key-" * 6)  # the old key is gone
    assert secrets.open_secret(resealed) == "s3cret"
    assert secrets.open_secret(secrets.reseal("in clear")) == "in clear"
