"""Shared learning needs (issue 13, point 5) on the hand-built alliance (metrics_alliance.py): the competence ×
organisation grid of needs recorded in the period beside the upcoming events per competence, and the needs
behind a cell — names for leads and admins only."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from registry.cli_viewer import COMMAND_LINE
from registry.metrics.needs import needs_grid
from registry.metrics.report import ReportAsk
from tests.integration.metrics_alliance import Built
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_the_grid_of_2025_26(metrics_alliance: Built) -> None:
    grid = await needs_grid(COMMAND_LINE, ReportAsk(period="2025-26"))
    assert [code for code, _ in grid.organisations] == ["DCC", "FIFE", "NHST"]
    rows = {r.competence: r for r in grid.rows}
    assert list(rows) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]  # every competence, needs or not
    # C4: Graham (DCC) and Amira (FIFE) — shared, and E7 (10 December 2026) addresses it.
    assert (rows["C4"].cells, rows["C4"].shared, rows["C4"].upcoming_total) == ({"DCC": 1, "FIFE": 1}, True, 1)
    assert [e.title for e in rows["C4"].upcoming] == ["Participatory budgeting"]
    assert not rows["C4"].unplanned
    # C7: Eilidh and Ross, both DCC: not shared. C5: Neil on the last day (Lara's, on 1 April, is next year's).
    assert (rows["C7"].cells, rows["C7"].practitioners, rows["C7"].shared) == ({"DCC": 2}, 2, False)
    assert rows["C5"].cells == {"NHST": 1}
    assert rows["C2"].cells == {}


async def test_a_shared_need_with_no_event_planned_stands_out(metrics_alliance: Built) -> None:
    # 2024-25: C1 from Graham (DCC) and Lara (FIFE); no upcoming event names C1.
    rows = {r.competence: r for r in (await needs_grid(COMMAND_LINE, ReportAsk(period="2024-25"))).rows}
    assert (rows["C1"].cells, rows["C1"].unplanned) == ({"DCC": 1, "FIFE": 1}, True)
    assert (rows["C4"].cells, rows["C4"].unplanned) == ({"NHST": 1}, False)


async def test_the_needs_behind_a_cell_name_people_to_leads_only(
    client: Client, alliance: Alliance, metrics_alliance: Built
) -> None:
    await sign_in(client, "lead@example.org")
    grid = await client.get("/metrics/needs?period=2024-25")
    assert grid.status_code == 200
    assert re.search(r'data-competence="C1".*?data-testid="unplanned"', grid.text, re.S)
    cell = await client.get("/metrics/needs/C7?period=2025-26&organisation=DCC")
    assert cell.status_code == 200
    assert re.findall(r'data-testid="need-practitioner">([^<]+)<', cell.text) == ["Eilidh Morrison", "Ross Walker"]
    await client.post("/sign-out", data={"_csrf_token": client.cookies["csrftoken"]})
    await sign_in(client, "admin.dcc@example.org")
    own = await client.get("/metrics/needs/C7?period=2025-26&organisation=DCC")
    assert own.status_code == 200
    assert own.text.count('data-testid="need"') == 2
    assert "Eilidh" not in own.text
    assert 'data-testid="need-practitioner"' not in own.text
    assert (await client.get("/metrics/needs/C4?period=2025-26&organisation=FIFE")).status_code == 403
    mine = await client.get("/metrics/needs?period=2025-26")
    assert re.findall(r'<abbr title="[^"]+">([A-Z]+)</abbr>', mine.text) == ["DCC"]  # their own column only
    unknown = await client.get("/metrics/needs/C99?period=2025-26&organisation=DCC")
    assert unknown.status_code == 400
    assert "not a competence" in unknown.text
