"""Engine helpers: one write transaction per use case, the same guarantees on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from registry.db_sqlite import PooledSQLiteEngine

__all__ = (
    "LOOKUP_BATCH",
    "batches",
    "close_pool",
    "columns_of",
    "contains",
    "engine",
    "is_integrity_error",
    "is_sqlite",
    "like_pattern",
    "marks",
    "migrate",
    "open_pool",
    "write_tx",
)

# SQLite allows one writer: without a lock in the process, concurrent writers poll SQLite's busy handler
# (seconds for 50 bookings); behind one lock they take milliseconds (notes/STACK.md §1.7). Locks belong
# to an event loop, so there is one per loop. The pooled engine (db_sqlite.py) holds that lock itself, with
# its one writer connection; these locks serve Piccolo's plain engine (REGISTRY_SQLITE_ENGINE=piccolo).
T = TypeVar("T")
_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


LOOKUP_BATCH = 500
"""Values per ``IN (...)`` look-up: far below SQLite's limit on bound variables (32,766), whatever a file holds."""


def batches(values: Iterable[T], size: int = LOOKUP_BATCH) -> Iterator[list[T]]:
    """Split values into lists of at most ``size`` (for look-ups over a whole import file)."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def columns_of(table: type[Table], alias: str) -> str:
    """Every column of ``table`` for a hand-written SELECT, as ``alias."name"``, read from the table itself.

    The hot reads (a page or an API detail asked for thousands of times a minute) are written as SQL with ``raw``:
    building a query through Piccolo's builder costs more CPU than SQLite or PostgreSQL take to answer it
    (docs/performance.md). Selecting plain columns keeps every value converted exactly as ``select`` would.
    """
    return ", ".join(f'{alias}."{column._meta.db_column_name}"' for column in table._meta.columns)


def marks(values: Iterable[object]) -> str:
    """As many ``{}`` placeholders as values, for ``raw``'s ``IN (...)``: ``IN (NULL)`` when there are none."""
    return ", ".join("{}" for _ in values) or "NULL"


def engine() -> Engine:  # type: ignore[type-arg]
    found = engine_finder()
    if found is None:
        raise RuntimeError("no database engine configured")
    return found


def is_sqlite() -> bool:
    return bool(engine().engine_type == "sqlite")


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_tx() -> AsyncIterator[Any]:
    """A transaction that may write: IMMEDIATE (and serialised in-process) on SQLite; READ COMMITTED on PostgreSQL.

    Nested use joins the outer transaction, so a service can call another service's helpers.
    """
    db = engine()
    if db.transaction_exists():
        yield db.current_transaction.get()
        return
    if isinstance(db, PooledSQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    elif db.engine_type == "sqlite":
        async with _write_lock(), db.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with db.transaction() as tx:
            yield tx


def is_integrity_error(exc: BaseException) -> bool:
    """True for a unique or foreign-key violation on either engine."""
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, asyncpg.exceptions.IntegrityConstraintViolationError)


async def migrate() -> str:
    """Apply every migration (idempotent) and, on SQLite, switch the file to WAL once."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    db = engine()
    if db.engine_type == "sqlite":
        await db.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards("registry")
    if not result.success:
        raise RuntimeError(result.message)
    return str(result.message)


POOL_SIZE = 20
"""PostgreSQL connections per app instance (asyncpg pool)."""


async def open_pool() -> None:
    """Start the PostgreSQL pool (SQLite's pooled engine opens its connections on first use)."""
    db = engine()
    if db.engine_type != "sqlite":
        await cast(Any, db).start_connection_pool(min_size=1, max_size=POOL_SIZE)


async def close_pool() -> None:
    """Close the PostgreSQL pool, or this event loop's SQLite connections."""
    db = engine()
    if isinstance(db, PooledSQLiteEngine):
        await db.close_connections()
    elif db.engine_type != "sqlite":
        await cast(Any, db).close_connection_pool()


def like_pattern(text: str) -> str:
    """The LIKE pattern of "contains text", with LIKE's own characters dropped from the text."""
    escaped = text.replace("\\", "").replace("%", "").replace("_", "")
    return f"%{escaped}%"


def contains(column: Any, text: str) -> Any:
    """Case-insensitive "column contains text" (SQLite's LIKE already ignores ASCII case; it has no ILIKE)."""
    pattern = like_pattern(text)
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)
