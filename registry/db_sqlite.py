"""SQLite with its connections kept open: a few read connections and one writer connection per event loop.

Piccolo's ``SQLiteEngine`` opens a new aiosqlite connection (a thread, a file open, a pragma) for every
query outside a transaction and for every transaction: about 3 ms each on this kind of machine, against
0.1 ms for a query on an open connection (notes/STACK.md §1.7). This engine keeps them open:

- reads outside a transaction (statements that start with ``SELECT``) take one of at most ``readers``
  read connections, opened on first need; in WAL mode they never wait for the writer, and being in
  autocommit each statement sees what was committed before it started;
- every transaction, and every other statement outside one, uses the loop's single writer connection,
  behind an ``asyncio.Lock``: the in-process serialisation ``db.write_tx`` used to add itself. ``BEGIN
  IMMEDIATE`` and ``busy_timeout`` still make a second process (a CLI import) wait its turn;
- queries inside a transaction run on the transaction's connection, found through Piccolo's ContextVar.

So what is private to a connection (temporary tables, ``changes()``, ``last_insert_rowid()``) holds only
within a transaction. A file copied over the database while the engine has it open is not seen; a new
``path`` is (connections to the old file close as their loop next uses the engine).

aiosqlite resolves its futures on the loop that created the connection, so connections belong to a loop:
tests, the browser tests' live server and the app each run their own. The connections of a loop are
closed by ``close_connections()`` (the app's shutdown) or, at the latest, when the loop shuts down its
async generators (``asyncio.run``, ``asyncio.Runner``, uvicorn, anyio and pytest-asyncio all do).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

if TYPE_CHECKING:
    from piccolo.table import Table

__all__ = ("PooledSQLiteEngine",)

log = logging.getLogger(__name__)

DEFAULT_READERS = 4
_RETURNING_SINCE = 3.35
"""SQLite version from which Piccolo's INSERT uses RETURNING (before it, it looks the rowid up)."""


def reads_only(sql: str) -> bool:
    """Whether a statement may go to a read connection: a plain ``SELECT`` (anything else goes to the writer)."""
    return sql.lstrip(" \t\r\n(")[:6].upper() == "SELECT"


