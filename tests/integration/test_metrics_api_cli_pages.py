"""``registry metrics``, ``GET /api/v1/metrics`` and the dashboard tell the same numbers; bad periods, plans and
organisations are refused with a clear message (400 / exit 2 / an error summary); only partner admins (their
own organisation), leads and admins see metrics."""

from __future__ import annotations

import csv
import io
import json
import re
import sys

import anyio.to_thread
import pytest
from litestar.testing import AsyncTestClient

from registry.cli import main
from registry.metrics.display import shown
from tests.integration.metrics_alliance import Built
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


async def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            return main(list(args))
        except SystemExit as exc:  # argparse refuses bad choices itself, with exit 2
            return int(exc.code or 0)
        finally:
            sys.stdout, sys.stderr = saved

    code = await anyio.to_thread.run_sync(run)
    return code, out.getvalue(), err.getvalue()


def _card_values(html: str) -> dict[str, str]:
    """Indicator code → the value its card shows."""
    cards = re.findall(r'data-testid="indicator-card" data-code="([^"]+)".*?data-testid="value">([^<]+)<', html, re.S)
    return dict(cards)


async def test_the_cli_the_api_and_the_dashboard_agree(client: Client, alliance: Alliance, metrics_alliance: Built) -> None:
    api = await client.get("/api/v1/metrics?period=2025-26", headers=bearer(alliance.tokens["lead"]))
    assert api.status_code == 200
    body = api.json()
    assert set(body) >= {"plan", "period", "indicators"}
    assert body["period"] == {"start": "2025-04-01", "end": "2026-03-31", "label": "2025-26"}
    assert set(body["indicators"][0]) >= {
        "code", "action", "indicator", "metric", "value", "numerator", "denominator", "baseline_value", "change",
        "direction", "breakdown",
    }  # fmt: skip
    code, out, _ = await _cli("metrics", "--period", "2025-26")
    assert code == 0
    assert json.loads(out) == body
    code, out, _ = await _cli("metrics", "--period", "2025-26", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["code"] for r in rows] == [i["code"] for i in body["indicators"]]
    by_code = {i["code"]: i for i in body["indicators"]}
    for row in rows:
        expected = by_code[row["code"]]["value"]
        assert row["value"] == ("" if expected is None else str(expected)), row
    assert (rows[0]["period_start"], rows[0]["baseline_start"]) == ("2025-04-01", "2024-04-01")
    await sign_in(client, "lead@example.org")
    page = await client.get("/metrics?period=2025-26")
    assert page.status_code == 200
    kinds = {"A3": "share", "C1": "share", "C2": "share", "D2": "share", "D3": "share", "D4": "ratio"}
    assert _card_values(page.text) == {
        code: shown(i["value"], kinds.get(code, "count"))  # type: ignore[arg-type]
        for code, i in by_code.items()
    }
    assert _card_values(page.text)["C1"] == "28.6%"  # 2 of 7, as a percentage on the page only
    assert 'role="img"' in page.text
    assert "<desc" in page.text
    assert 'data-testid="trend-table"' in page.text


async def test_filters_agree_too(client: Client, alliance: Alliance, metrics_alliance: Built) -> None:
    api = await client.get(
        "/api/v1/metrics?period=2025-26&local_authority=Fife", headers=bearer(alliance.tokens["admin"])
    )
    code, out, _ = await _cli("metrics", "--period", "2025-26", "--local-authority", "Fife")
    assert code == 0
    assert json.loads(out) == api.json()
    assert api.json()["local_authority"] == "Fife"


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("period=2025-27", "period", "not a financial year"),
        ("period=2025-04-31..2025-06-30", "period", "does not exist"),
        ("period=2025-06-30..2025-04-01", "period", "ends before it starts"),
        ("plan=NO-SUCH-PLAN", "plan", "is not a plan"),
        ("organisation=NOPE", "organisation", "is not an organisation"),
        ("local_authority=Atlantis", "local_authority", "no organisation of the alliance is in Atlantis"),
    ],
)
async def test_bad_input_is_refused_with_what_is_wrong(
    client: Client, alliance: Alliance, query: str, field: str, words: str
) -> None:
    api = await client.get(f"/api/v1/metrics?{query}", headers=bearer(alliance.tokens["lead"]))
    assert api.status_code == 400
    assert words in api.json()["detail"]
    name, _, value = query.partition("=")
    code, out, err = await _cli("metrics", f"--{name.replace('_', '-')}", value)
    assert (code, out) == (2, "")
    assert words in err
    assert err.startswith("registry: ")
    await sign_in(client, "lead@example.org")
    page = await client.get(f"/metrics?{query}")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert f'href="#{field}"' in page.text


