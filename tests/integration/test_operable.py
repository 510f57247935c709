"""Operable: /health and /ready for a load balancer, a request id on every log line and in the response, and
JSON log lines from a real `registry serve` when REGISTRY_LOG_FORMAT=json."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys

import httpx
import pytest
from litestar.testing import AsyncTestClient

from registry.db import engine
from registry.logs import JsonFormatter
from registry.settings import PROJECT_ROOT
from tests.integration.test_mail import _free_port
from tests.support import Alliance, TestDatabases

pytestmark = pytest.mark.usefixtures("alliance")


async def test_health_answers_without_the_database_and_ready_checks_it(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    health = await client.get("/health")
    assert (health.status_code, health.json(), health.headers["cache-control"]) == (200, {"status": "ok"}, "no-store")
    ready = await client.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_ready_is_503_while_a_migration_is_missing_or_the_database_fails(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await engine().run_ddl("DELETE FROM migration WHERE name = '2026-12-16T10:00:00:000000'")
    behind = await client.get("/ready")
    assert behind.status_code == 503
    assert behind.json()["missing"] == ["2026-12-16T10:00:00:000000"]
    assert "run registry migrate" in behind.json()["detail"]
    await engine().run_ddl("ALTER TABLE migration RENAME TO migration_gone")
    try:
        broken = await client.get("/ready")
    finally:
        await engine().run_ddl("ALTER TABLE migration_gone RENAME TO migration")
    assert broken.status_code == 503
    assert broken.json()["detail"].startswith("database: ")
    assert (await client.get("/health")).status_code == 200


async def test_every_log_line_of_a_request_carries_its_id_and_the_response_names_it(
    client: AsyncTestClient,  # type: ignore[type-arg]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await client.get("/sign-in")
    token = client.cookies["csrftoken"]
    refused = await client.post(
        "/sign-in", data={"email": "eilidh@example.org", "password": "wrong password", "_csrf_token": token},
        headers={"X-Request-ID": "proxy-given-id-123"},
    )  # fmt: skip
    assert refused.headers["x-request-id"] == "proxy-given-id-123"
    [line] = [r for r in caplog.records if "sign-in refused" in r.getMessage()]
    assert line.request_id == "proxy-given-id-123"  # type: ignore[attr-defined]
    entry = json.loads(JsonFormatter().format(line))
    assert (entry["request_id"], entry["level"], entry["logger"]) == ("proxy-given-id-123", "INFO", line.name)
    # A header that is not a sensible id (too short, or with a line break in it) is replaced by one of ours.
    made = (await client.get("/health", headers={"X-Request-ID": "x"})).headers["x-request-id"]
    assert len(made) == 32
    assert made != (await client.get("/health")).headers["x-request-id"]


async def test_registry_serve_writes_json_lines_with_the_request_id(
    databases: TestDatabases, alliance: Alliance
) -> None:
    port = _free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": databases.current_url, "REGISTRY_LOG_FORMAT": "json"}
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry", "serve", "--port", str(port), env=env, cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            ready = await http.get("/ready", headers={"X-Request-ID": "json-lines-check-1"})
            assert ready.status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(server.communicate(), 20)
    lines = [line for line in output.decode().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON
    assert {"time", "level", "logger", "request_id", "message"} <= set(entries[0])
    assert any(e["request_id"] == "json-lines-check-1" and "/ready" in e["message"] for e in entries), lines
