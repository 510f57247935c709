"""The single-sign-on client secret is stored encrypted (issue 16, point 5): never in clear in the table,
never on the page; migration m0033 encrypts a secret stored in clear before it; ``registry secrets rotate``
re-encrypts them all under the current key."""

from __future__ import annotations

import importlib.util

from litestar.testing import AsyncTestClient
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards

from registry.accounts import sso
from registry.accounts.rules import Role
from registry.accounts.tables import SsoProvider
from registry.piccolo_app import APP_CONFIG
from registry.secrets_at_rest import open_secret
from tests.integration.test_event_pages import sign_in_as
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import Alliance, as_viewer

Client = AsyncTestClient  # type: ignore[type-arg]
ADMIN = as_viewer("admin@example.org", "Admin", Role.ADMIN)
MIGRATION = APP_CONFIG.resolved_migrations_folder_path + "/m0033_encrypt_sso_secrets.py"


async def _stored() -> str:
    row = await SsoProvider.select(SsoProvider.client_secret).first()
    assert row is not None
    return str(row["client_secret"])


async def test_the_client_secret_is_kept_encrypted_and_never_shown(client: Client, alliance: Alliance) -> None:
    await sso.configure_provider(ADMIN, "DCC", "https://login.example.org/dcc", "registry", "s3cret-value", "dcc.gov.uk")
    stored = await _stored()
    assert stored.startswith("fernet:")
    assert "s3cret-value" not in stored
    assert open_secret(stored) == "s3cret-value"
    await sign_in_as(client, "admin@example.org")
    assert "s3cret-value" not in (await client.get("/admin/sso")).text
    assert stored not in (await client.get("/admin/sso")).text

    code, out, err = await _cli("secrets", "rotate")
    assert code == 0, err
    assert out.strip() == "1 secret(s) re-encrypted under the current secret key"
    rotated = await _stored()
    assert rotated != stored
    assert open_secret(rotated) == "s3cret-value"


def _migration_id() -> str:
    spec = importlib.util.spec_from_file_location("m0033_encrypt_sso_secrets", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.ID)


async def test_the_migration_encrypts_a_secret_stored_in_clear(alliance: Alliance) -> None:
    await sso.configure_provider(ADMIN, "DCC", "https://login.example.org/dcc", "registry", "placeholder", "dcc.gov.uk")
    await SsoProvider.update({SsoProvider.client_secret: "kept-in-clear"}).where(SsoProvider.id > 0)
    migration_id = _migration_id()
    assert (await run_backwards("registry", migration_id=migration_id, auto_agree=True)).success
    assert (await run_forwards("registry")).success
    stored = await _stored()
    assert stored.startswith("fernet:")
    assert open_secret(stored) == "kept-in-clear"
