"""Metric snapshots (registry.metrics.snapshots): what each indicator was when the scheduler worked it out, one
per indicator, scope and period — the unique index is what lets two instances run the job at once and leave
one snapshot (a composite UNIQUE constraint is not made alike by Piccolo on SQLite: notes/STACK.md §1.6)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, DoublePrecision, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-08T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metric snapshots"


class MetricIndicator(Table, tablename="metric_indicator", schema=None):
    """Only what the snapshot refers to."""

    id: Serial


class MetricSnapshot(Table, tablename="metric_snapshot", schema=None):
    """The table as it is at this point."""

    id: Serial
    indicator = ForeignKey(references=MetricIndicator, null=False, on_delete=OnDelete.restrict, index=True)
    scope = Varchar(length=140, default="")
    period_start = Date()
    period_end = Date()
    kind = Varchar(length=20)
    value = DoublePrecision(null=True, default=None)
    numerator = DoublePrecision(null=True, default=None)
    denominator = DoublePrecision(null=True, default=None)
    breakdown = Text(default="{}")
    computed_at = Timestamptz()
    version = Varchar(length=40)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await MetricSnapshot.create_table(if_not_exists=True)
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS metric_snapshot_key"
            " ON metric_snapshot (indicator, scope, period_start, period_end)"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DROP TABLE IF EXISTS "metric_snapshot"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
