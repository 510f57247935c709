"""Requests use kept-open database connections: SQLite's pooled engine, or PostgreSQL's asyncpg pool."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry import db
from registry.app import create_app
from registry.cli_viewer import COMMAND_LINE
from registry.db_sqlite import PooledSQLiteEngine
from registry.events import service as events
from registry.events.schemas import EventIn, SessionIn
from registry.people.tables import Organisation
from tests.conftest import BACKEND
from tests.support import Alliance, bearer

REQUESTS = 50
AT_ONCE = 10


async def _published_event() -> int:
    soon = datetime.now(UTC) + timedelta(days=3)
    event = await events.create_event(
        COMMAND_LINE,
        EventIn(
            title="Kept-open connections", host_organisation="DCC", format="online",
            online_url="https://meet.example.org/x", capacity=10,
            sessions=[SessionIn(starts_at=soon, ends_at=soon + timedelta(hours=2))], status="published",
        ),
    )  # fmt: skip
    return event.id


async def _get_many(client: AsyncTestClient, path: str, headers: dict[str, Any]) -> list[int]:  # type: ignore[type-arg]
    statuses: list[int] = []
    for _ in range(REQUESTS // AT_ONCE):
        responses = await asyncio.gather(*(client.get(path, headers=headers) for _ in range(AT_ONCE)))
        statuses += [r.status_code for r in responses]
    return statuses


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite engine")
async def test_sqlite_requests_reuse_a_few_open_connections(
    client: AsyncTestClient,
    alliance: Alliance,  # type: ignore[type-arg]
) -> None:
    engine = db.engine()
    assert isinstance(engine, PooledSQLiteEngine), "the pooled engine is the default"
    event_id = await _published_event()
    before = engine.connections_opened
    statuses = await _get_many(client, f"/api/v1/events/{event_id}", bearer(alliance.tokens["lead"]))
    assert statuses == [200] * REQUESTS
    # Each request runs about seven queries; all of them shared the app loop's readers and its writer.
    assert engine.connections_opened - before <= engine.readers + 1


async def test_the_app_opens_and_closes_its_database_connections_with_its_lifespan() -> None:
    engine = db.engine()
    app = create_app()
    async with app.lifespan():
        await Organisation.count()
        if isinstance(engine, PooledSQLiteEngine):
            pool = await engine.connections()
            assert not pool.closed
        else:
            assert getattr(engine, "pool", None) is not None
    if isinstance(engine, PooledSQLiteEngine):
        assert pool.closed
        assert pool.writer is None
        assert not pool.idle
    else:
        assert getattr(engine, "pool", None) is None


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's connection pool")
async def test_postgresql_requests_go_through_the_pool(alliance: Alliance, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncpg
    import asyncpg.connection

    event_id = await _published_event()
    opened = 0
    real_connect = asyncpg.connection.connect

    async def connect(*args: Any, **kwargs: Any) -> Any:
        nonlocal opened
        opened += 1
        return await real_connect(*args, **kwargs)

    # The pool takes its connect function when it is made (in the app's lifespan); Piccolo calls asyncpg.connect.
    monkeypatch.setattr(asyncpg.connection, "connect", connect)
    monkeypatch.setattr(asyncpg, "connect", connect)
    engine = db.engine()
    headers = bearer(alliance.tokens["lead"])
    async with AsyncTestClient(app=create_app(), base_url="http://testserver.local") as client:
        statuses = await _get_many(client, f"/api/v1/events/{event_id}", headers)
        statuses += await _get_many(client, "/api/v1/practitioners", headers)
    assert statuses == [200] * 2 * REQUESTS
    # Some 700 queries over at most POOL_SIZE connections; unpooled, every query would open its own.
    assert 1 <= opened <= db.POOL_SIZE
    assert getattr(engine, "pool", None) is None  # closed with the app
