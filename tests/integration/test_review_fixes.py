"""Edge cases found in review: numbers too large, impossible years, control characters, races on verification."""

from __future__ import annotations

from datetime import timedelta

from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.errors import Conflict
from registry.learning import service as learning
from registry.learning import verification
from registry.learning.schemas import LearningRecordIn, LearningRecordPatch
from tests.integration.test_events_api import create_event, event_body
from tests.support import FIXED_NOW, Alliance, StoppedClock, as_viewer, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_numbers_too_large_are_400_not_500(client: Client, alliance: Alliance) -> None:
    lead = bearer(alliance.tokens["lead"])
    huge = await client.get("/api/v1/practitioners/99999999999999999999", headers=lead)
    assert huge.status_code == 400
    assert huge.json()["detail"] == "A number in the request is too large"
    assert (await client.get("/api/v1/practitioners?offset=99999999999999999999", headers=lead)).status_code == 400


async def test_impossible_years_are_refused(client: Client, alliance: Alliance) -> None:
    lead = bearer(alliance.tokens["lead"])
    pid = alliance.practitioner_ids["ross@example.org"]
    far = await client.post(
        f"/api/v1/practitioners/{pid}/registration",
        json={"status": "registered", "effective_from": "9998-01-01"},
        headers=lead,
    )
    assert far.status_code == 400
    assert "effective_from" in far.json()["detail"]
    ancient = event_body(sessions=[{"starts_at": "0001-01-01T00:30:00+01:00", "ends_at": "0001-01-01T02:30:00+01:00"}])
    assert (await client.post("/api/v1/events", json=ancient, headers=lead)).status_code == 400


async def test_an_event_title_cannot_hold_a_line_break(client: Client, alliance: Alliance) -> None:
    response = await client.post(
        "/api/v1/events", json=event_body(title="Line\r\nBcc: everyone"), headers=bearer(alliance.tokens["lead"])
    )
    assert response.status_code == 400
    assert "title" in response.json()["detail"]


async def test_verification_of_a_record_changed_meanwhile_is_refused(alliance: Alliance) -> None:
    eilidh = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
    graham = as_viewer("graham@example.org", "Graham", Role.MANAGER)
    pid = alliance.practitioner_ids["eilidh@example.org"]
    record = await learning.create_record(
        eilidh,
        pid,
        LearningRecordIn(title="Course", kind="course", completed_on="2026-01-10", hours=2, competences=["C1"]),
    )
    await verification.request_verification(eilidh, pid, record.id, "graham@example.org")
    reviewed, _ = await verification.review_record(graham, record.id)
    await learning.update_record(eilidh, pid, record.id, LearningRecordPatch(hours=5))  # resets verification
    try:
        await verification.verify(graham, reviewed.id, "Looked fine")
    except Conflict:
        pass
    else:
        raise AssertionError("verified a record that had changed since it was asked for")
    assert (await learning.get_record(eilidh, pid, record.id)).verification_state == "none"


async def test_booked_hours_count_confirmed_places_not_yet_attended(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    start = FIXED_NOW + timedelta(days=2)  # in the reporting year 2026-27, and still to come
    event = await create_event(
        client,
        alliance,
        sessions=[{"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}],
    )
    await client.post(
        f"/api/v1/events/{event['id']}/bookings", json={}, headers=bearer(alliance.tokens["practitioner"])
    )
    pid = alliance.practitioner_ids["eilidh@example.org"]
    response = await client.get(
        f"/api/v1/practitioners/{pid}/learning-time?period=2026-27",
        headers=bearer(alliance.tokens["practitioner"]),
    )
    assert response.json()["booked_hours"] == 3.0
