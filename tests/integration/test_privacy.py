"""Data rights: subject access (JSON and a readable page), erasure that keeps the metrics, and the retention rule.

Lara (tests/integration/metrics_alliance.py) left on 2026-03-31 after a registration, an attended event, a
self-recorded learning record and learning needs in both reported years: she is the leaver erased here."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.audit.tables import AuditEntry
from registry.events.tables import Booking
from registry.learning.rules import financial_year
from registry.metrics import snapshots
from registry.metrics.tables import MetricSnapshot
from registry.people.tables import Practitioner
from registry.privacy import service as privacy
from registry.privacy.rules import ERASED
from tests.integration.metrics_alliance import Built
from tests.integration.test_event_pages import sign_in_as
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import Alliance, StoppedClock, as_viewer, bearer

pytestmark = pytest.mark.usefixtures("fixed_clock")

ADMIN = as_viewer("admin@example.org", "Admin", Role.ADMIN)
LARA = "lara@example.org"
LARA_REFLECTION = "Lara's private reflection on detached youth work"


async def _lara_has_free_text_and_a_sign_in(built: Built) -> int:
    """Lara wrote a reflection and has a sign-in; an admin's earlier action named her in the audit log."""
    from registry.accounts import service as accounts
    from registry.audit import service as audit
    from registry.learning.tables import LearningRecord

    lara = built.ids["lara"]
    await LearningRecord.update({LearningRecord.reflection: LARA_REFLECTION}).where(LearningRecord.practitioner == lara)
    await accounts.create_user(LARA, "Lara Lastday", "practitioner", "FIFE")
    await audit.record(ADMIN, "user.restore", subject=LARA, summary=f"{LARA} (Lara Lastday) restored")
    return lara


async def _everything_in_the_database() -> str:
    """Every row of every table, as text: what a search for the person's identity must not find."""
    from registry.piccolo_app import TABLES

    dump = []
    for table in TABLES:
        dump.extend(json.dumps(row, default=str) for row in await table.select())
    return "\n".join(dump)


async def _metrics(client: AsyncTestClient, alliance: Alliance) -> list[Any]:  # type: ignore[type-arg]
    lead = bearer(alliance.tokens["lead"])
    answers = []
    for query in (
        "period=2025-26",
        "period=2024-25",
        "period=2025-26&organisation=FIFE",
        "period=2024-25&organisation=FIFE",
    ):
        answer = await client.get(f"/api/v1/metrics?{query}", headers=lead)
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    export = await client.get("/api/v1/exports/participation?period=2024-25&format=csv&purpose=board", headers=lead)
    assert export.status_code == 200, export.text
    answers.append(export.text)
    return answers


async def _snapshot_values() -> list[tuple[Any, ...]]:
    rows = await MetricSnapshot.select(
        MetricSnapshot.indicator, MetricSnapshot.scope, MetricSnapshot.period_start, MetricSnapshot.value,
        MetricSnapshot.numerator, MetricSnapshot.denominator, MetricSnapshot.breakdown,
    ).order_by(MetricSnapshot.id)  # fmt: skip
    return [tuple(r.values()) for r in rows]


async def test_erasure_removes_every_trace_of_identity_and_keeps_every_metric_and_snapshot(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,  # type: ignore[type-arg]
) -> None:
    lara = await _lara_has_free_text_and_a_sign_in(metrics_alliance)
    periods = [financial_year(date(2025, 4, 1)), financial_year(date(2024, 4, 1))]
    await snapshots.take(periods, "nightly")
    before, snapshot_before = await _metrics(client, alliance), await _snapshot_values()
    assert "Lastday" in await _everything_in_the_database()

    answer = await client.post(
        f"/api/v1/practitioners/{lara}/erase", json={"reason": "Request for erasure, 1 Dec"},
        headers=bearer(alliance.tokens["admin"]),
    )  # fmt: skip

    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == f"erased-{lara}@erased.invalid"
    assert answer.json()["audit_entries_rewritten"] >= 1
    everything = await _everything_in_the_database()
    for trace in (LARA, "Lastday", LARA_REFLECTION, "CLDSC20007"):
        assert trace not in everything, trace
    assert await _metrics(client, alliance) == before
    await snapshots.take(periods, "nightly")
    assert await _snapshot_values() == snapshot_before
    record = (await client.get(f"/api/v1/practitioners/{lara}", headers=bearer(alliance.tokens["lead"]))).json()
    assert (record["given_name"], record["organisation"], record["left_on"]) == ("Erased", "FIFE", "2026-03-31")
    assert record["erased_at"] is not None
    erased = await AuditEntry.select().where(AuditEntry.action == "practitioner.erased").first()
    assert erased is not None
    assert erased["actor_email"] == "admin@example.org"
    assert json.loads(erased["details"])["reason"] == "Request for erasure, 1 Dec"


