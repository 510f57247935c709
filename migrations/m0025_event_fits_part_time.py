"""Events: a stored "fits part-time" flag, so that the event list filters on it in SQL.

The rule (``registry.events.rules.fits_part_time``) is a property of all of an event's sessions judged in
local time, which neither engine can work out alike in SQL; the service stores its answer whenever the
sessions change. Here every existing event gets the rule's answer over its sessions as they are, in the
registry's zone (``REGISTRY_TIMEZONE``). The column is added with raw SQL that runs alike on SQLite and
PostgreSQL (notes/STACK.md §1.2); the sessions are read through Piccolo so that each engine's timestamps
come back as aware datetimes.
"""

from collections import defaultdict

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Integer, Timestamptz
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

from registry.events.rules import SessionTimes, fits_part_time
from registry.settings import get_settings

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events: stored fits_part_time flag"


class EventSession(Table, tablename="event_session", schema=None):
    """The columns this migration reads, as they are at this point."""

    event = Integer()
    starts_at = Timestamptz()
    ends_at = Timestamptz()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('ALTER TABLE "event" ADD COLUMN "fits_part_time" BOOLEAN NOT NULL DEFAULT false')
        sessions: defaultdict[int, list[SessionTimes]] = defaultdict(list)
        for row in await EventSession.select(EventSession.event, EventSession.starts_at, EventSession.ends_at):
            sessions[int(row["event"])].append(SessionTimes(row["starts_at"], row["ends_at"]))
        zone = get_settings().zone
        fitting = sorted(event for event, times in sessions.items() if fits_part_time(times, zone))
        # In batches, so that a large database gets statements of a sensible length (the ids are integers).
        for start in range(0, len(fitting), 500):
            batch = fitting[start : start + 500]
            await engine.run_ddl(
                f'UPDATE "event" SET "fits_part_time" = true WHERE "id" IN ({", ".join(map(str, batch))})'
            )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('ALTER TABLE "event" DROP COLUMN "fits_part_time"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
