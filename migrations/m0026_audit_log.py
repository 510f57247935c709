"""The audit log (registry.audit): one append-only table, guarded by triggers in the database itself, so that
no code path — and no one with the application's database credentials using plain SQL — changes or deletes
an entry (the retention purge lifts the guard within its own transaction)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-07T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log, append-only"


class AuditEntry(Table, tablename="audit_entry", schema=None):
    """The table as it is at this point."""

    id: Serial
    at = Timestamptz(index=True)
    actor_user_id = Integer(null=True, default=None)
    actor_email = Varchar(length=254)
    actor_role = Varchar(length=20)
    action = Varchar(length=60, index=True)
    subject = Varchar(length=200, default="")
    summary = Text(default="")
    details = Text(default="{}")


# As they were made here (registry.audit.service.GUARD_DDL is what the purge puts back).
GUARD_DDL = {
    "sqlite": (
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    "postgres": (
        "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry"
        " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
        " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
    ),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await AuditEntry.create_table(if_not_exists=True)
        for ddl in GUARD_DDL["sqlite" if engine.engine_type == "sqlite" else "postgres"]:
            await engine.run_ddl(ddl)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DROP TABLE IF EXISTS "audit_entry"')
        if engine.engine_type != "sqlite":
            await engine.run_ddl("DROP FUNCTION IF EXISTS audit_entry_append_only()")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
