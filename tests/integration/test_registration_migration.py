"""m0015: every registration change recorded before confirmation existed counted when recorded, so it is
confirmed, decided by whoever recorded it, then; going back drops the claims that never counted."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime

from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards

from registry.piccolo_app import APP_CONFIG
from registry.registration.tables import CldscRegistration
from tests.support import Alliance

MIGRATION = APP_CONFIG.resolved_migrations_folder_path + "/m0015_registration_confirmation.py"
STAMP = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


def _migration_id() -> str:
    spec = importlib.util.spec_from_file_location("m0015_registration_confirmation", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.ID)


async def test_rows_recorded_before_the_migration_are_confirmed(alliance: Alliance) -> None:
    migration_id = _migration_id()
    assert migration_id == "2026-12-03T12:00:00:000000"
    pid = alliance.practitioner_ids["ross@example.org"]
    claim = await CldscRegistration.insert(
        CldscRegistration(practitioner=pid, status="registered", effective_from=date(2026, 11, 1),
                          recorded_by_email="ross@example.org", recorded_at=STAMP, state="pending")
    ).returning(CldscRegistration.id)  # fmt: skip
    try:
        assert (await run_backwards("registry", migration_id=migration_id, auto_agree=True)).success
        # Going back, the claim that never counted is gone rather than counting.
        remaining = await CldscRegistration.raw("SELECT id FROM cldsc_registration WHERE id = {}", claim[0]["id"])
        assert remaining == []
        await CldscRegistration.raw(
            "INSERT INTO cldsc_registration (practitioner, status, effective_from, note, recorded_by_email, "
            "recorded_at) VALUES ({}, 'associate', {}, '', 'admin.dcc@example.org', {})",
            pid,
            date(2024, 6, 1),
            STAMP,
        )
    finally:
        assert (await run_forwards("registry")).success
    rows = await CldscRegistration.select(
        CldscRegistration.recorded_by_email,
        CldscRegistration.recorded_at,
        CldscRegistration.state,
        CldscRegistration.decided_by_email,
        CldscRegistration.decided_at,
        CldscRegistration.decision_note,
    )
    assert len(rows) == 5  # the four imported by build_alliance and the one written before the migration
    for row in rows:
        assert row["state"] == "confirmed"
        assert row["decided_by_email"] == row["recorded_by_email"]
        assert row["decided_at"] == row["recorded_at"]
        assert row["decision_note"] == ""
    assert {"recorded_by_email": "admin.dcc@example.org", "recorded_at": STAMP} in [
        {k: r[k] for k in ("recorded_by_email", "recorded_at")} for r in rows
    ]