async def test_the_audit_log_stays_append_only_after_an_erasure(alliance: Alliance, metrics_alliance: Built) -> None:
    lara = await _lara_has_free_text_and_a_sign_in(metrics_alliance)
    await privacy.erase(ADMIN, lara)
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.summary: "rewritten"}).where(AuditEntry.id > 0)
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete().where(AuditEntry.id > 0)


async def test_only_a_leaver_who_manages_nobody_can_be_erased_and_only_once(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,  # type: ignore[type-arg]
) -> None:
    admin = bearer(alliance.tokens["admin"])
    graham, lara = metrics_alliance.ids["graham"], metrics_alliance.ids["lara"]
    still_here = await client.post(f"/api/v1/practitioners/{graham}/erase", headers=admin)
    assert still_here.status_code == 409
    assert "leaving date" in still_here.json()["detail"]
    # Graham leaves, but Eilidh, Ross and Nadia still have him as their line manager.
    await Practitioner.update({Practitioner.left_on: date(2026, 10, 31)}).where(Practitioner.id == graham)
    manages = await client.post(f"/api/v1/practitioners/{graham}/erase", headers=admin)
    assert manages.status_code == 409
    assert "line manager of 3 current practitioners" in manages.json()["detail"]
    assert (await Practitioner.select(Practitioner.email).where(Practitioner.id == graham).first()) == {
        "email": "graham@example.org"
    }
    assert (await client.post(f"/api/v1/practitioners/{lara}/erase", headers=admin)).status_code == 200
    again = await client.post(f"/api/v1/practitioners/{lara}/erase", headers=admin)
    assert again.status_code == 409
    assert "already been erased" in again.json()["detail"]
    change = await client.patch(
        f"/api/v1/practitioners/{lara}", json={"given_name": "Lara"}, headers=bearer(alliance.tokens["lead"])
    )
    assert change.status_code == 409
    # Nor can anyone record her at an event held while she still worked here (an event in the past may be
    # recorded, and its attenders booked, by a lead or admin): the erased record takes nothing new.
    starts = datetime(2025, 10, 1, 10, tzinfo=UTC)
    event = await client.post("/api/v1/events", headers=admin, json={
        "title": "After the erasure", "host_organisation": "DCC", "format": "online",
        "online_url": "https://meet.example.org/e", "capacity": 5, "status": "published",
        "sessions": [{"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()}],
    })  # fmt: skip
    assert event.status_code == 201, event.text
    booked = await client.post(f"/api/v1/events/{event.json()['id']}/bookings", json={"practitioner_id": lara},
                               headers=admin)  # fmt: skip
    assert booked.status_code == 409, booked.text
    assert booked.json()["detail"] == ERASED
    assert await Booking.count().where(Booking.event == event.json()["id"]) == 0
    missing = await client.post("/api/v1/practitioners/99999/erase", headers=admin)
    assert missing.status_code == 404


async def test_subject_access_holds_everything_about_the_person_and_nothing_secret(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,  # type: ignore[type-arg]
) -> None:
    lara = await _lara_has_free_text_and_a_sign_in(metrics_alliance)
    answer = await client.get(f"/api/v1/practitioners/{lara}/export", headers=bearer(alliance.tokens["admin"]))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["record"]["email"] == LARA
    assert data["sign_in"]["email"] == LARA
    assert "password_hash" not in data["sign_in"]
    assert [r["membership_number"] for r in data["registration"]] == ["CLDSC20007"]
    assert LARA_REFLECTION in [r["reflection"] for r in data["learning"]]
    assert all(r["competences"] for r in data["learning"])
    assert {b["event_title"] for b in data["bookings"]}, "she attended E6"
    assert {n["competence_code"] for n in data["learning_needs"]} == {"C5", "C1"}
    assert any(e["subject"] == LARA for e in data["audit"])
    exported = await AuditEntry.select().where(AuditEntry.action == "practitioner.exported").first()
    assert exported is not None
    assert exported["subject"] == f"practitioner:{lara}"


async def test_a_practitioner_reads_and_downloads_everything_held_about_them(
    client: AsyncTestClient,
    alliance: Alliance,  # type: ignore[type-arg]
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    await sign_in_as(client, "eilidh@example.org")
    record = await client.get(f"/practitioners/{eilidh}")
    assert f'href="/practitioners/{eilidh}/export"' in record.text
    assert "/erase" not in record.text
    page = await client.get(f"/practitioners/{eilidh}/export")
    assert page.status_code == 200
    assert "Everything held about Eilidh" in page.text
    assert 'data-testid="empty-time_requests"' in page.text
    download = await client.get(f"/practitioners/{eilidh}/export.json")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="practitioner-{eilidh}.json"'
    assert json.loads(download.content)["record"]["email"] == "eilidh@example.org"


async def test_an_admin_erases_a_leaver_after_confirming_on_the_page(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,  # type: ignore[type-arg]
) -> None:
    lara = metrics_alliance.ids["lara"]
    csrf = await sign_in_as(client, "admin@example.org")
    record = await client.get(f"/practitioners/{lara}")
    assert f'href="/practitioners/{lara}/erase"' in record.text
    confirm = await client.get(f"/practitioners/{lara}/erase")
    assert "Are you sure you want to erase this record?" in confirm.text
    too_long = await client.post(
        f"/practitioners/{lara}/erase", data={"_csrf_token": csrf, "reason": "x" * 501}, follow_redirects=False
    )
    assert too_long.status_code == 400
    assert "500 characters or fewer" in too_long.text
    assert (await Practitioner.select(Practitioner.erased_at).where(Practitioner.id == lara).first()) == {
        "erased_at": None
    }
    done = await client.post(f"/practitioners/{lara}/erase", data={"_csrf_token": csrf, "reason": "Asked to"})
    assert done.status_code == 200
    assert "The record has been erased" in done.text
    assert 'data-testid="erased"' in done.text
    assert "Change details" not in done.text
    again = await client.post(f"/practitioners/{lara}/erase", data={"_csrf_token": csrf})
    assert again.status_code == 409
    assert "already been erased" in again.text


async def test_the_retention_rule_erases_leavers_after_six_years_and_a_dry_run_changes_nothing(
    alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    """Lorna left on 2024-03-31: six years on she is due; the day before she is not."""
    lorna = alliance.practitioner_ids["leaver@example.org"]
    fixed_clock.moment = fixed_clock.moment.replace(year=2030, month=3, day=31)
    assert (await privacy.apply_retention()).due == []
    fixed_clock.moment += timedelta(days=1)
    code, out, _ = await _cli("retention", "--dry-run")
    assert code == 0
    assert f"practitioner {lorna}, left 2024-03-31" in out
    assert "1 due for erasure" in out
    assert (await Practitioner.select(Practitioner.email).where(Practitioner.id == lorna).first()) == {
        "email": "leaver@example.org"
    }
    code, out, _ = await _cli("jobs", "run-due")
    assert code == 0
    assert "retention: 1 leaver(s) erased" in out
    row = await Practitioner.select(Practitioner.email, Practitioner.erased_at).where(Practitioner.id == lorna).first()
    assert row is not None
    assert row["email"] == f"erased-{lorna}@erased.invalid"
    assert row["erased_at"] is not None
    entry = await AuditEntry.select().where(AuditEntry.action == "practitioner.erased").first()
    assert entry is not None
    assert entry["actor_email"] == "scheduler"
    assert (await privacy.apply_retention()).due == []


async def test_the_retention_rule_deletes_audit_entries_older_than_its_years(
    alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from registry.audit import service as audit

    await audit.record(ADMIN, "export", subject="participation", summary="old export")
    fixed_clock.moment = fixed_clock.moment.replace(year=fixed_clock.moment.year + 6) + timedelta(days=1)
    await audit.record(ADMIN, "export", subject="participation", summary="recent export")
    dry = await privacy.apply_retention(dry_run=True)
    assert dry.audit_purged == 1
    assert await AuditEntry.count() == 2
    done = await privacy.apply_retention()
    assert done.audit_purged == 1
    left = [r["summary"] for r in await AuditEntry.select(AuditEntry.summary).where(AuditEntry.action == "export")]
    assert left == ["recent export"]