class _LoopConnections:
    """The connections of one event loop: up to ``size`` readers and one writer."""

    def __init__(self, engine: PooledSQLiteEngine, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self.engine = engine
        self.path = engine.path
        self._loop = weakref.ref(loop)  # the pools are kept by loop, weakly: a loop that is gone is forgotten
        self.idle: list[aiosqlite.Connection] = []
        self.reader_slots = asyncio.Semaphore(size)
        self.readers_open = 0
        self.writer: aiosqlite.Connection | None = None
        self.write_lock = asyncio.Lock()
        self.closed = False
        self._closer: Any = None

    async def start(self) -> None:
        """Arrange for the connections to close when the loop shuts down its async generators."""
        self._closer = self._close_at_loop_end()
        await self._closer.__anext__()

    async def _close_at_loop_end(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self._close_connections()

    async def close(self) -> None:
        """Close every idle connection now; one in use closes when it is handed back."""
        if self.closed:
            return
        if self._closer is not None:
            await self._closer.aclose()  # runs _close_connections once, and the loop has nothing left to close
        else:
            await self._close_connections()

    async def _close_connections(self) -> None:
        self.closed = True
        loop = self._loop()
        if loop is not None:
            self.engine._forget(loop, self)
        idle, self.idle = self.idle, []
        writer = self.writer if not self.write_lock.locked() else None
        if writer is not None:
            self.writer = None
            idle.append(writer)
        for connection in idle:
            await _close_quietly(connection)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self.reader_slots:
            connection = self.idle.pop() if self.idle else await self._open_reader()
            try:
                yield connection
            finally:
                await self._give_back_reader(connection)

    async def _open_reader(self) -> aiosqlite.Connection:
        connection = await self.engine.open_connection(read_only=True)
        self.readers_open += 1
        return connection

    async def _give_back_reader(self, connection: aiosqlite.Connection) -> None:
        if self.closed or connection.in_transaction:
            # Only SELECTs in autocommit come here; a reader left inside a transaction would go on reading an
            # old snapshot, so it is not kept.
            await _close_quietly(connection)
            self.readers_open -= 1
        else:
            self.idle.append(connection)

    async def take_writer(self) -> aiosqlite.Connection:
        """Wait for the writer connection and hold it until ``give_back_writer``."""
        await self.write_lock.acquire()
        try:
            if self.writer is None:
                self.writer = await self.engine.open_connection(read_only=False)
            return self.writer
        except BaseException:
            self.write_lock.release()
            raise

    async def give_back_writer(self, connection: aiosqlite.Connection) -> None:
        try:
            if connection.in_transaction:
                # A COMMIT or ROLLBACK that failed (or was cancelled) must not leak into the next transaction.
                try:
                    await connection.rollback()
                except Exception:
                    log.exception("could not roll back the writer connection; opening a new one")
                    self.writer = None
                    await _close_quietly(connection)
            if self.closed and self.writer is connection:
                self.writer = None
                await _close_quietly(connection)
        finally:
            self.write_lock.release()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[aiosqlite.Connection]:
        connection = await self.take_writer()
        try:
            yield connection
        finally:
            await self.give_back_writer(connection)


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    try:
        await connection.close()
    except Exception:
        log.exception("could not close an SQLite connection")


async def _pragma(connection: aiosqlite.Connection, pragma: str) -> Any:
    """The value a pragma answers (rows are dicts: the engine's row factory)."""
    rows = cast(list[dict[str, Any]], list(await connection.execute_fetchall(f"PRAGMA {pragma}")))
    return next(iter(rows[0].values())) if rows else None


class PooledTransaction(SQLiteTransaction):
    """A transaction on the loop's writer connection, held (with the write lock) until it ends."""

    __slots__ = ("_connections",)

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        connections = await self.engine.connections()
        self._connections = connections
        self.connection = await connections.take_writer()
        try:
            await self.begin()
        except BaseException:
            await connections.give_back_writer(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    # Piccolo's own, with types.
    async def begin(self) -> None:
        await self.connection.execute(f"BEGIN {self.transaction_type.value}")

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exception_type: Any, exception: BaseException | None, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._connections.give_back_writer(self.connection)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """``SQLiteEngine`` that keeps its connections open (see the module docstring)."""

    def __init__(self, path: str, *, readers: int = DEFAULT_READERS, timeout: float = 30.0, **kwargs: Any) -> None:
        if readers < 1:
            raise ValueError("readers must be at least 1")
        super().__init__(path=path, timeout=timeout, **kwargs)
        self.readers = readers
        self.busy_timeout_ms = int(timeout * 1000)
        self.connections_opened = 0
        """How many connections this engine has opened (read and write, every loop): for tests and the bench."""
        self._wal_checked = False
        """Whether this engine has seen its file in WAL mode (kept in the file, so checked once per path)."""
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnections] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def path(self) -> str:
        return str(self.connection_kwargs["database"])

    @path.setter
    def path(self, value: str) -> None:
        self.connection_kwargs["database"] = value
        self._wal_checked = False

    # -- connections -------------------------------------------------------------------------------------

    async def open_connection(self, *, read_only: bool) -> aiosqlite.Connection:
        """A new connection with the registry's pragmas (set once here, not per query)."""
        connection = await aiosqlite.connect(**self.connection_kwargs)
        try:
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            if not self._wal_checked:
                await self._use_wal(connection)
            # In WAL mode NORMAL is safe from corruption and survives an application crash; only a power cut
            # can lose the last transactions (sqlite.org/pragma.html#pragma_synchronous).
            await connection.execute("PRAGMA synchronous = NORMAL")
            if read_only:
                await connection.execute("PRAGMA query_only = ON")
        except BaseException:
            await _close_quietly(connection)
            raise
        self.connections_opened += 1
        return connection

    async def _use_wal(self, connection: aiosqlite.Connection) -> None:
        """WAL is kept in the file: switch once, the first time this engine connects."""
        mode = await _pragma(connection, "journal_mode")
        if mode != "wal":
            mode = await _pragma(connection, "journal_mode = WAL")
            if mode != "wal":
                log.warning("SQLite database %s stays in journal mode %s, not WAL", self.path, mode)
        self._wal_checked = True

    async def connections(self) -> _LoopConnections:
        """The running loop's connections (made on first use)."""
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is not None and pool.path != self.path:
            await pool.close()  # the engine was pointed at another file
            pool = None
        if pool is None:
            pool = self._pools[loop] = _LoopConnections(self, loop, self.readers)
            await pool.start()
        return pool

    def _forget(self, loop: asyncio.AbstractEventLoop, pool: _LoopConnections) -> None:
        if self._pools.get(loop) is pool:
            del self._pools[loop]

    async def close_connections(self) -> None:
        """Close the running loop's connections (the app's shutdown). The engine opens new ones if used again."""
        pool = self._pools.get(asyncio.get_running_loop())
        if pool is not None:
            await pool.close()

    async def start_connection_pool(self, **_: Any) -> None:
        """Nothing to start: connections open on first use."""

    async def close_connection_pool(self) -> None:
        await self.close_connections()

    # -- queries -----------------------------------------------------------------------------------------

    async def _run_on(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> list[dict[str, Any]]:
        if query_type == "insert" and self.get_version_sync() < _RETURNING_SINCE:
            return await self._run_in_existing_connection(  # type: ignore[no-any-return]
                connection, query, args, query_type=query_type, table=table
            )
        # One round trip to the connection's thread: execute and fetch together.
        return cast(list[dict[str, Any]], list(await connection.execute_fetchall(query, args or [])))

    async def _run(
        self, query: str, args: list[Any] | None, query_type: str = "generic", table: type[Table] | None = None
    ) -> list[dict[str, Any]]:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await self._run_on(transaction.connection, query, args, query_type, table)
        connections = await self.connections()
        use = connections.reading() if reads_only(query) else connections.writing()
        async with use as connection:
            return await self._run_on(connection, query, args, query_type, table)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> list[dict[str, Any]]:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=str(querystring))
        query, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run(query, args, querystring.query_type, querystring.table)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> list[dict[str, Any]]:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=ddl)
        response = await self._run(ddl, None)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> PooledTransaction:
        return PooledTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)
