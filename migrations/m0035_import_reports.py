"""Import reports (registry.people.import_reports): every problem of a refused import as CSV, downloadable by
its uploader for a day from any instance."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-15T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "import reports"


class ImportReport(Table, tablename="import_report", schema=None):
    """The table as it is at this point."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user_id = Integer()
    created_at = Timestamptz(index=True)
    content = Text()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        await ImportReport.create_table(if_not_exists=True)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DROP TABLE IF EXISTS "import_report"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
