"""Sign-ins can be suspended and restored by an admin (or a partner admin, for their organisation): when and by
whom. Added with raw SQL that runs alike on SQLite and PostgreSQL (notes/STACK.md §1.2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-10T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "users: suspension"

_COLUMNS = ("suspended_at TIMESTAMPTZ", "suspended_by VARCHAR(254)")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for column in _COLUMNS:
            await engine.run_ddl(f"ALTER TABLE app_user ADD COLUMN {column} NULL DEFAULT NULL")

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for column in _COLUMNS:
            await engine.run_ddl(f"ALTER TABLE app_user DROP COLUMN {column.split()[0]}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
