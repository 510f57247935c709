"""Two `registry serve` instances on one PostgreSQL, one of them with `--workers 2`, every process with the
scheduler on: concurrent bookings split between them never overbook, a session made on one is good on the
other, failed sign-ins are counted together, two schedulers sweeping at once make each reminder once, and
three schedulers make each night's snapshot once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from registry.accounts import service as accounts
from registry.cli_viewer import COMMAND_LINE
from registry.events import service as events
from registry.events.schemas import EventIn, SessionIn
from registry.events.tables import Booking
from registry.metrics.tables import MetricSnapshot
from registry.notify.tables import OutboxMessage
from registry.people import service as people
from registry.people.schemas import PractitionerIn
from registry.settings import PROJECT_ROOT
from tests.conftest import BACKEND
from tests.integration.test_mail import _free_port
from tests.support import PASSWORD, Alliance, TestDatabases

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="several instances share one PostgreSQL")

BOOKERS = 30
PLACES = 10


async def _wait_until_up(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        for _ in range(400):
            try:
                if (await http.get("/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    pytest.fail(f"the instance on port {port} never became ready")


@pytest.fixture
async def two_instances(databases: TestDatabases, alliance: Alliance) -> AsyncIterator[tuple[str, str]]:
    env = {**os.environ, "REGISTRY_DATABASE_URL": databases.current_url, "REGISTRY_SCHEDULER": "on"}
    ports = [_free_port(), _free_port()]
    servers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "registry", "serve", "--port", str(port), "--workers", str(workers), env=env,
            cwd=PROJECT_ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        for port, workers in zip(ports, (1, 2), strict=True)
    ]  # fmt: skip
    try:
        await asyncio.gather(*(_wait_until_up(port) for port in ports))
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        await asyncio.gather(*(asyncio.wait_for(server.wait(), 20) for server in servers))


async def _bookers(alliance: Alliance) -> list[str]:
    """API tokens of BOOKERS practitioners, each with their own sign-in."""
    tokens = []
    for n in range(BOOKERS):
        email = f"booker{n}@example.org"
        await people.create_practitioner(
            COMMAND_LINE,
            PractitionerIn.model_validate({"email": email, "given_name": "Booker", "family_name": f"No {n}",
                                           "organisation": "DCC", "contract": "full_time", "weekly_hours": 35,
                                           "started_on": "2024-01-01"}),
        )  # fmt: skip
        await accounts.create_user(email, f"Booker {n}", "practitioner", "DCC")
        tokens.append(await accounts.create_api_token(email, "burst"))
    return tokens


async def test_bookings_split_between_two_instances_never_overbook(
    two_instances: tuple[str, str], alliance: Alliance, databases: TestDatabases
) -> None:
    tokens = await _bookers(alliance)
    starts = datetime.now(UTC) + timedelta(days=6)
    event = await events.create_event(
        COMMAND_LINE,
        EventIn(title="Shared burst", host_organisation="DCC", format="online", online_url="https://meet.example.org/b",
                capacity=PLACES, sessions=[SessionIn(starts_at=starts, ends_at=starts + timedelta(hours=2))],
                status="published"),
    )  # fmt: skip
    gate = asyncio.Event()

    async def book(n: int, http: httpx.AsyncClient) -> httpx.Response:
        await gate.wait()
        return await http.post(f"/api/v1/events/{event.id}/bookings", json={},
                               headers={"Authorization": f"Bearer {tokens[n]}"})  # fmt: skip

    async with (
        httpx.AsyncClient(base_url=two_instances[0], timeout=30) as a,
        httpx.AsyncClient(base_url=two_instances[1], timeout=30) as b,
    ):
        tasks = [asyncio.create_task(book(n, a if n % 2 else b)) for n in range(BOOKERS)]
        await asyncio.sleep(0.1)
        gate.set()
        answers = await asyncio.gather(*tasks)
    assert [r.status_code for r in answers] == [201] * BOOKERS, [r.text for r in answers if r.status_code != 201]
    statuses = [r.json()["status"] for r in answers]
    assert statuses.count("confirmed") == PLACES
    assert statuses.count("waitlisted") == BOOKERS - PLACES
    assert await Booking.count().where((Booking.event == event.id) & (Booking.status == "confirmed")) == PLACES

    # Two schedulers sweeping at the same moment: each confirmed booker gets the 7-day reminder once.
    await Booking.update({Booking.created_at: datetime.now(UTC) - timedelta(days=30)}).where(Booking.event == event.id)
    env = {**os.environ, "REGISTRY_DATABASE_URL": databases.current_url, "REGISTRY_SCHEDULER": "off"}
    sweeps = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "registry", "jobs", "run-due", env=env, cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]  # fmt: skip
    results = await asyncio.gather(*(asyncio.wait_for(s.communicate(), 60) for s in sweeps))
    assert [s.returncode for s in sweeps] == [0, 0], [err.decode()[-500:] for _, err in results]
    reminders = await OutboxMessage.select(OutboxMessage.to_email).where(OutboxMessage.dedupe_key.like("%remind%"))
    assert sorted(r["to_email"] for r in reminders) == sorted(
        r["email"] for r in await Booking.select(Booking.practitioner.email.as_alias("email")).where(
            (Booking.event == event.id) & (Booking.status == "confirmed")
        )
    )  # fmt: skip
    snapshots = await MetricSnapshot.select(
        MetricSnapshot.indicator, MetricSnapshot.scope, MetricSnapshot.period_start, MetricSnapshot.period_end
    )
    assert snapshots, "tonight's snapshot was taken"
    assert len({tuple(s.values()) for s in snapshots}) == len(snapshots)


async def test_a_session_from_one_instance_works_on_the_other_and_failures_count_together(
    two_instances: tuple[str, str], alliance: Alliance
) -> None:
    first, second = two_instances
    async with httpx.AsyncClient(base_url=first) as a, httpx.AsyncClient(base_url=second) as b:
        await a.get("/sign-in")
        signed = await a.post(
            "/sign-in", data={"email": "eilidh@example.org", "password": PASSWORD, "next": "/",
                              "_csrf_token": a.cookies["csrftoken"]},
        )  # fmt: skip
        assert signed.status_code in {302, 303}
        b.cookies.update(a.cookies)
        home = await b.get("/")
        assert home.status_code == 200
        assert "Eilidh" in home.text

        async def fail(http: httpx.AsyncClient) -> httpx.Response:
            http.cookies.clear()
            await http.get("/sign-in")
            return await http.post(
                "/sign-in", data={"email": "graham@example.org", "password": "not the password", "next": "/",
                                  "_csrf_token": http.cookies["csrftoken"]},
            )  # fmt: skip

        for n in range(5):  # five failures, alternating between the instances
            assert (await fail(a if n % 2 else b)).status_code == 400
        # The account is now refused on both, even with the right password.
        for http in (a, b):
            http.cookies.clear()
            await http.get("/sign-in")
            right = await http.post(
                "/sign-in", data={"email": "graham@example.org", "password": PASSWORD, "next": "/",
                                  "_csrf_token": http.cookies["csrftoken"]},
            )  # fmt: skip
            assert right.status_code == 429
            assert "Too many attempts" in right.text
