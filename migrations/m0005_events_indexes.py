"""One booking per person per event, and one link per competence per event (portable unique indexes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-24T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events: unique indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('CREATE UNIQUE INDEX booking_event_practitioner_uq ON "booking" ("event", "practitioner")')
        await engine.run_ddl('CREATE UNIQUE INDEX event_competence_uq ON "event_competence" ("event", "competence")')

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX event_competence_uq")
        await engine.run_ddl("DROP INDEX booking_event_practitioner_uq")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
