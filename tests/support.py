"""Shared test helpers: a fresh database for each test (from a snapshot made once per run), the small test
alliance with one sign-in per role, the helpers tests use to act as its people, and a stopped clock."""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast

import asyncpg
import pytest
from argon2 import PasswordHasher
from piccolo.table import Table

from registry import clock, db
from registry.accounts import passwords
from registry.accounts import service as accounts
from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.audit import service as audit
from registry.audit.tables import AuditEntry
from registry.cli_viewer import COMMAND_LINE
from registry.db import engine, is_sqlite
from registry.learning import frameworks
from registry.metrics import plans
from registry.people import service as people
from registry.piccolo_app import TABLES

PASSWORD = "correct horse battery"

ORGANISATIONS_CSV = """code,name,kind,local_authority
DCC,Dundee City Council,local_authority,Dundee City
FIFE,Fife Council,local_authority,Fife
NHST,NHS Tayside,health,Dundee City
"""

# A small alliance: a Dundee team managed by Graham, a Fife team, a leaver and an NHS practitioner.
PRACTITIONERS_CSV = """email,given_name,family_name,organisation,job_title,contract,weekly_hours,setting,locality,practice_areas,cld_qualified,manager_email,started_on,left_on,cldsc_status,cldsc_category_since,cldsc_number,cldsc_renewal_due
graham@example.org,Graham,Baxter,DCC,CLD Team Leader,full_time,35,community,Lochee,community development,yes,,2015-08-01,,registered,2024-01-10,CLDSC10001,
eilidh@example.org,Eilidh,Morrison,DCC,Youth Worker,part_time,17.5,school,Coldside,youth work;family learning,yes,graham@example.org,2020-02-03,,associate,2025-05-01,CLDSC10002,
ross@example.org,Ross,Walker,DCC,ESOL Tutor,sessional,6,community,East End,ESOL,no,graham@example.org,2022-09-01,,none,,,
amira@example.org,Amira,Malik,FIFE,Community Development Worker,full_time,37,community,Kirkcaldy,community development,yes,,2019-04-01,,registered,2019-06-01,CLDSC10003,2022-06-01
leaver@example.org,Lorna,Leaver,DCC,Volunteer Coordinator,volunteer,4,online,West End,volunteer development,no,graham@example.org,2018-01-01,2024-03-31,,,,
nhs@example.org,Neil,Nicol,NHST,Health Improvement Practitioner,full_time,36,health,Maryfield,learning for vulnerable groups,yes,,2021-01-04,,applied,2025-09-01,,
"""


# Emptying the database restarts the ids, so the records get these ids in the order of PRACTITIONERS_CSV
# (build_alliance checks it). A sign-in is tied to its record by id, so a test acting as Eilidh needs hers.
RECORD_IDS = {
    line.split(",", 1)[0]: number for number, line in enumerate(PRACTITIONERS_CSV.strip().splitlines()[1:], start=1)
}


FIXED_NOW = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
"""The moment the ``fixed_clock`` fixture stops the registry's clock at: a Thursday in the financial year
2026-27 (365 days), inside every registration cycle of the alliance (Eilidh's runs to 30 April 2028)."""
FIXED_TODAY = date(2026, 11, 19)
"""``FIXED_NOW``'s date in Europe/London (GMT in November)."""


class StoppedClock:
    """The registry's clock (``registry.clock``) stopped at one moment and moved on only by ``advance``;
    ``clock.today()`` follows it, as the date in REGISTRY_TIMEZONE."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, moment: datetime | None = None) -> None:
        self.moment = clock.now() if moment is None else moment
        monkeypatch.setattr(clock, "now", lambda: self.moment)
        monkeypatch.setattr(clock, "today", lambda: clock.local_date(self.moment))

    @property
    def today(self) -> date:
        return clock.local_date(self.moment)

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


def boxes(name: str, written: str) -> dict[str, str]:
    """A date as GOV.UK's date input sends it: ``boxes("starts_on", "2027-03-14")`` → ``{"starts_on-day": "14",
    "starts_on-month": "3", "starts_on-year": "2027"}``; an empty date leaves the three boxes empty."""
    year, month, day = written.split("-") if written else ("", "", "")
    return {f"{name}-day": day.lstrip("0"), f"{name}-month": month.lstrip("0"), f"{name}-year": year}


def as_viewer(email: str, name: str, role: Role) -> Viewer:
    """A Viewer as the sign-in of that test-alliance address would be: tied to its record, if it has one."""
    return Viewer(0, email, name, role, practitioner_id=RECORD_IDS.get(email))


@dataclass
class Alliance:
    organisation_ids: dict[str, int] = field(default_factory=dict)
    practitioner_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """role → API token of that role's sign-in."""


