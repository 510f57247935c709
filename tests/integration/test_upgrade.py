"""Upgrading from the previous release: a database with a year of real data in every area, on the previous
release's schema (before this release's first migration, m0036), is migrated forwards; every row is as it
was, the new column is empty, the metrics read the same and the app answers as before."""

from __future__ import annotations

import json

import pytest
from litestar.testing import AsyncTestClient
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards

from registry.people.tables import Practitioner
from registry.piccolo_app import TABLES
from registry.web.health import missing_migrations
from tests.integration.metrics_alliance import Built
from tests.support import Alliance, bearer

FIRST_OF_THIS_RELEASE = "2026-12-16T10:00:00:000000"
"""m0036_practitioner_erased_at: the previous release (04fa65d) ended with m0035."""


async def _rows() -> dict[str, list[str]]:
    """Every row of every table, without this release's new column."""
    found = {}
    for table in TABLES:
        rows = await table.select()
        found[table._meta.tablename] = sorted(
            json.dumps({k: v for k, v in r.items() if k != "erased_at"}, default=str, sort_keys=True) for r in rows
        )
    return found


async def test_the_previous_releases_database_upgrades_with_every_row_intact(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
    metrics_alliance: Built,
) -> None:
    lead = bearer(alliance.tokens["lead"])
    metrics = (await client.get("/api/v1/metrics?period=2025-26", headers=lead)).json()
    before = await _rows()
    assert (await run_backwards("registry", migration_id=FIRST_OF_THIS_RELEASE, auto_agree=True)).success
    try:
        assert await missing_migrations() == [FIRST_OF_THIS_RELEASE]
        assert (await client.get("/ready")).status_code == 503
        with pytest.raises(Exception, match="erased_at"):
            await Practitioner.raw("SELECT erased_at FROM practitioner")
    finally:
        assert (await run_forwards("registry")).success
    assert await missing_migrations() == []
    assert await _rows() == before
    assert await Practitioner.count().where(Practitioner.erased_at.is_not_null()) == 0
    assert (await client.get("/api/v1/metrics?period=2025-26", headers=lead)).json() == metrics
    assert (await client.get("/ready")).status_code == 200
