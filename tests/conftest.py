"""Test settings: a throwaway database per run, chosen before the registry reads its settings.

``REGISTRY_TEST_BACKEND=postgres`` (with ``REGISTRY_TEST_DATABASE_URL`` pointing at a server, as
./scripts/test arranges) runs against a fresh PostgreSQL database; otherwise a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import pytest

_TMP = tempfile.mkdtemp(prefix="registry-test-")
BACKEND = os.environ.get("REGISTRY_TEST_BACKEND", "sqlite")
_PG_ADMIN_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
_PG_DATABASE = f"registry_test_{uuid.uuid4().hex[:10]}"


async def _pg(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


if BACKEND == "postgres":
    if not _PG_ADMIN_URL:
        raise RuntimeError("REGISTRY_TEST_BACKEND=postgres needs REGISTRY_TEST_DATABASE_URL")
    asyncio.run(_pg(f'CREATE DATABASE "{_PG_DATABASE}"'))
    DATABASE_URL = _PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + _PG_DATABASE
else:
    DATABASE_URL = f"sqlite:///{_TMP}/registry.sqlite3"

os.environ.update(
    {
        "REGISTRY_DATABASE_URL": DATABASE_URL,
        "REGISTRY_VAR_DIR": _TMP,
        "REGISTRY_SECRET_KEY": "test-secret-key-not-for-production",
        "REGISTRY_SCHEDULER": "off",
        "REGISTRY_MAIL_URL": f"file://{_TMP}/outbox",
        "REGISTRY_BASE_URL": "http://testserver.local",
    }
)


@pytest.fixture(scope="session")
def migrated() -> Iterator[str]:
    """The test database with every migration applied (once per run)."""
    from registry import db

    asyncio.run(db.migrate())
    yield DATABASE_URL


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)
    if BACKEND == "postgres":
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)'))
