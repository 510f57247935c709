"""Input the registry cannot hold is refused with a 400, never a 500: numbers too large, impossible years,
control characters."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.integration.test_events_api import event_body
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_numbers_too_large_are_400_not_500(client: Client, alliance: Alliance) -> None:
    lead = bearer(alliance.tokens["lead"])
    huge = await client.get("/api/v1/practitioners/99999999999999999999", headers=lead)
    assert huge.status_code == 400
    # Ids are declared up to 2**31 - 1, so the answer names the parameter (pages still say "too large").
    assert huge.json()["detail"] == "practitioner_id: Expected `int` <= 2147483647"
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
