"""PostgreSQL restarted during a burst of bookings: the app answers 503 (never a half-written booking) while
the database is away, and recovers by itself — no restart of the app — once it is back. Runs on a PostgreSQL
cluster of its own, so that restarting it disturbs no other test."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from registry.settings import PROJECT_ROOT
from tests.conftest import BACKEND
from tests.integration.test_mail import _free_port

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="restarts a PostgreSQL cluster")

PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"))), "")
PLACES = 10
BOOKERS = 40


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)


@pytest.fixture
def cluster() -> Iterator[tuple[str, str]]:
    """A throwaway cluster: its data folder and URL."""
    if not PG_BIN:
        pytest.skip("no PostgreSQL binaries")
    folder = tempfile.mkdtemp(prefix="registry-restart-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    os.chmod(folder, 0o700)
    port = _free_port()
    data = f"{folder}/data"
    _as_postgres(f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "registry")
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_postgres(f"{PG_BIN}/pg_ctl", "-D", data, "-l", f"{folder}/log", "-w", "-o", options, "start")
    try:
        yield data, f"postgresql://registry@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", data, "-m", "immediate", "stop"]
                       if os.geteuid() == 0 else [f"{PG_BIN}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def _registry(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "registry", *args], env=env, cwd=PROJECT_ROOT, input=stdin,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
async def served(cluster: tuple[str, str]) -> AsyncIterator[tuple[str, str, str]]:
    """`registry serve` on the cluster with a synthetic alliance: (base URL, an admin's token, the URL)."""
    _, url = cluster
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_SCHEDULER": "off"}
    _registry(env, "migrate")
    _registry(env, "synth", "--practitioners", str(BOOKERS))
    _registry(env, "users", "create", "--email", "ops@example.org", "--name", "Ops", "--role", "admin",
              "--password-stdin", stdin="a long enough password 2026\n")  # fmt: skip
    token = _registry(env, "tokens", "create", "--email", "ops@example.org").splitlines()[-1]
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry", "serve", "--port", str(port), env=env, cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(400):
                try:
                    if (await http.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        yield base, token, url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(server.wait(), 10)
        except TimeoutError:
            server.kill()
            await server.wait()


async def test_bookings_survive_a_database_restart_without_restarting_the_app(
    cluster: tuple[str, str], served: tuple[str, str, str]
) -> None:
    data, _ = cluster
    base, token, url = served
    admin = {"Authorization": f"Bearer {token}"}
    starts = datetime.now(UTC) + timedelta(days=20)
    async with httpx.AsyncClient(base_url=base, headers=admin, timeout=30) as http:
        people = (await http.get("/api/v1/practitioners", params={"limit": BOOKERS})).json()["items"]
        ids = [p["id"] for p in people if p["left_on"] is None][:BOOKERS]
        created = await http.post("/api/v1/events", json={
            "title": "Restart drill", "description": "", "host_organisation": people[0]["organisation"],
            "format": "online", "online_url": "https://meet.example.org/r", "capacity": PLACES,
            "sessions": [{"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat()}],
            "competences": [], "topics": [], "requires_approval": False, "status": "published",
        })  # fmt: skip
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]

        async def book(pid: int, after: float = 0) -> int:
            await asyncio.sleep(after)
            answer = await http.post(f"/api/v1/events/{event_id}/bookings", json={"practitioner_id": pid})
            assert answer.status_code in {201, 409, 503}, answer.text
            if answer.status_code == 503:
                assert answer.json()["detail"]
            return answer.status_code

        async def restart() -> None:
            await asyncio.sleep(0.05)
            # With -l, as at the start: without it the new server writes to pg_ctl's output, which is captured, so
            # the pipe never closes and pg_ctl's caller waits for ever.
            log = f"{os.path.dirname(data)}/log"
            await asyncio.to_thread(
                _as_postgres, f"{PG_BIN}/pg_ctl", "-D", data, "-l", log, "-m", "fast", "-w", "restart"
            )

        # Bookings arrive one every 8 ms, so that some are made before the restart, some meet it, some follow.
        first = await asyncio.gather(restart(), *(book(pid, 0.008 * n) for n, pid in enumerate(ids)))
        # Back: every booking that did not go through is tried again, on the same app process.
        again = [pid for pid, status in zip(ids, first[1:], strict=True) if status == 503]
        assert {201, 503} <= set(first[1:]), "the restart met the burst: some bookings before it, some during it"
        for _ in range(50):
            if (await http.get("/ready")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        retried = [await book(pid) for pid in again]
        assert 503 not in retried, "the app recovered by itself"
    connection = await asyncpg.connect(url)
    try:
        counts = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed, count(*) AS booked,"
            " count(DISTINCT practitioner) AS people FROM booking WHERE event = $1", event_id,
        )  # fmt: skip
        unhistoried = await connection.fetchval(
            "SELECT count(*) FROM booking b WHERE b.event = $1"
            " AND NOT EXISTS (SELECT 1 FROM booking_history h WHERE h.booking = b.id)", event_id,
        )  # fmt: skip
    finally:
        await connection.close()
    assert counts["confirmed"] == PLACES
    assert counts["booked"] == counts["people"] == len(ids)
    assert unhistoried == 0, "no booking is half-written"
