"""Events and bookings through the API: publishing, the booking state machine, approval, attendance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.events.tables import BookingHistory
from registry.learning.tables import LearningRecord
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
SOON = (datetime.now(UTC) + timedelta(days=14)).replace(hour=9, minute=30, second=0, microsecond=0)


def event_body(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Participatory budgeting in practice",
        "description": "A cross-partner session on running PB with communities.",
        "host_organisation": "DCC",
        "format": "in_person",
        "venue": "Lochee Community Hub, Dundee",
        "capacity": 2,
        "sessions": [
            {"starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(hours=2, minutes=30)).isoformat()},
            {
                "starts_at": (SOON + timedelta(days=7)).isoformat(),
                "ends_at": (SOON + timedelta(days=7, hours=2)).isoformat(),
            },
        ],
        "competences": ["C4", "C6"],
        "topics": ["cldsc", "participation"],
        "requires_approval": False,
        "status": "published",
        **changes,
    }


def travel_to_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Attendance opens when the first session starts: be an hour into it."""
    monkeypatch.setattr(clock, "now", lambda: SOON + timedelta(hours=1))


async def create_event(client: Client, alliance: Alliance, **changes: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/events", json=event_body(**changes), headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def book(client: Client, alliance: Alliance, event_id: int, email: str, role: str = "lead") -> Any:
    return await client.post(
        f"/api/v1/events/{event_id}/bookings",
        json={"practitioner_id": alliance.practitioner_ids[email]},
        headers=bearer(alliance.tokens[role]),
    )


async def test_create_event_shape(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    assert event["places_left"] == 2
    assert event["host_organisation"] == "DCC"
    assert event["competences"] == ["C4", "C6"]
    assert len(event["sessions"]) == 2
    listed = (await client.get("/api/v1/events", headers=bearer(alliance.tokens["practitioner"]))).json()
    assert [e["id"] for e in listed["items"]] == [event["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"venue": None}, "venue"),
        ({"format": "online", "venue": None}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"sessions": []}, "sessions"),
        ({"sessions": [{"starts_at": "2026-12-01T10:00:00", "ends_at": "2026-12-01T12:00:00"}]}, "sessions"),
        ({"competences": ["C99"]}, "competences"),
        ({"host_organisation": "NOPE"}, "host_organisation"),
    ],
)
async def test_bad_events_are_refused(client: Client, alliance: Alliance, changes: dict[str, Any], field: str) -> None:
    response = await client.post("/api/v1/events", json=event_body(**changes), headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 400
    assert field in response.json()["detail"]


async def test_a_partner_admin_hosts_only_for_their_organisation(client: Client, alliance: Alliance) -> None:
    token = bearer(alliance.tokens["partner_admin"])
    refused = await client.post("/api/v1/events", json=event_body(host_organisation="FIFE"), headers=token)
    assert refused.status_code == 400
    assert (await client.post("/api/v1/events", json=event_body(), headers=token)).status_code == 201
    assert (
        await client.post("/api/v1/events", json=event_body(), headers=bearer(alliance.tokens["manager"]))
    ).status_code == 403


async def test_drafts_are_hidden_until_published(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance, status="draft")
    practitioner = bearer(alliance.tokens["practitioner"])
    assert (await client.get(f"/api/v1/events/{event['id']}", headers=practitioner)).status_code == 404
    assert (await book(client, alliance, event["id"], "eilidh@example.org", "practitioner")).status_code == 404
    published = await client.patch(
        f"/api/v1/events/{event['id']}", json={"status": "published"}, headers=bearer(alliance.tokens["lead"])
    )
    assert published.json()["status"] == "published"
    assert (await client.get(f"/api/v1/events/{event['id']}", headers=practitioner)).status_code == 200


async def test_full_event_waitlists_and_a_cancellation_promotes_the_longest_waiting(
    client: Client, alliance: Alliance
) -> None:
    event = await create_event(client, alliance)
    first = (await book(client, alliance, event["id"], "eilidh@example.org")).json()
    second = (await book(client, alliance, event["id"], "ross@example.org")).json()
    third = (await book(client, alliance, event["id"], "graham@example.org")).json()
    fourth = (await book(client, alliance, event["id"], "nhs@example.org")).json()
    assert [b["status"] for b in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert (await client.get(f"/api/v1/events/{event['id']}", headers=bearer(alliance.tokens["lead"]))).json()[
        "places_left"
    ] == 0
    cancelled = await client.post(
        f"/api/v1/bookings/{first['id']}/cancel", headers=bearer(alliance.tokens["practitioner"])
    )
    assert cancelled.json()["status"] == "cancelled"
    lead = bearer(alliance.tokens["lead"])
    assert (await client.get(f"/api/v1/bookings/{third['id']}", headers=lead)).json()["status"] == "confirmed"
    assert (await client.get(f"/api/v1/bookings/{fourth['id']}", headers=lead)).json()["status"] == "waitlisted"
    history = (
        await BookingHistory.select(BookingHistory.from_status, BookingHistory.to_status, BookingHistory.by_email)
        .where(BookingHistory.booking == third["id"])
        .order_by(BookingHistory.id)
    )
    assert history == [
        {"from_status": None, "to_status": "waitlisted", "by_email": "lead@example.org"},
        {"from_status": "waitlisted", "to_status": "confirmed", "by_email": "eilidh@example.org"},
    ]


async def test_the_same_person_twice_is_409_and_rebooking_after_cancelling_works(
    client: Client, alliance: Alliance
) -> None:
    event = await create_event(client, alliance)
    first = await book(client, alliance, event["id"], "eilidh@example.org", "practitioner")
    assert first.status_code == 201
    again = await book(client, alliance, event["id"], "eilidh@example.org", "practitioner")
    assert again.status_code == 409
    assert again.json()["detail"] == "This person already has a booking for this event"
    await client.post(f"/api/v1/bookings/{first.json()['id']}/cancel", headers=bearer(alliance.tokens["practitioner"]))
    rebooked = await book(client, alliance, event["id"], "eilidh@example.org", "practitioner")
    assert rebooked.status_code == 201
    assert rebooked.json()["status"] == "confirmed"


async def test_own_booking_without_practitioner_id(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    response = await client.post(
        f"/api/v1/events/{event['id']}/bookings", json={}, headers=bearer(alliance.tokens["practitioner"])
    )
    assert response.status_code == 201
    assert response.json()["practitioner_id"] == alliance.practitioner_ids["eilidh@example.org"]
    mine = (await client.get("/api/v1/bookings", headers=bearer(alliance.tokens["practitioner"]))).json()
    assert [b["event_title"] for b in mine["items"]] == ["Participatory budgeting in practice"]


async def test_who_may_book_for_whom(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance, capacity=10)
    assert (await book(client, alliance, event["id"], "ross@example.org", "manager")).status_code == 201  # his team
    assert (await book(client, alliance, event["id"], "amira@example.org", "manager")).status_code == 404  # not his
    assert (await book(client, alliance, event["id"], "ross@example.org", "practitioner")).status_code == 404
    assert (await book(client, alliance, event["id"], "graham@example.org", "partner_admin")).status_code == 403
    team = (await client.get("/api/v1/bookings?team=true", headers=bearer(alliance.tokens["manager"]))).json()
    assert [b["practitioner_name"] for b in team["items"]] == ["Ross Walker"]


async def test_booking_closes_at_the_closing_time(client: Client, alliance: Alliance) -> None:
    closed = await create_event(
        client, alliance, booking_closes_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    )
    response = await book(client, alliance, closed["id"], "eilidh@example.org", "practitioner")
    assert response.status_code == 409
    assert response.json()["detail"] == "Booking has closed"
    later = await create_event(client, alliance, booking_opens_at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert (await book(client, alliance, later["id"], "eilidh@example.org", "practitioner")).json()["detail"] == (
        "Booking has not opened yet"
    )


async def test_approval_goes_to_the_manager(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance, requires_approval=True, capacity=1)
    eilidh = (await book(client, alliance, event["id"], "eilidh@example.org", "practitioner")).json()
    ross = (await book(client, alliance, event["id"], "ross@example.org", "manager")).json()
    assert eilidh["status"] == ross["status"] == "pending_approval"
    assert (
        await client.post(f"/api/v1/bookings/{eilidh['id']}/approve", headers=bearer(alliance.tokens["practitioner"]))
    ).status_code == 403
    approved = await client.post(f"/api/v1/bookings/{eilidh['id']}/approve", headers=bearer(alliance.tokens["manager"]))
    assert approved.json()["status"] == "confirmed"
    full = await client.post(f"/api/v1/bookings/{ross['id']}/approve", headers=bearer(alliance.tokens["manager"]))
    assert full.json()["status"] == "waitlisted"
    again = await client.post(f"/api/v1/bookings/{ross['id']}/approve", headers=bearer(alliance.tokens["manager"]))
    assert again.status_code == 409


async def test_cancelling_the_event_cancels_every_booking(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    bookings = [
        (await book(client, alliance, event["id"], e)).json()
        for e in ("eilidh@example.org", "ross@example.org", "graham@example.org")
    ]
    response = await client.post(f"/api/v1/events/{event['id']}/cancel", headers=bearer(alliance.tokens["lead"]))
    assert response.json()["status"] == "cancelled"
    for b in bookings:
        assert (await client.get(f"/api/v1/bookings/{b['id']}", headers=bearer(alliance.tokens["lead"]))).json()[
            "status"
        ] == "cancelled"
    assert (await book(client, alliance, event["id"], "nhs@example.org")).status_code == 409


async def test_more_places_promote_the_waiting_list(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance, capacity=1)
    await book(client, alliance, event["id"], "eilidh@example.org")
    waiting = (await book(client, alliance, event["id"], "ross@example.org")).json()
    changed = await client.patch(
        f"/api/v1/events/{event['id']}", json={"capacity": 2}, headers=bearer(alliance.tokens["lead"])
    )
    assert changed.json()["places_left"] == 0
    assert (await client.get(f"/api/v1/bookings/{waiting['id']}", headers=bearer(alliance.tokens["lead"]))).json()[
        "status"
    ] == "confirmed"


async def test_material_changes_raise_the_sequence(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    lead = bearer(alliance.tokens["lead"])
    renamed = await client.patch(f"/api/v1/events/{event['id']}", json={"title": "PB in practice"}, headers=lead)
    assert renamed.json()["sequence"] == 0
    moved = await client.patch(f"/api/v1/events/{event['id']}", json={"venue": "Coldside Library"}, headers=lead)
    assert moved.json()["sequence"] == 1


async def test_attendance_creates_and_removes_the_learning_record(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await create_event(client, alliance)
    eilidh = (await book(client, alliance, event["id"], "eilidh@example.org")).json()
    ross = (await book(client, alliance, event["id"], "ross@example.org")).json()
    travel_to_the_start(monkeypatch)
    url = f"/api/v1/events/{event['id']}/attendance"
    host = bearer(alliance.tokens["partner_admin"])  # DCC hosts
    response = await client.put(
        url,
        json=[{"booking_id": eilidh["id"], "attended": True}, {"booking_id": ross["id"], "attended": False}],
        headers=host,
    )
    assert response.status_code == 200, response.text
    assert [b["status"] for b in response.json()] == ["attended", "no_show"]
    records = (
        await client.get(
            f"/api/v1/practitioners/{alliance.practitioner_ids['eilidh@example.org']}/learning",
            headers=bearer(alliance.tokens["practitioner"]),
        )
    ).json()
    assert records["total"] == 1
    record = records["items"][0]
    assert (record["source"], record["hours"], record["competences"], record["protected_time"]) == (
        "event",
        4.5,
        ["C4", "C6"],
        True,
    )
    assert record["title"] == "Participatory budgeting in practice"
    undone = await client.put(url, json=[{"booking_id": eilidh["id"], "attended": False}], headers=host)
    assert undone.json()[0]["status"] == "no_show"
    assert await LearningRecord.count() == 0
    other_host = await client.put(url, json=[], headers=bearer(alliance.tokens["practitioner"]))
    assert other_host.status_code == 403
    wrong = await client.put(url, json=[{"booking_id": 999999, "attended": True}], headers=host)
    assert wrong.status_code == 400


async def test_attendance_refuses_the_same_booking_twice(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await create_event(client, alliance)
    booking = (await book(client, alliance, event["id"], "eilidh@example.org")).json()
    travel_to_the_start(monkeypatch)
    response = await client.put(
        f"/api/v1/events/{event['id']}/attendance",
        json=[{"booking_id": booking["id"], "attended": True}, {"booking_id": booking["id"], "attended": False}],
        headers=bearer(alliance.tokens["lead"]),
    )
    assert response.status_code == 400
    assert await LearningRecord.count() == 0


async def test_cancelling_an_event_keeps_attendance_and_is_done_once(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await create_event(client, alliance)
    came = (await book(client, alliance, event["id"], "eilidh@example.org")).json()
    travel_to_the_start(monkeypatch)
    taken = await client.put(
        f"/api/v1/events/{event['id']}/attendance",
        json=[{"booking_id": came["id"], "attended": True}],
        headers=bearer(alliance.tokens["lead"]),
    )
    assert taken.status_code == 200, taken.text
    lead = bearer(alliance.tokens["lead"])
    assert (await client.post(f"/api/v1/events/{event['id']}/cancel", headers=lead)).status_code == 201
    assert (await client.get(f"/api/v1/bookings/{came['id']}", headers=lead)).json()["status"] == "attended"
    assert (await client.post(f"/api/v1/events/{event['id']}/cancel", headers=lead)).status_code == 409


async def test_re_saving_the_same_place_and_times_is_not_a_change(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    lead = bearer(alliance.tokens["lead"])
    same = {"venue": event_body()["venue"], "sessions": event_body()["sessions"], "format": "in_person"}
    response = await client.patch(f"/api/v1/events/{event['id']}", json=same, headers=lead)
    assert response.json()["sequence"] == 0
