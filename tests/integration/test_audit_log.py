"""The audit log (registry/audit): entries are recorded with the caller's transaction, read by leads and
admins only, filtered and paged in SQL, and the database itself refuses to change or delete one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts.rules import Role
from registry.audit import service as audit
from registry.audit.tables import AuditEntry
from registry.db import is_sqlite, write_tx
from registry.errors import Forbidden
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, StoppedClock, as_viewer, bearer

pytestmark = pytest.mark.usefixtures("fixed_clock", "alliance")

LEAD = as_viewer("lead@example.org", "Lead", Role.LEAD)
ADMIN = as_viewer("admin@example.org", "Admin", Role.ADMIN)
OTHERS = {
    Role.PRACTITIONER: as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER),
    Role.MANAGER: as_viewer("graham@example.org", "Graham", Role.MANAGER),
    Role.PARTNER_ADMIN: as_viewer("partner@example.org", "Partner", Role.PARTNER_ADMIN),
}


async def test_an_entry_says_who_did_what_to_what_and_when() -> None:
    lead = LEAD
    await audit.record(lead, "export", subject="participation", summary="Participation 2026-27",
                       details={"filters": {"period": "2026-27"}, "purpose": "board report"})  # fmt: skip
    await audit.record(None, "metrics.snapshot", subject="2026-27")
    found, total = await audit.entries(lead, audit.LogFilter())
    assert total == 2
    newest, older = found
    assert (older.actor_email, older.actor_role, older.action, older.subject) == (
        lead.email,
        "lead",
        "export",
        "participation",
    )
    assert older.details == {"filters": {"period": "2026-27"}, "purpose": "board report"}
    assert older.at == clock.now()
    assert (newest.actor_email, newest.action) == ("scheduler", "metrics.snapshot")


async def test_the_log_is_filtered_and_paged_in_sql() -> None:
    lead, admin = LEAD, ADMIN
    for n in range(7):
        await audit.record(lead if n % 2 else admin, "export" if n < 5 else "export.refused", subject=str(n))
    await audit.record(admin, "exporter.other")
    assert (await audit.entries(admin, audit.LogFilter(action="export")))[1] == 7  # export and export.*
    page, total = await audit.entries(admin, audit.LogFilter(action="export"), limit=3, offset=3)
    assert total == 7
    assert [e.subject for e in page] == ["3", "2", "1"]
    assert (await audit.entries(admin, audit.LogFilter(actor=lead.email.upper())))[1] == 3
    later = clock.now() + timedelta(seconds=1)
    assert (await audit.entries(admin, audit.LogFilter(since=later)))[1] == 0
    assert (await audit.entries(admin, audit.LogFilter(until=later)))[1] == 8


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER, Role.PARTNER_ADMIN])
async def test_only_leads_and_admins_read_the_log(role: Role) -> None:
    with pytest.raises(Forbidden):
        await audit.entries(OTHERS[role], audit.LogFilter())


async def test_the_database_refuses_to_change_or_delete_an_entry() -> None:
    await audit.record(LEAD, "export", subject="participation")
    with pytest.raises(Exception, match="append-only"):
        async with write_tx():
            await AuditEntry.update({AuditEntry.subject: "nothing"}, force=True)
    with pytest.raises(Exception, match="append-only"):
        async with write_tx():
            await AuditEntry.delete(force=True)
    if not is_sqlite():  # SQLite has no TRUNCATE; PostgreSQL's bypasses row triggers, so it has its own
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.raw("TRUNCATE audit_entry")
    assert await AuditEntry.select(AuditEntry.subject) == [{"subject": "participation"}]


async def test_the_retention_purge_deletes_only_what_is_older_and_puts_the_guard_back(
    fixed_clock: StoppedClock,
) -> None:
    lead = LEAD
    await audit.record(lead, "export", subject="old")
    fixed_clock.advance(timedelta(days=10))
    await audit.record(lead, "export", subject="new")
    assert await audit.purge(clock.now() - timedelta(days=5)) == 1
    assert await AuditEntry.select(AuditEntry.subject) == [{"subject": "new"}]
    with pytest.raises(Exception, match="append-only"):
        async with write_tx():
            await AuditEntry.delete(force=True)
    assert await audit.purge(datetime(2000, 1, 1, tzinfo=UTC)) == 0


async def test_two_purges_and_two_erasures_at_once_wait_for_each_other_instead_of_deadlocking(
    fixed_clock: StoppedClock,
) -> None:
    """Two instances' schedulers run the retention job at the same moment: each lifts the guard in turn."""
    for subject in ("old", "also old"):
        await audit.record(LEAD, "export", subject=subject)
    fixed_clock.advance(timedelta(days=10))
    await audit.record(None, "export", subject="kept", actor_email="pat@example.org")
    counts = await asyncio.gather(*(audit.purge(clock.now() - timedelta(days=5)) for _ in range(3)))
    assert sorted(counts) == [0, 0, 2]
    await asyncio.gather(audit.forget(["pat@example.org"], "someone"), audit.forget(["pat@example.org"], "someone"))
    assert await AuditEntry.select(AuditEntry.subject, AuditEntry.actor_email) == [
        {"subject": "kept", "actor_email": "someone"}
    ]
    with pytest.raises(Exception, match="append-only"):
        async with write_tx():
            await AuditEntry.delete(force=True)


async def test_leads_read_the_log_in_the_api_and_on_its_page(client: AsyncTestClient, alliance: Alliance) -> None:  # type: ignore[type-arg]
    await audit.record(LEAD, "export", subject="participation", summary="Participation in 2026-27 as CSV",
                       details={"filters": {"period": "2026-27"}, "purpose": "<b>board</b>"})  # fmt: skip
    await audit.record(ADMIN, "user.role_changed", subject="user:3")
    answer = await client.get("/api/v1/audit?action=export", headers=bearer(alliance.tokens["admin"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 1
    assert body["items"][0]["details"]["purpose"] == "<b>board</b>"
    assert (await client.get("/api/v1/audit?limit=1&offset=1", headers=bearer(alliance.tokens["lead"]))).json()[
        "items"
    ][0]["action"] == "export"
    await sign_in(client, "lead@example.org")
    page = await client.get("/audit?action=export")
    assert page.status_code == 200
    assert "Participation in 2026-27 as CSV" in page.text
    assert "Purpose: &lt;b&gt;board&lt;/b&gt;" in page.text  # escaped
    assert "user.role_changed" not in page.text
    assert 'href="/audit"' in page.text  # in the lead's navigation
    empty = await client.get("/audit?actor=nobody")
    assert 'data-testid="audit-empty"' in empty.text
