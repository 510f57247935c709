"""Schemathesis over /schema/openapi.json against a real `registry serve`: every operation, as each role,
with generated requests the document allows — no 5xx, answers that match the documented schema, status
codes and content types, every 4xx with a ``detail``, and every request the document allows accepted unless
it breaks one of the rules no JSON Schema can say (``RULES_BETWEEN_FIELDS``). Bounded: a few examples per
operation and role."""

from __future__ import annotations

import asyncio
import os
import re
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
from litestar.testing import AsyncTestClient
from schemathesis import checks

from registry.settings import PROJECT_ROOT
from registry.validation import DATE_PATTERN, DATETIME_PATTERN, PERIOD_PATTERN
from tests.conftest import BACKEND
from tests.integration.test_mail import _free_port
from tests.support import Alliance, TestDatabases

Client = AsyncTestClient  # type: ignore[type-arg]

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="once is enough: the document is the same on both")

EXAMPLES = 4
CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
    checks.response_headers_conformance, checks.response_schema_conformance,
]  # fmt: skip
"""``positive_data_acceptance`` is checked in ``_refused_though_allowed``, which knows the rules below."""
REFUSALS = {400, 413, 415, 422}
"""Answers that refuse a request as bad input (401, 403, 404, 409 and 429 are about who asks and what is
recorded, which a request the document allows can still meet)."""
RULES_BETWEEN_FIELDS = tuple(
    re.compile(rule)
    for rule in (
        # One field against another, which JSON Schema cannot compare:
        r"each session must end after it starts",
        r"must be on or after started_on",
        r"ends before it starts",
        r"renewal_due: must be after",
        r"ends_on: must be on or after",
        r"booking_closes_at: must be",
        r"only registered and associate members have a renewal date",
        r"an in-person or hybrid event needs a venue",
        r"an online or hybrid event needs a link",
        # A field against today, or against what is recorded (the codes of the competence framework, the
        # alliance's local authorities, the caller's own record and organisation):
        r"must be within the last year",
        r"must be in this financial year or later",
        r"must be this financial year or later",
        r"unknown competence",
        r"no organisation of the alliance is in",
        r"your sign-in has no practitioner record",
        r"your own organisation",
        r"unknown organisation",
        r"is not an organisation of the alliance",
    )
)
"""Each is tested on its own where it is made (tests/unit, tests/integration); here a request refused for one of
them is not a fault of the document."""
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
            detail = body.get("detail") if isinstance(body, dict) else None
            if not detail:
                problems.append(f"{role} {operation.label}: {response.status_code} without a detail")
            elif _refused_though_allowed(response.status_code, str(detail)):
                problems.append(
                    f"{role} {operation.label}: the document allows {case.as_curl_command()[:1500]}\n"
                    f"but the API answered {response.status_code}: {detail}"
                )

    run()


def _refused_though_allowed(status: int, detail: str) -> bool:
    """A request the document allows, refused as bad input for something other than a rule between fields:
    every problem the detail names (``field: problem; field: problem``) must be one of those rules."""
    if status not in REFUSALS:
        return False
    return not all(any(rule.search(problem) for rule in RULES_BETWEEN_FIELDS) for problem in re.split(r"; (?=[\w.]+: )", detail))


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


async def test_the_document_says_what_the_checks_in_code_enforce(client: Client) -> None:
    """Fields a change may leave out but not clear are not nullable; dates, codes and periods carry patterns."""
    document = (await client.get("/schema/openapi.json")).json()
    models = document["components"]["schemas"]
    patch = models["PractitionerPatch"]["properties"]
    assert patch["email"] == {"type": "string", "format": "email"}
    assert patch["started_on"]["pattern"] == DATE_PATTERN
    assert [choice.get("pattern") for choice in patch["left_on"]["oneOf"]] == [DATE_PATTERN, None]
    assert models["OrganisationPatch"]["properties"]["name"]["type"] == "string"
    assert None not in models["EventPatch"]["properties"]["format"]["enum"]
    assert models["SessionIn"]["properties"]["starts_at"]["pattern"] == DATETIME_PATTERN
    assert models["TargetIn"]["properties"]["period"]["pattern"] == PERIOD_PATTERN
    assert models["PlanIn"]["properties"]["code"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$"
    metrics = document["paths"]["/api/v1/metrics"]["get"]["parameters"]
    assert next(p for p in metrics if p["name"] == "period")["schema"]["pattern"] == PERIOD_PATTERN
