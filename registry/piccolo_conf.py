"""Piccolo's engine, chosen by REGISTRY_DATABASE_URL (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from registry.db_sqlite import PooledSQLiteEngine
from registry.settings import get_settings

__all__ = ("APP_REGISTRY", "DB", "make_engine")


def make_engine(url: str) -> Engine:  # type: ignore[type-arg]
    settings = get_settings()
    if url.startswith("sqlite:///"):
        path = settings.sqlite_path if url == settings.database_url else None
        if path is None:
            path = type(settings)(database_url=url).sqlite_path
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: a second process (a CLI import while the server runs) waits for the writer.
        if settings.sqlite_engine == "piccolo":
            return SQLiteEngine(path=str(path), timeout=30)
        return PooledSQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config={"dsn": url})


DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["registry.piccolo_app"])
