"""Attendance is taken only once the event has started: before then the API answers 409 and the page offers
no form (it says when attendance opens); no learning record dated in the future is ever created."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.events.tables import Booking, BookingHistory
from registry.learning.tables import LearningRecord
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
LONDON = ZoneInfo("Europe/London")
# A month ahead, 10am London time.
STARTS = datetime.combine(clock.today() + timedelta(days=30), time(10, 0), LONDON)
OPENS = f"Attendance opens when the event starts, at 10am on {STARTS:%A %-d %B %Y}"


def _travel_to(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))


async def _event_a_month_ahead(client: Client, alliance: Alliance) -> dict[str, Any]:
    body = {
        "title": "Youth work and mental health",
        "host_organisation": "DCC",
        "format": "in_person",
        "venue": "Coldside Library, Dundee",
        "capacity": 5,
        "sessions": [{"starts_at": STARTS.isoformat(), "ends_at": (STARTS + timedelta(hours=3)).isoformat()}],
        "competences": ["C2"],
        "status": "published",
    }
    response = await client.post("/api/v1/events", json=body, headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _book(client: Client, alliance: Alliance, event_id: int, email: str) -> int:
    response = await client.post(
        f"/api/v1/events/{event_id}/bookings",
        json={"practitioner_id": alliance.practitioner_ids[email]},
        headers=bearer(alliance.tokens["lead"]),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _take(client: Client, alliance: Alliance, event_id: int, booking_id: int) -> Any:
    return await client.put(
        f"/api/v1/events/{event_id}/attendance",
        json=[{"booking_id": booking_id, "attended": True}],
        headers=bearer(alliance.tokens["partner_admin"]),  # DCC hosts
    )


async def test_attendance_a_month_ahead_is_refused_and_records_nothing(client: Client, alliance: Alliance) -> None:
    event = await _event_a_month_ahead(client, alliance)
    booking_id = await _book(client, alliance, event["id"], "eilidh@example.org")
    history = await BookingHistory.count()
    response = await _take(client, alliance, event["id"], booking_id)
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == OPENS
    assert await LearningRecord.count() == 0
    assert (await Booking.select(Booking.status).where(Booking.id == booking_id).first()) == {"status": "confirmed"}
    assert await BookingHistory.count() == history
    # Un-marking is refused too: there is nothing to record before anyone could have come.
    no_show = await client.put(
        f"/api/v1/events/{event['id']}/attendance",
        json=[{"booking_id": booking_id, "attended": False}],
        headers=bearer(alliance.tokens["lead"]),
    )
    assert no_show.status_code == 409


async def test_a_minute_before_the_start_is_still_refused(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await _event_a_month_ahead(client, alliance)
    booking_id = await _book(client, alliance, event["id"], "eilidh@example.org")
    _travel_to(monkeypatch, STARTS - timedelta(minutes=1))
    assert (await _take(client, alliance, event["id"], booking_id)).status_code == 409
    assert await LearningRecord.count() == 0


async def test_attendance_works_once_the_event_has_started(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await _event_a_month_ahead(client, alliance)
    booking_id = await _book(client, alliance, event["id"], "eilidh@example.org")
    _travel_to(monkeypatch, STARTS)
    response = await _take(client, alliance, event["id"], booking_id)
    assert response.status_code == 200, response.text
    assert [b["status"] for b in response.json()] == ["attended"]
    record = await LearningRecord.select(LearningRecord.completed_on, LearningRecord.hours).first()
    assert record == {"completed_on": STARTS.date(), "hours": 3.0}


async def test_an_event_moved_into_the_past_takes_attendance_today(client: Client, alliance: Alliance) -> None:
    """INTERFACE.md: recording an event already held is supported (the real clock, no travel)."""
    event = await _event_a_month_ahead(client, alliance)
    booking_id = await _book(client, alliance, event["id"], "eilidh@example.org")
    held = datetime.combine(clock.today() - timedelta(days=3), time(10, 0), LONDON)
    moved = await client.patch(
        f"/api/v1/events/{event['id']}",
        json={"sessions": [{"starts_at": held.isoformat(), "ends_at": (held + timedelta(hours=2)).isoformat()}]},
        headers=bearer(alliance.tokens["lead"]),
    )
    assert moved.status_code == 200, moved.text
    assert (await _take(client, alliance, event["id"], booking_id)).status_code == 200
    assert await LearningRecord.count() == 1


async def test_the_attendance_page_says_when_it_opens_and_offers_no_form(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await _event_a_month_ahead(client, alliance)
    booking_id = await _book(client, alliance, event["id"], "eilidh@example.org")
    await sign_in(client, "admin.dcc@example.org")
    csrf = client.cookies["csrftoken"]
    page = await client.get(f"/events/{event['id']}/attendance")
    assert page.status_code == 200
    assert 'data-testid="attendance-not-open"' in page.text
    assert f"{OPENS}. Until then there is no attendance to take." in page.text
    assert 'data-testid="save-attendance"' not in page.text
    assert 'name="attended"' not in page.text
    # A form posted anyway (an old tab, a crafted request) changes nothing.
    posted = await client.post(
        f"/events/{event['id']}/attendance",
        data={"_csrf_token": csrf, "booking": str(booking_id), "attended": str(booking_id)},
        follow_redirects=False,
    )
    assert posted.status_code == 409
    assert OPENS in posted.text
    assert await LearningRecord.count() == 0

    _travel_to(monkeypatch, STARTS + timedelta(minutes=10))
    client.cookies.clear()  # a month on, the session has ended: sign in again
    await sign_in(client, "admin.dcc@example.org")
    csrf = client.cookies["csrftoken"]
    opened = await client.get(f"/events/{event['id']}/attendance")
    assert 'data-testid="attendance-not-open"' not in opened.text
    assert 'data-testid="save-attendance"' in opened.text
    saved = await client.post(
        f"/events/{event['id']}/attendance",
        data={"_csrf_token": csrf, "booking": str(booking_id), "attended": str(booking_id)},
        follow_redirects=False,
    )
    assert saved.status_code in {302, 303}
    assert await LearningRecord.count() == 1
