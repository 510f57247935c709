"""Bookings: the access and dietary needs given when booking, shown only to the host and the person, and
cleared a month after the event (registry.events.needs). Added with raw SQL that runs alike on SQLite and
PostgreSQL (notes/STACK.md §1.2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-11T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bookings: access and dietary needs"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("ALTER TABLE booking ADD COLUMN access_needs TEXT NULL DEFAULT NULL")

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("ALTER TABLE booking DROP COLUMN access_needs")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
