"""What goes in the audit log: sign-ins and failed ones, changes of the fields that decide access, registration
claims and their confirmation, verifications, approvals of bookings and of time, attendance; and its CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts.rules import Role
from registry.audit.tables import AuditEntry
from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings
from registry.events.schemas import AttendanceItem
from tests.integration.test_event_pages import book_for, make_event, sign_in_as
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, StoppedClock, as_viewer, bearer

pytestmark = pytest.mark.usefixtures("fixed_clock")

EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
GRAHAM = as_viewer("graham@example.org", "Graham", Role.MANAGER)
ADMIN = as_viewer("admin@example.org", "Admin", Role.ADMIN)


async def _entries(action: str) -> list[dict[str, Any]]:
    rows = await AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id)
    return [{**r, "details": json.loads(r["details"])} for r in rows]


async def test_sign_ins_and_failed_sign_ins_are_logged(client: AsyncTestClient, alliance: Alliance) -> None:  # type: ignore[type-arg]
    await sign_in(client, "eilidh@example.org", password="not her password")
    await sign_in(client, "nobody@example.org", password="whatever it is")
    await sign_in(client, "eilidh@example.org")
    failed = await _entries("sign_in.failed")
    assert [(e["actor_email"], e["actor_role"], e["subject"]) for e in failed] == [
        ("eilidh@example.org", "", "eilidh@example.org"),
        ("nobody@example.org", "", "nobody@example.org"),
    ]
    assert "not her password" not in json.dumps(failed, default=str)
    [signed] = await _entries("sign_in")
    assert (signed["actor_email"], signed["actor_role"], signed["details"]["how"]) == (
        "eilidh@example.org", "practitioner", "password",
    )  # fmt: skip


async def test_changes_of_line_manager_email_and_leaving_date_are_logged_with_old_and_new(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
) -> None:
    ross = alliance.practitioner_ids["ross@example.org"]
    answer = await client.patch(
        f"/api/v1/practitioners/{ross}",
        json={"manager_email": "amira@example.org", "left_on": "2026-12-31", "job_title": "Senior Worker"},
        headers=bearer(alliance.tokens["admin"]),
    )
    assert answer.status_code == 200, answer.text
    [changed] = await _entries("practitioner.changed")
    assert changed["subject"] == f"practitioner:{ross}"
    assert changed["actor_email"] == "admin@example.org"
    assert changed["details"]["manager_email"] == ["graham@example.org", "amira@example.org"]
    assert changed["details"]["left_on"] == [None, "2026-12-31"]
    assert changed["details"]["other_fields"] == ["job_title"]
    assert "line manager graham@example.org → amira@example.org" in changed["summary"]
    # Saving the same values again changes nothing, and logs nothing.
    await client.patch(
        f"/api/v1/practitioners/{ross}", json={"job_title": "Senior Worker"}, headers=bearer(alliance.tokens["admin"])
    )
    assert len(await _entries("practitioner.changed")) == 1


async def test_an_email_change_is_logged_when_asked_for_and_when_confirmed(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    asked = await client.patch(
        f"/api/v1/practitioners/{eilidh}", json={"email": "eilidh.new@example.org"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    assert asked.status_code == 200, asked.text
    [change] = await _entries("practitioner.changed")
    assert change["details"]["email"] == ["eilidh@example.org", "eilidh.new@example.org"]
    confirmed = await client.post(
        f"/api/v1/practitioners/{eilidh}/email-change/confirm", headers=bearer(alliance.tokens["practitioner"])
    )
    assert confirmed.status_code == 200, confirmed.text
    [decision] = await _entries("email_change.confirmed")
    assert (decision["actor_email"], decision["details"]["how"]) == ("eilidh@example.org", "self")


async def test_registration_claims_and_their_confirmation_are_logged(alliance: Alliance) -> None:
    from registry.registration import claims
    from registry.registration import service as registration
    from registry.registration.schemas import RegistrationChangeIn

    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    change = RegistrationChangeIn.model_validate(
        {"status": "registered", "effective_from": "2026-01-10", "membership_number": "CLDSC20002"}
    )
    recorded = await registration.record_change(EILIDH, eilidh, change)
    change_id = recorded.awaiting_confirmation[0].id
    await claims.confirm_claim(ADMIN, eilidh, change_id)
    [claimed] = await _entries("registration.claimed")
    assert (claimed["actor_email"], claimed["subject"]) == ("eilidh@example.org", f"practitioner:{eilidh}")
    assert claimed["details"]["change_id"] == change_id
    [confirmed] = await _entries("registration.confirmed")
    assert (confirmed["actor_email"], confirmed["details"]["change_id"]) == ("admin@example.org", change_id)


async def test_verification_is_logged(alliance: Alliance) -> None:
    from registry.learning import service as learning
    from registry.learning import verification
    from registry.learning.schemas import LearningRecordIn

    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    data = LearningRecordIn(title="Youth work conference", kind="conference", completed_on="2026-02-02", hours=6,
                            competences=["C3"], reflection="What I will change.")  # fmt: skip
    record = await learning.create_record(EILIDH, eilidh, data)
    await verification.request_verification(EILIDH, eilidh, record.id, "graham@example.org")
    await verification.verify(GRAHAM, record.id, "We talked it through.")
    [verified] = await _entries("learning.verified")
    assert (verified["actor_email"], verified["subject"], verified["details"]) == (
        "graham@example.org", f"practitioner:{eilidh}", {"record_id": record.id},
    )  # fmt: skip


async def test_approvals_of_bookings_and_of_protected_time_and_attendance_are_logged(
    alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from registry.learning_time import requests
    from registry.learning_time.schemas import TimeRequestDecisionIn, TimeRequestIn

    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    upcoming = await make_event("Needs approval", clock.today() + timedelta(days=20), requires_approval=True)
    booking = await bookings.book(EILIDH, upcoming.id)
    await bookings.approve(GRAHAM, booking.id)
    [approved] = await _entries("booking.approved")
    assert (approved["actor_email"], approved["subject"]) == ("graham@example.org", f"practitioner:{eilidh}")
    assert approved["details"] == {"booking_id": booking.id, "event_id": upcoming.id, "status": "confirmed"}

    asked = TimeRequestIn.model_validate(
        {
            "title": "Facilitation course",
            "kind": "course",
            "starts_on": clock.today(),
            "hours": 6,
            "competences": ["C3"],
        }
    )
    request = await requests.create_request(EILIDH, eilidh, asked)
    await requests.decide_request(GRAHAM, request.id, TimeRequestDecisionIn(decision="approve"))
    [time] = await _entries("time_request.approved")
    assert (time["actor_email"], time["details"]["request_id"]) == ("graham@example.org", request.id)

    held = await make_event("Held next week", clock.today() + timedelta(days=7))
    came = await book_for(alliance, held.id, "eilidh@example.org")
    missed = await book_for(alliance, held.id, "ross@example.org")
    fixed_clock.moment += timedelta(days=8)
    items = [AttendanceItem(booking_id=came, attended=True), AttendanceItem(booking_id=missed, attended=False)]
    await bookings.set_attendance(COMMAND_LINE, held.id, items)
    [attendance] = await _entries("attendance")
    assert attendance["subject"] == f"event:{held.id}"
    assert attendance["details"] == {"attended": [came], "no_show": [missed]}
    await bookings.set_attendance(COMMAND_LINE, held.id, items)  # nothing changed: nothing logged
    assert len(await _entries("attendance")) == 1


async def test_leads_download_the_filtered_log_as_csv_safe_for_spreadsheets(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
) -> None:
    from registry.audit import service as audit

    for n in range(1205):  # more than one batch of the keyset walk
        await audit.record(ADMIN, "export", subject="participation", summary=f"export {n}")
    await audit.record(ADMIN, "user.role", subject="sam@example.org", summary='=HYPERLINK("http://x")')
    csrf = await sign_in_as(client, "lead@example.org")
    assert csrf
    page = await client.get("/audit?subject=sam@example.org")
    assert 'href="/audit/download?subject=sam%40example.org"' in page.text
    one = await client.get("/audit/download?subject=sam@example.org")
    assert one.status_code == 200
    assert one.headers["content-disposition"] == f'attachment; filename="audit-log-{clock.today().isoformat()}.csv"'
    rows = list(csv.DictReader(io.StringIO(one.text)))
    assert [(r["action"], r["subject"], r["summary"]) for r in rows] == [
        ("user.role", "sam@example.org", '\'=HYPERLINK("http://x")')
    ]
    every = list(csv.DictReader(io.StringIO((await client.get("/audit/download?action=export")).text)))
    assert len(every) == 1205
    assert every[0]["summary"] == "export 1204"
    assert every[-1]["summary"] == "export 0"
