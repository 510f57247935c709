"""Registration is confirmed, not just claimed: a state on each change, and who decided it and when.

Every row recorded so far counted as soon as it was written, so it is confirmed, decided by whoever
recorded it at the time they did. Raw SQL: it runs alike on SQLite and PostgreSQL (notes/STACK.md §1.2).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: confirmation of claimed changes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "ALTER TABLE cldsc_registration ADD COLUMN state VARCHAR(20) NOT NULL DEFAULT 'confirmed'"
        )
        await engine.run_ddl("ALTER TABLE cldsc_registration ADD COLUMN decided_by_email VARCHAR(254) DEFAULT NULL")
        await engine.run_ddl("ALTER TABLE cldsc_registration ADD COLUMN decided_at TIMESTAMPTZ DEFAULT NULL")
        await engine.run_ddl("ALTER TABLE cldsc_registration ADD COLUMN decision_note TEXT NOT NULL DEFAULT ''")
        await engine.run_ddl(
            "UPDATE cldsc_registration SET decided_by_email = recorded_by_email, decided_at = recorded_at"
        )
        # The confirmation queue reads only the claims still waiting, oldest first.
        await engine.run_ddl(
            "CREATE INDEX cldsc_registration_pending ON cldsc_registration (recorded_at, id) WHERE state = 'pending'"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX cldsc_registration_pending")
        # Going back, a claim never confirmed must not start to count.
        await engine.run_ddl("DELETE FROM cldsc_registration WHERE state <> 'confirmed'")
        for column in ("decision_note", "decided_at", "decided_by_email", "state"):
            await engine.run_ddl(f"ALTER TABLE cldsc_registration DROP COLUMN {column}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
