"""Event materials (registry.events.materials): links and files up to 10 MB that a host adds for those who
attended, files kept in the database so that every instance serves them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Bytea, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-12T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "event materials"


class Event(Table, tablename="event", schema=None):
    """Only what a material refers to."""

    id: Serial


class EventMaterial(Table, tablename="event_material", schema=None):
    """The table as it is at this point."""

    id: Serial
    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    url = Varchar(length=2000, null=True, default=None)
    filename = Varchar(length=200, null=True, default=None)
    media_type = Varchar(length=100, null=True, default=None)
    content = Bytea(null=True, default=None)
    size = Integer(default=0)
    added_by_email = Varchar(length=254)
    added_at = Timestamptz()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        await EventMaterial.create_table(if_not_exists=True)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DROP TABLE IF EXISTS "event_material"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
