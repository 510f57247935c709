"""No overbooking, ever: 60 people book an event of 10 places at the same moment, over real HTTP.

The app runs under uvicorn in its own thread and event loop (with its PostgreSQL pool, as deployed);
the requests come from another loop through httpx. Run on SQLite and on PostgreSQL by ./scripts/test.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import uvicorn

from registry.accounts import service as accounts
from registry.app import create_app
from registry.cli_viewer import COMMAND_LINE
from registry.events import service as events
from registry.events.schemas import EventIn, SessionIn
from registry.events.tables import Booking, BookingHistory
from registry.people import service as people
from tests.support import ORGANISATIONS_CSV

PLACES = 10
BOOKERS = 60


@contextmanager
def running_app() -> Iterator[str]:
    """The app under uvicorn in a thread, as deployed (with its own event loop and connection pool)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


async def _alliance_of(n: int) -> tuple[int, list[int], str]:
    await people.import_organisations(COMMAND_LINE, ORGANISATIONS_CSV)
    rows = "\n".join(f"p{i:03d}@example.org,P,{i:03d},DCC,full_time,35,2020-01-01" for i in range(n))
    await people.import_practitioners(
        COMMAND_LINE, "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n" + rows + "\n"
    )
    everyone, _ = await people.list_practitioners(COMMAND_LINE, people.PractitionerFilter(), limit=n)
    await accounts.create_user("lead@example.org", "Lead", "lead")
    token = await accounts.create_api_token("lead@example.org")
    soon = datetime.now(UTC) + timedelta(days=3)
    event = await events.create_event(
        COMMAND_LINE,
        EventIn(
            title="Popular course", host_organisation="DCC", format="online", online_url="https://meet.example.org/x",
            capacity=PLACES, sessions=[SessionIn(starts_at=soon, ends_at=soon + timedelta(hours=2))], status="published",
        ),
    )  # fmt: skip
    return event.id, [p.id for p in everyone], token


async def test_sixty_concurrent_bookings_fill_ten_places_exactly() -> None:
    event_id, practitioner_ids, token = await _alliance_of(BOOKERS)

    def fire(base_url: str) -> list[httpx.Response]:
        async def all_at_once() -> list[httpx.Response]:
            limits = httpx.Limits(max_connections=BOOKERS)
            async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
                headers = {"Authorization": f"Bearer {token}"}
                return await asyncio.gather(
                    *[
                        client.post(
                            f"/api/v1/events/{event_id}/bookings", json={"practitioner_id": pid}, headers=headers
                        )
                        for pid in practitioner_ids
                    ]
                )

        return asyncio.run(all_at_once())

    with running_app() as base_url:
        responses = await asyncio.to_thread(fire, base_url)

    assert [r.status_code for r in responses if r.status_code != 201] == []
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == PLACES
    assert statuses.count("waitlisted") == BOOKERS - PLACES
    rows = await Booking.select(Booking.id, Booking.status, Booking.waitlisted_at).where(Booking.event == event_id)
    assert sum(1 for r in rows if r["status"] == "confirmed") == PLACES
    # One consistent order: the first ten decisions got the places, and the waiting list follows the
    # order in which the others were decided.
    by_decision = sorted(r["id"] for r in rows)
    assert sorted(r["id"] for r in rows if r["status"] == "confirmed") == by_decision[:PLACES]
    waiting = sorted((r for r in rows if r["status"] == "waitlisted"), key=lambda r: r["waitlisted_at"])
    assert [r["id"] for r in waiting] == by_decision[PLACES:]
    assert await BookingHistory.count() == BOOKERS
