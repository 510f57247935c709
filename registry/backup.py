"""``registry backup FILE`` and ``registry restore FILE``: the whole database, consistently, while it runs.

- SQLite: the online backup API (``sqlite3.Connection.backup``), which copies a consistent snapshot page by
  page while other connections keep reading and writing, WAL included; the backup is an ordinary SQLite
  file. Restoring copies it back the same way, over the registry's database.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists`` (the client of the same
  major version as the server, found on ``PATH`` or under ``/usr/lib/postgresql/*/bin``).

A restore refuses a file that is not a registry backup before touching anything. Stop the app (and the
scheduler) before restoring: what they write during a restore may be lost.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

from registry.db import engine
from registry.errors import DomainError

__all__ = ("BackupError", "backup", "restore")

_REQUIRED_TABLES = frozenset({"migration", "app_user", "practitioner", "organisation"})


class BackupError(DomainError):
    """The backup or restore cannot be done: the message says why."""


def _database() -> tuple[Path | None, str]:
    """The database the registry's engine uses: a SQLite file, or a PostgreSQL connection URL."""
    current: Any = engine()
    if current.engine_type == "sqlite":
        return Path(current.path), ""
    return None, str(current.config["dsn"])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools")
    return str(candidates[-1])


def _run(command: list[str]) -> None:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603 - our own tools
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:500]}")


def _copy(source: sqlite3.Connection, target: Path) -> None:
    with closing(sqlite3.connect(target)) as destination:
        source.backup(destination)


def _is_registry(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return False
    return names >= _REQUIRED_TABLES


def backup(target: Path) -> str:
    """Write a consistent copy of the database to ``target`` (replaced only once the copy is whole)."""
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    database, url = _database()
    if database is not None:
        if not database.exists():
            raise BackupError(f"there is no database at {database}")
        with closing(sqlite3.connect(database)) as source:
            _copy(source, partial)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), url])
    partial.replace(target)
    return f"backed up to {target} ({target.stat().st_size:,} bytes)"


def restore(source: Path) -> str:
    """Put the database back as the backup holds it."""
    if not source.is_file():
        raise BackupError(f"there is no backup file at {source}")
    database, url = _database()
    if database is not None:
        if not _is_registry(source):
            raise BackupError(f"{source} is not a backup of the registry's SQLite database")
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file:
            _copy(backup_file, database)
        return f"restored {database} from {source}"
    try:
        _run([_tool("pg_restore"), "--list", str(source)])
    except BackupError:
        raise BackupError(f"{source} is not a backup made by registry backup on PostgreSQL") from None
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname",
          url, str(source)])  # fmt: skip
    return f"restored the PostgreSQL database from {source}"