async def test_a_period_that_is_not_a_period_at_all(client: Client, alliance: Alliance) -> None:
    api = await client.get("/api/v1/metrics?period=last%20year", headers=bearer(alliance.tokens["lead"]))
    assert api.status_code == 400
    assert "period" in api.json()["detail"]
    code, _, err = await _cli("metrics", "--format", "xml")
    assert code == 2
    assert "invalid choice" in err


async def test_practitioners_and_managers_see_no_metrics(client: Client, alliance: Alliance) -> None:
    for role, email in (("practitioner", "eilidh@example.org"), ("manager", "graham@example.org")):
        api = await client.get("/api/v1/metrics", headers=bearer(alliance.tokens[role]))
        assert api.status_code == 403, role
        assert api.json()["detail"]
        await sign_in(client, email)
        for path in ("/metrics", "/metrics/needs", "/metrics/plans"):
            page = await client.get(path)
            assert page.status_code == 403, (role, path)
            assert "You do not have access to this page" in page.text
        assert 'href="/metrics"' not in (await client.get("/")).text


async def test_a_partner_admin_sees_their_own_organisation_only(client: Client, alliance: Alliance) -> None:
    token = bearer(alliance.tokens["partner_admin"])  # DCC's partner admin
    own = await client.get("/api/v1/metrics?period=2025-26", headers=token)
    assert own.status_code == 200
    assert own.json()["organisation"] == "DCC"
    assert (await client.get("/api/v1/metrics?organisation=dcc", headers=token)).status_code == 200
    other = await client.get("/api/v1/metrics?organisation=FIFE", headers=token)
    assert other.status_code == 403
    assert "own organisation" in other.json()["detail"]
    assert (await client.get("/api/v1/metrics?local_authority=Fife", headers=token)).status_code == 403
    await sign_in(client, "admin.dcc@example.org")
    page = await client.get("/metrics")
    assert page.status_code == 200
    assert 'data-testid="scope">DCC<' in page.text
    assert 'id="organisation"' not in page.text  # nothing to choose
    assert (await client.get("/metrics?organisation=FIFE")).status_code == 403
    assert (await client.get("/metrics/plans")).status_code == 403  # plans are the leads'


async def test_every_indicators_breakdown_page_renders(client: Client, alliance: Alliance, metrics_alliance: Built) -> None:
    from registry.metrics.tables import MetricIndicator

    await sign_in(client, "lead@example.org")
    for indicator in await MetricIndicator.select(MetricIndicator.id, MetricIndicator.code):
        page = await client.get(f"/metrics/indicators/{indicator['id']}?period=2025-26&local_authority=Dundee+City")
        assert page.status_code == 200, indicator
        assert f'data-testid="breakdown-heading">{indicator["code"]} ' in page.text
        assert "Dundee City" in page.text
    assert (await client.get("/metrics/indicators/999999")).status_code == 404
    bad = await client.get(f"/metrics/indicators/{indicator['id']}?period=2025-13")
    assert bad.status_code == 400
    assert "There is a problem" in bad.text


async def test_the_dashboard_runs_as_many_queries_for_more_people(
    client: Client, alliance: Alliance, metrics_alliance: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Aggregates in SQL: 40 more people with learning and bookings add rows, not queries."""
    from registry.cli_viewer import COMMAND_LINE
    from registry.learning import service as learning
    from registry.people import service as people
    from tests.integration.test_query_counts import counted

    await sign_in(client, "lead@example.org")

    async def queries() -> int:
        with counted(monkeypatch) as seen:
            assert (await client.get("/metrics?period=2025-26")).status_code == 200
        return len(seen)

    before = await queries()
    rows = "".join(f"m{n}@example.org,More,People{n},FIFE,part_time,20,2021-01-01\n" for n in range(40))
    await people.import_practitioners(
        COMMAND_LINE, "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n" + rows
    )
    learning_rows = "".join(f"m{n}@example.org,2025-07-0{1 + n % 9},Course,course,2,C1;C3,yes,\n" for n in range(40))
    await learning.import_learning(
        COMMAND_LINE, "email,completed_on,title,kind,hours,competences,protected_time,reflection\n" + learning_rows
    )
    assert await queries() == before, before