# role → (email, organisation): the practitioner signs in as Eilidh, the manager as Graham.
SIGN_INS = {
    "practitioner": ("eilidh@example.org", None),
    "manager": ("graham@example.org", None),
    "partner_admin": ("admin.dcc@example.org", "DCC"),
    "lead": ("lead@example.org", None),
    "admin": ("admin@example.org", None),
}


# Argon2 with its smallest parameters (8 KiB, one pass): the registry's own (64 MiB, three passes, four lanes)
# take 0.1-0.6 s per hash or check on this kind of machine, and the tests sign in and set passwords hundreds of
# times (fifty failed sign-ins in one throttling test). The hashes are still argon2id, checked by the registry's
# own code: a hash carries its parameters, so the registry verifies these as it verifies its own.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@contextmanager
def fast_password_hashing() -> Iterator[None]:
    """The registry hashes with ``FAST_HASHER`` (also for the unknown-address check that spends a hash's time)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", FAST_HASHER)
        patch.setattr(passwords, "_DUMMY_HASH", FAST_HASHER.hash("not a real password, only for timing"))
        yield


async def empty_database() -> None:
    db = engine()
    if is_sqlite():
        for table in reversed(TABLES):
            if table is AuditEntry:  # append-only: only the retention purge deletes from it
                await audit.purge(datetime(9999, 1, 1, tzinfo=UTC))
            else:
                await table.delete(force=True)
    else:
        await audit.purge(datetime(9999, 1, 1, tzinfo=UTC))  # append-only: not even TRUNCATE empties it
        names = ", ".join(f'"{t._meta.tablename}"' for t in TABLES if t is not AuditEntry)
        await db.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    # The competence framework and the CLD Strategy 2018–21 are reference data every test expects, as a
    # migrated database has them.
    await frameworks.load_builtin()
    await plans.load_builtin()


async def build_alliance(with_tokens: bool = True) -> Alliance:
    alliance = Alliance()
    await people.import_organisations(COMMAND_LINE, ORGANISATIONS_CSV)
    await people.import_practitioners(COMMAND_LINE, PRACTITIONERS_CSV)
    organisations, _ = await people.list_organisations(limit=100)
    alliance.organisation_ids = {o.code: o.id for o in organisations}
    everyone, _ = await people.list_practitioners(COMMAND_LINE, people.PractitionerFilter(employment="all"), limit=100)
    alliance.practitioner_ids = {p.email: p.id for p in everyone}
    assert alliance.practitioner_ids == RECORD_IDS, "emptying the database should restart the ids"
    for role, (email, organisation) in SIGN_INS.items():
        await accounts.create_user(email, email.split("@")[0].title(), role, organisation)
    # One hash for the shared test password (the same for every sign-in, as none of these tests tells them apart).
    await User.update({User.password_hash: FAST_HASHER.hash(PASSWORD)}).where(
        User.email.is_in([e for e, _ in SIGN_INS.values()])
    )
    for role, (email, _organisation) in SIGN_INS.items():
        if with_tokens:
            alliance.tokens[role] = await accounts.create_api_token(email, "tests")
    return alliance


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}


class _Absent:
    """What ``Table.exists().where(...)`` gives back, answering "no" whatever is recorded."""

    def where(self, *_conditions: Any) -> _Absent:
        return self

    def __await__(self) -> Any:
        yield from ()
        return False


def pretend_absent(monkeypatch: pytest.MonkeyPatch, table: type[Table]) -> None:
    """Make ``table.exists()`` answer False: what a use case sees when a concurrent request inserts the same
    row between its check and its insert. Deterministic on both engines, unlike a real race."""
    monkeypatch.setattr(table, "exists", lambda: _Absent())


def fix_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Stop the registry's clock at ``moment``: ``clock.now()`` is it and ``clock.today()`` its local date
    (call again to move the clock on)."""
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: clock.local_date(moment))


