"""Practitioners: when the record was erased (registry.privacy): its identity and free text gone, its counts
kept for the alliance's statistics. Added with raw SQL that runs alike on SQLite and PostgreSQL
(notes/STACK.md §1.2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-16T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "practitioners: erased_at"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("ALTER TABLE practitioner ADD COLUMN erased_at TIMESTAMPTZ NULL DEFAULT NULL")

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("ALTER TABLE practitioner DROP COLUMN erased_at")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
