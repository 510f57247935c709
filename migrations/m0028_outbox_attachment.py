"""Outbox: one file attached to a message (the quarterly report's indicator CSV), kept as text with its name
and media type. Added with raw SQL that runs alike on SQLite and PostgreSQL (notes/STACK.md §1.2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-08T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox: an attachment"

_COLUMNS = ("attachment_name VARCHAR(200)", "attachment_type VARCHAR(100)", "attachment TEXT")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for column in _COLUMNS:
            await engine.run_ddl(f"ALTER TABLE outbox_message ADD COLUMN {column} NULL DEFAULT NULL")

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for column in _COLUMNS:
            await engine.run_ddl(f"ALTER TABLE outbox_message DROP COLUMN {column.split()[0]}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