# --- a database per test ------------------------------------------------------------------------------------

SnapshotKind = Literal["empty", "alliance", "alliance_without_tokens"]
"""What a test's database holds: ``empty`` is migrated (with the built-in competence framework, as every
migrated database has it) and nothing else; ``alliance`` adds ``build_alliance()``, with an API token per role;
``alliance_without_tokens`` is ``build_alliance(with_tokens=False)`` (the browser tests create their own)."""


@dataclass
class Snapshot:
    """A database as tests start on it (a SQLite file, a PostgreSQL database), and its alliance, if any."""

    url: str
    alliance: Alliance | None


def reset_engine(url: str) -> None:
    """Point the registry's one engine at another database: ``sqlite:///path`` or ``postgresql://...``.

    Piccolo's tables find the engine once and keep it, so the engine is changed in place, not replaced. An
    open PostgreSQL pool would still hold connections to the old database: close it first.
    """
    current = engine()
    if url.startswith("sqlite:///"):
        assert current.engine_type == "sqlite", f"the engine is {current.engine_type}, not SQLite"
        current.path = url.removeprefix("sqlite:///")  # type: ignore[attr-defined]
        return
    assert current.engine_type == "postgres", f"the engine is {current.engine_type}, not PostgreSQL"
    postgres = cast(Any, current)
    if postgres.pool is not None:
        raise RuntimeError("close the PostgreSQL pool before pointing the engine at another database")
    postgres.config = {**postgres.config, "dsn": url}


def _remove_sqlite_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)


