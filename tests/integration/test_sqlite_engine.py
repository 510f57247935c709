"""The pooled SQLite engine (registry/db_sqlite.py): connections kept open, per event loop, and the same answers.

Each test has its own engine on its own file, so what is counted is only what the test did.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from piccolo.engine.sqlite import TransactionType
from piccolo.querystring import QueryString

from registry.db import is_integrity_error
from registry.db_sqlite import PooledSQLiteEngine, reads_only

READERS = 3


class Opened:
    """Every aiosqlite connection opened while it is installed."""

    def __init__(self) -> None:
        self.connections: list[aiosqlite.Connection] = []

    def __len__(self) -> int:
        return len(self.connections)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Opened:
    spy = Opened()
    real_connect = aiosqlite.connect

    def connect(*args: Any, **kwargs: Any) -> aiosqlite.Connection:
        connection = real_connect(*args, **kwargs)
        spy.connections.append(connection)
        return connection

    monkeypatch.setattr(aiosqlite, "connect", connect)
    return spy


def _new_engine(path: Path) -> PooledSQLiteEngine:
    engine = PooledSQLiteEngine(path=str(path), readers=READERS, timeout=30)
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        setup.execute("CREATE TABLE tag (id INTEGER PRIMARY KEY, note INTEGER NOT NULL REFERENCES note (id))")
    setup.close()
    return engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[PooledSQLiteEngine]:
    engine = _new_engine(tmp_path / "engine.sqlite3")
    yield engine
    await engine.close_connections()


async def _bodies(engine: PooledSQLiteEngine) -> list[str]:
    rows = await engine.run_querystring(QueryString("SELECT body FROM note ORDER BY id"))
    return [r["body"] for r in rows]


async def _add(engine: PooledSQLiteEngine, body: str) -> None:
    await engine.run_querystring(QueryString("INSERT INTO note (body) VALUES ({})", body))


def _worker_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


def test_only_plain_selects_go_to_the_read_connections() -> None:
    assert reads_only("SELECT 1")
    assert reads_only("  \n(select * from note)")
    for statement in ("INSERT INTO note (body) VALUES ('x')", "PRAGMA journal_mode=WAL", "WITH x AS (SELECT 1) "
                      "DELETE FROM note", "BEGIN", "CREATE TABLE t (id INTEGER)", "UPDATE note SET body = 'y'"):  # fmt: skip
        assert not reads_only(statement), statement


async def test_many_reads_reuse_a_few_open_connections(engine: PooledSQLiteEngine, opened: Opened) -> None:
    await _add(engine, "first")
    for _ in range(20):
        assert await _bodies(engine) == ["first"]
    # Fifty at once: never more readers than the pool allows, however many wait.
    answers = await asyncio.gather(*(_bodies(engine) for _ in range(50)))
    assert answers == [["first"]] * 50
    assert len(opened) <= READERS + 1  # the readers and the one writer that did the insert
    assert engine.connections_opened == len(opened)
    pool = await engine.connections()
    assert pool.readers_open <= READERS


async def test_every_pooled_connection_has_the_pragmas(engine: PooledSQLiteEngine) -> None:
    pool = await engine.connections()
    async with AsyncExitStack() as holding:
        readers = [await holding.enter_async_context(pool.reading()) for _ in range(READERS)]
        writer = await holding.enter_async_context(pool.writing())
        assert len({id(c) for c in [*readers, writer]}) == READERS + 1
        for connection in [*readers, writer]:
            pragmas = {}
            for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout", "query_only"):
                rows = list(await connection.execute_fetchall(f"PRAGMA {name}"))
                pragmas[name] = next(iter(rows[0].values()))  # type: ignore[attr-defined]
            assert pragmas["foreign_keys"] == 1
            assert pragmas["journal_mode"] == "wal"
            assert pragmas["synchronous"] == 1  # NORMAL
            assert pragmas["busy_timeout"] == 30_000
            assert pragmas["query_only"] == (0 if connection is writer else 1)


async def test_foreign_keys_are_enforced_on_the_writer(engine: PooledSQLiteEngine) -> None:
    with pytest.raises(sqlite3.IntegrityError) as raised:
        await engine.run_querystring(QueryString("INSERT INTO tag (note) VALUES ({})", 999))
    assert is_integrity_error(raised.value)


async def test_a_write_is_seen_by_the_next_read_on_the_same_reader(tmp_path: Path) -> None:
    engine = PooledSQLiteEngine(path=str(tmp_path / "one.sqlite3"), readers=1)
    await engine.run_ddl("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
    try:
        assert await _bodies(engine) == []
        await _add(engine, "outside a transaction")
        assert await _bodies(engine) == ["outside a transaction"]
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await _add(engine, "in a transaction")
        assert await _bodies(engine) == ["outside a transaction", "in a transaction"]
        # The same read connection every time (and the writer): it was never left in the past.
        assert engine.connections_opened == 2
    finally:
        await engine.close_connections()


async def test_reads_go_on_while_a_write_transaction_is_open(engine: PooledSQLiteEngine) -> None:
    await _add(engine, "committed")
    written, finish = asyncio.Event(), asyncio.Event()
    seen_inside: list[str] = []

    async def writer() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await _add(engine, "pending")
            seen_inside.extend(await _bodies(engine))  # the transaction's own connection sees its own write
            written.set()
            await finish.wait()

    task = asyncio.create_task(writer())
    await written.wait()
    # Outside the transaction: not blocked by the writer, and not shown what it has not committed.
    assert await asyncio.gather(*(_bodies(engine) for _ in range(10))) == [["committed"]] * 10
    assert seen_inside == ["committed", "pending"]
    finish.set()
    await task
    assert await _bodies(engine) == ["committed", "pending"]


async def test_write_transactions_take_turns_on_the_one_writer(engine: PooledSQLiteEngine, opened: Opened) -> None:
    order: list[str] = []
    first_in, release_first = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            order.append("first begins")
            first_in.set()
            await release_first.wait()
            await _add(engine, "first")
            order.append("first ends")

    async def second() -> None:
        await first_in.wait()
        async with engine.transaction(transaction_type=TransactionType.immediate):
            order.append("second begins")
            await _add(engine, "second")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_in.wait()
    for _ in range(5):
        await asyncio.sleep(0)
    release_first.set()
    await asyncio.gather(*tasks)
    assert order == ["first begins", "first ends", "second begins"]
    assert await _bodies(engine) == ["first", "second"]
    assert len(opened) == 2  # one writer for both transactions, and the reader of the last line


async def test_a_failed_transaction_rolls_back_and_leaves_the_writer_clean(engine: PooledSQLiteEngine) -> None:
    await _add(engine, "taken")

    async def add_two() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await _add(engine, "kept only if the transaction commits")
            await _add(engine, "taken")

    with pytest.raises(sqlite3.IntegrityError):
        await add_two()
    assert await _bodies(engine) == ["taken"]

    inside = asyncio.Event()

    async def stuck() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await _add(engine, "cancelled")
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _add(engine, "after")
    assert await _bodies(engine) == ["taken", "after"]
    pool = await engine.connections()
    assert pool.writer is not None
    assert not pool.writer.in_transaction


async def test_a_second_process_holding_the_write_lock_is_waited_for(engine: PooledSQLiteEngine) -> None:
    """Like a CLI import while the server runs: BEGIN IMMEDIATE and busy_timeout, not "database is locked"."""
    await _add(engine, "before")
    holding, go = threading.Event(), threading.Event()

    def other_process() -> None:
        other = sqlite3.connect(engine.path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            holding.set()
            go.wait(timeout=20)
            other.execute("INSERT INTO note (body) VALUES ('other process')")
            other.execute("COMMIT")
        finally:
            other.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    await asyncio.to_thread(holding.wait, 20)
    ours = asyncio.create_task(_write_in_transaction(engine, "ours"))
    await asyncio.sleep(0.2)
    assert not ours.done()  # waiting for the other writer, not failed
    go.set()
    await ours
    await asyncio.to_thread(thread.join, 20)
    assert await _bodies(engine) == ["before", "other process", "ours"]


async def _write_in_transaction(engine: PooledSQLiteEngine, body: str) -> None:
    async with engine.transaction(transaction_type=TransactionType.immediate):
        await _add(engine, body)


def test_each_event_loop_has_its_own_connections_closed_when_the_loop_ends(tmp_path: Path, opened: Opened) -> None:
    engine = _new_engine(tmp_path / "loops.sqlite3")
    before = _worker_threads()
    pools: list[weakref.ref[object]] = []

    async def use() -> None:
        await _add(engine, f"loop {len(pools)}")
        await asyncio.gather(*(_bodies(engine) for _ in range(5)))
        pool = await engine.connections()
        # By weak reference, not id(): once the first loop's pool is collected, the second may get its address.
        assert all(earlier() is not pool for earlier in pools)
        pools.append(weakref.ref(pool))

    asyncio.run(use())
    first_loop = list(opened.connections)
    asyncio.run(use())
    assert len(pools) == 2
    assert first_loop
    assert len(opened) > len(first_loop)  # the second loop opened its own
    for thread in _worker_threads() - before:
        thread.join(timeout=10)  # a worker ends right after its connection closes; one never closed would not
    assert _worker_threads() <= before


def test_connections_used_from_another_thread_s_loop_stay_there(tmp_path: Path) -> None:
    """The browser tests' live server: uvicorn's loop in a thread, beside the test's own loop."""
    engine = _new_engine(tmp_path / "threads.sqlite3")
    results: list[list[str]] = []

    def in_thread() -> None:
        async def use() -> None:
            await _add(engine, "from the thread")
            results.append(await _bodies(engine))

        asyncio.run(use())

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(timeout=30)

    async def here() -> list[str]:
        try:
            return await _bodies(engine)
        finally:
            await engine.close_connections()

    assert results == [["from the thread"]]
    assert asyncio.run(here()) == ["from the thread"]


async def test_closing_a_loop_s_connections_then_using_the_engine_again(
    engine: PooledSQLiteEngine, opened: Opened
) -> None:
    await _add(engine, "one")
    assert await _bodies(engine) == ["one"]
    first = await engine.connections()
    await engine.close_connections()
    assert first.closed
    assert first.writer is None
    assert not first.idle
    for connection in opened.connections:
        with pytest.raises(ValueError, match="no active connection"):
            connection.in_transaction  # noqa: B018 - closed: the property refuses
    assert await _bodies(engine) == ["one"]  # a fresh set of connections
    assert await engine.connections() is not first


async def test_pointing_the_engine_at_another_file_leaves_the_old_connections(
    engine: PooledSQLiteEngine, tmp_path: Path
) -> None:
    await _add(engine, "in the first file")
    first = await engine.connections()
    other = _new_engine(tmp_path / "second.sqlite3")
    engine.path = other.path
    assert await _bodies(engine) == []
    assert first.closed
    await _add(engine, "in the second file")
    with sqlite3.connect(other.path) as check:
        assert check.execute("SELECT body FROM note").fetchall() == [("in the second file",)]
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    check.close()
