"""Schemathesis over /schema/openapi.json against a real `registry serve`: every operation, as each role,
with generated requests the document allows — no 5xx, answers that match the documented schema, status
codes and content types, and every 4xx with a ``detail``. Bounded: a few examples per operation and role."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from registry.settings import PROJECT_ROOT
from tests.conftest import BACKEND
from tests.integration.test_mail import _free_port
from tests.support import Alliance, TestDatabases

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="once is enough: the document is the same on both")

EXAMPLES = 4
CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
    checks.response_headers_conformance, checks.response_schema_conformance,
]  # fmt: skip
"""Not ``positive_data_acceptance``: the document cannot say every rule a body must keep (an unknown competence
code, a last day before the first, a leaving date before the start), which the API answers with 400 and a
``detail`` naming the field — checked below instead."""
ROLES = ("practitioner", "manager", "partner_admin", "lead", "admin")


@pytest.fixture
async def live(databases: TestDatabases, alliance: Alliance) -> AsyncIterator[str]:
    port = _free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": databases.current_url, "REGISTRY_SCHEDULER": "off"}
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
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 20)


def _check(
    base: str, session: requests.Session, operation: Any, role: str, token: str, problems: list[str], calls: list[int]
) -> None:
    """A few generated requests to one operation as one role; what goes wrong is added to ``problems``."""
    headers = {"Authorization": f"Bearer {token}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.data())
    def run(data: Any) -> None:
        case = data.draw(operation.as_strategy())
        calls.append(1)
        try:
            response = case.call_and_validate(base_url=base, session=session, headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:
            problems.append(f"{role} {operation.label}: {str(exc)[:600]}")
            return
        if 400 <= response.status_code < 500:
            try:
                body = response.json()
            except ValueError:
                body = {}
            if not isinstance(body, dict) or not body.get("detail"):
                problems.append(f"{role} {operation.label}: {response.status_code} without a detail")

    run()


def _fuzz(base: str, tokens: dict[str, str]) -> tuple[list[str], int, int]:
    """What went wrong, how many operations the document has, and how many requests were sent."""
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    problems: list[str] = []
    calls: list[int] = []
    session = requests.Session()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for role in ROLES:
            _check(base, session, operation, role, tokens[role], problems, calls)
    return problems, len(operations), len(calls)


async def test_every_operation_as_every_role_answers_as_documented(live: str, alliance: Alliance) -> None:
    problems, operations, calls = await anyio.to_thread.run_sync(_fuzz, live, alliance.tokens)
    assert operations >= 60, "the document lists every operation"
    assert calls >= operations * len(ROLES), "each operation was called as each role"
    assert not problems, "\n".join(dict.fromkeys(problems))
