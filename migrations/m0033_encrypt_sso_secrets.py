"""Single-sign-on client secrets stored in clear are encrypted at rest (registry.secrets_at_rest): from here
on, the table holds only ``fernet:`` tokens."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Serial, Text
from piccolo.table import Table

from registry.secrets_at_rest import is_encrypted, seal

ID = "2026-12-13T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sso: client secrets encrypted at rest"


class SsoProvider(Table, tablename="sso_provider", schema=None):
    """The column this migration changes, as it is at this point."""

    id: Serial
    client_secret = Text()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        for row in await SsoProvider.select(SsoProvider.id, SsoProvider.client_secret):
            if not is_encrypted(row["client_secret"]):
                await SsoProvider.update({SsoProvider.client_secret: seal(row["client_secret"])}).where(
                    SsoProvider.id == row["id"]
                )

    manager.add_raw(run)
    return manager
