"""Sign-ins tied to practitioner records by id; emails one identity whatever their case; line-manager history
and pending email changes (issue: close the access holes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-03T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identity: user.practitioner, case-insensitive emails, line manager history, email changes"


class Practitioner(Table, tablename="practitioner"):
    id: Serial


class LineManagerChange(Table, tablename="line_manager_change"):
    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    manager_email = Varchar(length=254, null=True, default=None)
    from_on = Date()
    recorded_by_email = Varchar(length=254)
    recorded_at = Timestamptz()


class EmailChange(Table, tablename="email_change"):
    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    old_email = Varchar(length=254)
    new_email = Varchar(length=254)
    state = Varchar(length=20, default="pending")
    token_hash = Varchar(length=64, unique=True, index=True)
    requested_by_email = Varchar(length=254)
    requested_at = Timestamptz()
    decided_by_email = Varchar(length=254, null=True, default=None)
    decided_how = Varchar(length=20, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    note = Text(default="")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("UPDATE practitioner SET email = lower(trim(email))")
        await engine.run_ddl("UPDATE practitioner SET manager_email = lower(trim(manager_email)) WHERE manager_email IS NOT NULL")
        await engine.run_ddl("UPDATE app_user SET email = lower(trim(email))")
        await engine.run_ddl("CREATE UNIQUE INDEX practitioner_email_ci_uq ON practitioner (lower(email))")
        await engine.run_ddl("CREATE UNIQUE INDEX app_user_email_ci_uq ON app_user (lower(email))")
        await engine.run_ddl(
            "ALTER TABLE app_user ADD COLUMN practitioner INTEGER NULL "
            "REFERENCES practitioner (id) ON DELETE SET NULL"
        )
        await engine.run_ddl(
            "UPDATE app_user SET practitioner = (SELECT p.id FROM practitioner p WHERE p.email = app_user.email)"
        )
        await engine.run_ddl("CREATE UNIQUE INDEX app_user_practitioner_uq ON app_user (practitioner)")
        await LineManagerChange.create_table(if_not_exists=True)
        await EmailChange.create_table(if_not_exists=True)
        await engine.run_ddl(
            "CREATE INDEX line_manager_change_manager ON line_manager_change (practitioner, manager_email)"
        )
        # The manager each record has today is taken to have managed them since they started: their existing
        # reflections stay readable to that manager, as they were.
        await engine.run_ddl(
            "INSERT INTO line_manager_change (practitioner, manager_email, from_on, recorded_by_email, recorded_at) "
            "SELECT id, manager_email, started_on, 'migration', updated_at FROM practitioner "
            "WHERE manager_email IS NOT NULL"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP TABLE email_change")
        await engine.run_ddl("DROP TABLE line_manager_change")
        await engine.run_ddl("DROP INDEX app_user_practitioner_uq")
        await engine.run_ddl("ALTER TABLE app_user DROP COLUMN practitioner")
        await engine.run_ddl("DROP INDEX app_user_email_ci_uq")
        await engine.run_ddl("DROP INDEX practitioner_email_ci_uq")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
