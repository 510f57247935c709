"""``registry export indicators`` (INTERFACE.md): the file says what the metrics say, suppressed, and the
export is in the audit log with its filters and purpose."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree as ET

from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.audit import service as audit
from registry.exports.indicators import COLUMNS
from tests.integration.metrics_alliance import Built
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import Alliance, as_viewer, bearer

LEAD = as_viewer("lead@example.org", "Lead", Role.LEAD)


async def test_the_csv_and_the_xml_agree_with_the_metrics(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    api = (await client.get("/api/v1/metrics?period=2025-26", headers=bearer(alliance.tokens["lead"]))).json()
    out = tmp_path / "indicators.csv"
    code, _, err = await _cli("export", "indicators", "--period", "2025-26", "--output", str(out),
                              "--purpose", "board report")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert [r["indicator_code"] for r in rows] == [i["code"] for i in api["indicators"]]
    for row, indicator in zip(rows, api["indicators"], strict=True):
        assert (row["period_start"], row["period_end"]) == ("2025-04-01", "2026-03-31")
        if row["value"] not in ("*", "<5", ""):
            assert float(row["value"]) == indicator["value"]
        for column in ("value", "numerator", "denominator", "baseline_value"):
            if row[column] and row[column] not in ("*", "<5") and indicator["metric"] in {
                "participation", "cldsc_awareness"}:  # fmt: skip
                assert not 1 <= float(row[column]) < 5
    xml = tmp_path / "indicators.xml"
    code, _, err = await _cli("export", "indicators", "--period", "2025-26", "--format", "xml", "--output", str(xml))
    assert code == 0, err
    root = ET.parse(xml).getroot()  # noqa: S314 - the registry's own output
    codes = [pi.get("code") for pi in root.findall("pi")]
    assert codes == [r["indicator_code"] for r in rows]
    logged, total = await audit.entries(LEAD, audit.LogFilter(action="export"))
    assert total == 2
    assert logged[1].subject == "indicators"
    assert logged[1].actor_email == "command-line"
    assert logged[1].details["purpose"] == "board report"
    assert logged[1].details["filters"]["period"] == "2025-26"
    assert (logged[1].details["format"], logged[0].details["format"]) == ("csv", "xml")


async def test_bad_asks_write_nothing_and_say_why(client: AsyncTestClient, alliance: Alliance, tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "nothing.csv"
    code, _, err = await _cli("export", "indicators", "--period", "2025-13", "--output", str(out))
    assert code == 2
    assert "period" in err
    code, _, err = await _cli("export", "indicators", "--period", "2025-26", "--suppress", "1", "--output", str(out))
    assert code == 2
    assert "k must be from 2 to 100" in err
    assert not out.exists()
    assert (await audit.entries(LEAD, audit.LogFilter(action="export")))[1] == 0
