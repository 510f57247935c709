"""Protected learning time: policies per organisation from a date, individual adjustments, time requests, and
the history of each practitioner's contract and weekly hours (issue: protected learning time).

The hours history starts with what each record holds now, from the day it started: nothing older is known.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, DoublePrecision, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-04T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "learning time: policies, adjustments, time requests, hours history"


class Organisation(Table, tablename="organisation"):
    id: Serial


class Practitioner(Table, tablename="practitioner"):
    id: Serial


class LearningRecord(Table, tablename="learning_record"):
    id: Serial


class HoursChange(Table, tablename="hours_change"):
    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    contract = Varchar(length=20)
    weekly_hours = DoublePrecision()
    from_on = Date()
    recorded_by_email = Varchar(length=254)
    recorded_at = Timestamptz()


class LearningTimePolicy(Table, tablename="learning_time_policy"):
    id: Serial
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, index=True)
    hours_per_year = DoublePrecision()
    full_time_weekly_hours = DoublePrecision()
    applies_from = Date()
    set_by_email = Varchar(length=254)
    set_at = Timestamptz()


class LearningTimeAdjustment(Table, tablename="learning_time_adjustment"):
    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    year_start = Date()
    hours = DoublePrecision()
    reason = Text()
    recorded_by_email = Varchar(length=254)
    recorded_at = Timestamptz()


class TimeRequest(Table, tablename="time_request"):
    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    starts_on = Date()
    ends_on = Date()
    hours = DoublePrecision()
    title = Varchar(length=300)
    kind = Varchar(length=30)
    competences = Varchar(length=200, default="")
    purpose = Text(default="")
    status = Varchar(length=20, default="requested", index=True)
    manager_email = Varchar(length=254, null=True, default=None)
    requested_at = Timestamptz()
    decided_by_email = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    learning_record = ForeignKey(references=LearningRecord, null=True, on_delete=OnDelete.set_null, default=None)


NEW_TABLES = (HoursChange, LearningTimePolicy, LearningTimeAdjustment, TimeRequest)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in NEW_TABLES:
            await table.create_table(if_not_exists=True)
        await engine.run_ddl("CREATE INDEX hours_change_from ON hours_change (practitioner, from_on)")
        await engine.run_ddl(
            "CREATE INDEX learning_time_policy_from ON learning_time_policy (organisation, applies_from)"
        )
        await engine.run_ddl("CREATE INDEX time_request_manager ON time_request (manager_email, status)")
        await engine.run_ddl(
            "INSERT INTO hours_change (practitioner, contract, weekly_hours, from_on, recorded_by_email, recorded_at)"
            " SELECT id, contract, weekly_hours, started_on, 'migration', created_at FROM practitioner"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in reversed(NEW_TABLES):
            await engine.run_ddl(f"DROP TABLE {table._meta.tablename}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
