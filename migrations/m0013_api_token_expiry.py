"""API tokens end: an expiry on every token. Tokens made before this migration expire 90 days after they
were made (already-expired ones stop working at once: revoke them and make a new one)."""

from datetime import timedelta

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Timestamptz
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-03T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts: API token expiry"
LIFETIME = timedelta(days=90)


class ApiToken(Table, tablename="api_token", schema=None):
    """The two columns this migration reads and writes, as they are at this point."""

    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('ALTER TABLE "api_token" ADD COLUMN "expires_at" TIMESTAMPTZ DEFAULT null')
        # Row by row through Piccolo, so that the value is stored as each engine stores timestamps
        # (SQLite's date functions would write another text format). There are few tokens.
        for row in await ApiToken.select(ApiToken.id, ApiToken.created_at):
            await ApiToken.update({ApiToken.expires_at: row["created_at"] + LIFETIME}).where(ApiToken.id == row["id"])

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('ALTER TABLE "api_token" DROP COLUMN "expires_at"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