class TestDatabases:
    """A database of its own for every test, copied from a snapshot made once per run.

    Each snapshot is made on first need, through the registry's own code: ``empty`` by migrating, the others
    from a copy of ``empty`` by building the alliance. A copy keeps the snapshot's ids, so every test sees the
    alliance with the same ids (``RECORD_IDS``) and API tokens (stored hashed in the database, kept in clear
    in the snapshot's ``Alliance``). SQLite: a snapshot is a file, checkpointed (WAL) so that the file alone
    holds it, and a copy is a file copy. PostgreSQL: ``CREATE DATABASE ... TEMPLATE``; a snapshot takes no
    connections, so that it can be copied at once (autovacuum would come and go, and PostgreSQL waits for it).

    The engine is pointed at each new copy (``reset_engine``), never at a file or database that is replaced
    while something may hold it open; connections kept open are closed first (a pool is opened again on the
    new database), and the previous test's copy is then dropped. Run ``fresh`` on the event loop that uses
    the engine: the test's, or the browser tests' live server's.
    """

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, folder: str, postgres_admin_url: str = "", prefix: str = "registry_test") -> None:
        self.folder = folder
        self.admin_url = postgres_admin_url
        """PostgreSQL: a database to connect to for CREATE and DROP DATABASE; empty: SQLite."""
        self.prefix = prefix
        self._snapshots: dict[SnapshotKind, Snapshot] = {}
        self._built: dict[str, tuple[Snapshot, Any]] = {}
        self._numbers = itertools.count(1)
        self._current: str | None = None
        """The current test's database, dropped when the next test gets its own."""
        self._reopen_pool = False
        self._strategy: str | None = None

    @property
    def current_url(self) -> str:
        """The database URL of the test running now (for a subprocess that must work on it)."""
        assert self._current is not None
        return self._current

    async def fresh(self, kind: SnapshotKind) -> Alliance | None:
        """Point the engine at a new copy of that snapshot; the snapshot's alliance (a copy), if it has one."""
        snapshot = await self._snapshot(kind)
        await self._switch_to(self._url(f"test_{next(self._numbers)}"), copy_of=snapshot.url)
        return copy.deepcopy(snapshot.alliance)

    async def fresh_built(
        self, name: str, base: SnapshotKind, build: Callable[[Alliance | None], Awaitable[Any]]
    ) -> tuple[Alliance | None, Any]:
        """Like ``fresh``, for a snapshot of the test's own: ``build`` runs once per run on a copy of ``base``
        (given its alliance); each test gets a copy of the result, and a copy of what ``build`` returned."""
        if name not in self._built:
            base_snapshot = await self._snapshot(base)
            await self._switch_to(self._url(f"snapshot_{name}"), copy_of=base_snapshot.url)
            alliance = copy.deepcopy(base_snapshot.alliance)
            made = await build(alliance)
            self._built[name] = (await self._keep_current(alliance), made)
        snapshot, made = self._built[name]
        await self._switch_to(self._url(f"test_{next(self._numbers)}"), copy_of=snapshot.url)
        return copy.deepcopy(snapshot.alliance), copy.deepcopy(made)

    async def _snapshot(self, kind: SnapshotKind) -> Snapshot:
        if kind not in self._snapshots:
            alliance = None
            if kind == "empty":
                await self._switch_to(self._url("snapshot_empty"), copy_of=None)
                await db.migrate()
                await empty_database()
            else:
                empty = await self._snapshot("empty")
                await self._switch_to(self._url(f"snapshot_{kind}"), copy_of=empty.url)
                alliance = await build_alliance(with_tokens=kind == "alliance")
            self._snapshots[kind] = await self._keep_current(alliance)
        return self._snapshots[kind]

    def _url(self, name: str) -> str:
        if self.admin_url:
            return self.admin_url.rsplit("/", 1)[0] + f"/{self.prefix}_{name}"
        return f"sqlite:///{self.folder}/{name}.sqlite3"

    async def _switch_to(self, url: str, copy_of: str | None) -> None:
        await self._close_connections()
        previous, self._current = self._current, url
        if self.admin_url:
            await self._create_database(url, copy_of, drop=previous)
        else:
            if copy_of is not None:
                shutil.copyfile(copy_of.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
            if previous is not None:
                _remove_sqlite_files(previous.removeprefix("sqlite:///"))
        reset_engine(url)
        if self._reopen_pool:
            self._reopen_pool = False
            await db.open_pool()

    async def _keep_current(self, alliance: Alliance | None) -> Snapshot:
        """The current database becomes a snapshot: it is kept for the run, and nothing connects to it again."""
        await self._close_connections()
        url, self._current = self._current, None
        assert url is not None
        if self.admin_url:
            await self._admin(f'ALTER DATABASE "{_name(url)}" WITH ALLOW_CONNECTIONS false')
        else:
            with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
                busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            connection.close()
            assert busy == 0, f"the snapshot {url} is still in use"
        return Snapshot(url, alliance)

    async def _close_connections(self) -> None:
        """Close what the engine keeps open on this loop (and remember to reopen a PostgreSQL pool)."""
        if self.admin_url:
            if cast(Any, engine()).pool is not None:
                await db.close_pool()
                self._reopen_pool = True
        else:
            await db.close_pool()  # nothing on Piccolo's SQLiteEngine; a pooled engine closes this loop's here

    async def _create_database(self, url: str, template: str | None, drop: str | None) -> None:
        connection = await asyncpg.connect(self.admin_url)
        try:
            if template is None:
                await connection.execute(f'CREATE DATABASE "{_name(url)}"')
            else:
                if self._strategy is None:
                    version = int(await connection.fetchval("SHOW server_version_num"))
                    # FILE_COPY copies the template's files; WAL_LOG, the default since PostgreSQL 15, also writes
                    # every block of them to the WAL (16 against 35 ms here). Before 15 it was the only way.
                    self._strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
                await connection.execute(f'CREATE DATABASE "{_name(url)}" TEMPLATE "{_name(template)}"{self._strategy}')
            if drop is not None:
                await connection.execute(f'DROP DATABASE IF EXISTS "{_name(drop)}" WITH (FORCE)')
        finally:
            await connection.close()

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self.admin_url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


def _name(url: str) -> str:
    """A PostgreSQL database's name, from its URL."""
    return url.rsplit("/", 1)[1]
