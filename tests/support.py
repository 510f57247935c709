"""Shared test helpers: a fresh database for each test (from a snapshot made once per run), the small test
alliance with one sign-in per role, the helpers tests use to act as its people, and a stopped clock."""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import asyncpg
import pytest
from argon2 import PasswordHasher

from registry import clock, db
from registry.accounts import passwords
from registry.accounts import service as accounts
from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.cli_viewer import COMMAND_LINE
from registry.db import engine, is_sqlite
from registry.learning import frameworks
from registry.people import service as people
from registry.piccolo_app import TABLES
from registry.settings import get_settings

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
            await table.delete(force=True)
    else:
        names = ", ".join(f'"{t._meta.tablename}"' for t in TABLES)
        await db.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    # The competence framework is reference data every test expects, as a migrated database has it.
    await frameworks.load_builtin()


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


# --- a database per test ------------------------------------------------------------------------------------

SnapshotKind = Literal["empty", "alliance", "alliance_without_tokens"]
"""What a test's database holds: ``empty`` is migrated (with the built-in competence framework, as every
migrated database has it) and nothing else; ``alliance`` adds ``build_alliance()``, with an API token per role;
``alliance_without_tokens`` is ``build_alliance(with_tokens=False)`` (the browser tests create their own)."""


@dataclass
class Snapshot:
    """A database as a test starts on it, and the alliance (ids, tokens in clear) that it holds, if any."""

    alliance: Alliance | None
    sqlite_file: str = ""
    """SQLite: the file that each test gets a copy of."""
    restore_sql: str = ""
    """PostgreSQL: puts every table's rows and every sequence back as they were."""


def reset_engine(url: str) -> None:
    """Point the registry's one engine at another SQLite file (``sqlite:///path``).

    Piccolo's tables find the engine once and keep it, so the engine is changed in place, not replaced.
    """
    current = engine()
    assert current.engine_type == "sqlite", f"the engine is {current.engine_type}, not SQLite"
    current.path = url.removeprefix("sqlite:///")  # type: ignore[attr-defined]


def _remove_sqlite_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)


class TestDatabases:
    """A fresh database for every test, as a snapshot made once per run left it.

    Each snapshot is made on first need, through the registry's own code: ``empty`` by migrating, the others
    by restoring ``empty`` and building the alliance. The restored database keeps the snapshot's ids, so every
    test sees the alliance with the same ids (``RECORD_IDS``) and API tokens (stored hashed in the database,
    kept in clear in the snapshot's ``Alliance``).

    - SQLite: a snapshot is a checkpointed file (WAL: its pages all in the main file); each test gets a copy
      under a new name, and the engine is pointed at it, so no connection is ever open to a file that is
      replaced. The previous test's file is deleted.
    - PostgreSQL: the run's database (``REGISTRY_DATABASE_URL``) stays; a snapshot is a copy of its tables in a
      schema of their own, and each test starts by putting the rows and sequences back, in one transaction
      (about 15 ms). ``CREATE DATABASE ... TEMPLATE`` would do the same, but creating the 540 files of a
      database takes 0.3-0.5 s on this kind of machine, for every test. Tests must not change the schema.

    Run ``fresh`` on the event loop that uses the engine (the test's, or the browser tests' live server's).
    """

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._snapshots: dict[SnapshotKind, Snapshot] = {}
        self._files = itertools.count(1)
        self._sqlite_file: str | None = None
        """The current test's SQLite file (deleted when the next test gets its own)."""

    async def fresh(self, kind: SnapshotKind) -> Alliance | None:
        """Put the database as that snapshot left it; the snapshot's alliance (a copy), if it has one."""
        snapshot = await self._snapshot(kind)
        await self._restore(snapshot)
        return copy.deepcopy(snapshot.alliance)

    async def _snapshot(self, kind: SnapshotKind) -> Snapshot:
        if kind not in self._snapshots:
            alliance = None
            if kind == "empty":
                if is_sqlite():
                    await self._use_sqlite_file(f"{self.folder}/snapshot_empty.sqlite3")
                await db.migrate()
                await empty_database()
            else:
                await self._restore(await self._snapshot("empty"))
                alliance = await build_alliance(with_tokens=kind == "alliance")
            self._snapshots[kind] = await (self._save_sqlite if is_sqlite() else self._save_postgres)(kind, alliance)
        return self._snapshots[kind]

    async def _restore(self, snapshot: Snapshot) -> None:
        if is_sqlite():
            path = f"{self.folder}/test_{next(self._files)}.sqlite3"
            shutil.copyfile(snapshot.sqlite_file, path)
            await self._use_sqlite_file(path)
        else:
            await _run_script(snapshot.restore_sql)

    async def _use_sqlite_file(self, path: str) -> None:
        # Piccolo's SQLiteEngine keeps no connection open; a pooled engine closes this loop's here.
        await db.close_pool()
        reset_engine(f"sqlite:///{path}")
        previous, self._sqlite_file = self._sqlite_file, path
        if previous is not None:
            _remove_sqlite_files(previous)

    async def _save_sqlite(self, kind: SnapshotKind, alliance: Alliance | None) -> Snapshot:
        await db.close_pool()
        path, self._sqlite_file = self._sqlite_file, None  # a snapshot's file is kept for the whole run
        assert path is not None
        with sqlite3.connect(path) as connection:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        connection.close()
        assert busy == 0, f"the snapshot {path} is still in use"
        return Snapshot(alliance, sqlite_file=path)

    async def _save_postgres(self, kind: SnapshotKind, alliance: Alliance | None) -> Snapshot:
        schema = f"test_snapshot_{kind}"
        connection = await asyncpg.connect(get_settings().database_url)
        try:
            in_public = {row["tablename"] for row in await connection.fetch(_PUBLIC_TABLES)}
            # Parents before children (the registry's order), then Piccolo's own migration table.
            ordered = [t._meta.tablename for t in TABLES]
            tables = ordered + sorted(in_public - set(ordered))
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
            filled = []
            for table in tables:
                await connection.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM public."{table}"')
                if await connection.fetchval(f'SELECT EXISTS (SELECT FROM "{schema}"."{table}")'):
                    filled.append(table)
            sequences = await connection.fetch(_PUBLIC_SEQUENCES)
        finally:
            await connection.close()
        script = [f'DELETE FROM public."{table}";' for table in reversed(tables)]
        script += [f'INSERT INTO public."{table}" SELECT * FROM "{schema}"."{table}";' for table in filled]
        for row in sequences:
            value = row["last_value"]  # None: not used yet
            script.append(f"SELECT setval('public.\"{row['sequencename']}\"', {value or 1}, {value is not None});")
        return Snapshot(alliance, restore_sql="BEGIN;\n" + "\n".join(script) + "\nCOMMIT;")


_PUBLIC_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
_PUBLIC_SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"


async def _run_script(sql: str) -> None:
    """Several statements at once on a connection of their own to the run's PostgreSQL database."""
    connection = await asyncpg.connect(get_settings().database_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
