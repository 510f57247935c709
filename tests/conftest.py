"""Test settings and databases, chosen before the registry reads its settings.

``REGISTRY_TEST_BACKEND=postgres`` (with ``REGISTRY_TEST_DATABASE_URL`` pointing at a server, as
./scripts/test arranges) runs against PostgreSQL databases made for the run; otherwise SQLite files in a
temporary folder. Either way each database test gets a database of its own, copied from a snapshot made
once per run (``tests.support.TestDatabases``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support import TestDatabases

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


async def _drop_this_runs_databases() -> None:
    """The database the engine starts on, the snapshots and the last test's copy (all named after the first)."""
    import asyncpg

    connection = await asyncpg.connect(_PG_ADMIN_URL)
    try:
        rows = await connection.fetch("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", _PG_DATABASE)
        for row in rows:
            await connection.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await connection.close()


if BACKEND == "postgres":
    if not _PG_ADMIN_URL:
        raise RuntimeError("REGISTRY_TEST_BACKEND=postgres needs REGISTRY_TEST_DATABASE_URL")
    # The database the engine starts on (the browser tests' live server opens its pool there); each test then
    # moves the engine to a copy of its own.
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
def databases() -> TestDatabases:
    """A fresh database for each test (``await databases.fresh(kind)`` on the loop that uses the engine)."""
    from tests.support import TestDatabases  # it imports the registry: only once its settings are in place

    if BACKEND == "postgres":
        return TestDatabases(_TMP, postgres_admin_url=_PG_ADMIN_URL, prefix=_PG_DATABASE)
    return TestDatabases(_TMP)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``REGISTRY_TEST_SHARD=k/n`` keeps every n-th test, from the k-th: ./scripts/test runs the PostgreSQL
    tests as two such shards side by side (each with its own databases)."""
    shard = os.environ.get("REGISTRY_TEST_SHARD")
    if not shard:
        return
    k, n = (int(part) for part in shard.split("/"))
    if not 1 <= k <= n:
        raise pytest.UsageError(f"REGISTRY_TEST_SHARD={shard}: expected k/n with 1 <= k <= n")
    config.hook.pytest_deselected(items=[item for i, item in enumerate(items) if i % n != k - 1])
    items[:] = items[k - 1 :: n]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)
    if BACKEND == "postgres":
        asyncio.run(_drop_this_runs_databases())
