"""Throttling sign-ins and password resets: counted attempts, and reset requests waiting for their job.

Raw SQL that runs on SQLite and PostgreSQL; only the id column differs. The index serves the one question
the throttle asks: "how many attempts of this kind for this key since then?".
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts: sign-in and reset throttle, queued reset requests"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        serial = '"id" INTEGER PRIMARY KEY NOT NULL' if engine.engine_type == "sqlite" else '"id" SERIAL PRIMARY KEY'
        await engine.run_ddl(
            f'CREATE TABLE "throttle" ({serial}, "kind" VARCHAR(30) NOT NULL DEFAULT \'\', '
            '"key" VARCHAR(300) NOT NULL DEFAULT \'\', "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)'
        )
        await engine.run_ddl('CREATE INDEX throttle_kind_key_at ON "throttle" ("kind", "key", "at")')
        await engine.run_ddl('CREATE INDEX throttle_at ON "throttle" ("at")')
        await engine.run_ddl(
            f'CREATE TABLE "password_reset_request" ({serial}, "email" VARCHAR(254) NOT NULL DEFAULT \'\', '
            '"requested_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)'
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DROP TABLE "password_reset_request"')
        await engine.run_ddl('DROP TABLE "throttle"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
