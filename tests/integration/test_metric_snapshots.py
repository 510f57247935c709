"""The scheduler produces the metrics (issue 14, point 5): snapshots taken without anyone asking, once per day
and once per quarter however many instances run, replaced when a period is worked out again; the dashboard's
trend shows what was reported, with a later correction beside it; ``registry metrics snapshot`` by hand."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from registry import jobs
from registry.metrics import snapshots
from registry.metrics.tables import MetricIndicator, MetricSnapshot
from registry.people.tables import Organisation
from tests.integration.metrics_alliance import Built
from tests.integration.test_event_pages import make_event, sign_in_as
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import Alliance, StoppedClock

Client = AsyncTestClient  # type: ignore[type-arg]

FY = (date(2026, 4, 1), date(2027, 3, 31))
Q3 = (date(2026, 10, 1), date(2026, 12, 31))
Q2 = (date(2026, 7, 1), date(2026, 9, 30))
YTD = (date(2026, 4, 1), date(2026, 9, 30))


async def _keys() -> list[tuple[int, str, date, date]]:
    rows = await MetricSnapshot.select(
        MetricSnapshot.indicator, MetricSnapshot.scope, MetricSnapshot.period_start, MetricSnapshot.period_end
    )
    return sorted((r["indicator"], r["scope"], r["period_start"], r["period_end"]) for r in rows)


async def _expected_count(periods: int) -> int:
    return await MetricIndicator.count() * (await Organisation.count() + 1) * periods


async def test_the_job_takes_tonights_and_the_quarters_snapshots_once(
    alliance: Alliance, metrics_alliance: Built, fixed_clock: StoppedClock
) -> None:
    runs = await snapshots.run_due()  # 19 November 2026: Q2 has ended and nobody has marked it yet
    assert [(r.quarter.start if r.quarter else None, r.periods) for r in runs] == [
        (Q2[0], ("2026-07-01..2026-09-30", "2026-04-01..2026-09-30")),
        (None, ("2026-27", "2026-10-01..2026-12-31")),
    ]
    keys = await _keys()
    assert len(keys) == len(set(keys)) == await _expected_count(4)
    assert {(k[2], k[3]) for k in keys} == {FY, Q3, Q2, YTD}
    kinds = {(r["period_start"], r["kind"]) for r in await MetricSnapshot.select(MetricSnapshot.period_start,
                                                                                  MetricSnapshot.kind)}  # fmt: skip
    assert kinds == {(FY[0], "nightly"), (Q3[0], "nightly"), (Q2[0], "quarter_end"), (YTD[0], "quarter_end")}

    assert await snapshots.run_due() == []  # the same day: nothing more to do
    fixed_clock.advance(timedelta(hours=9))  # 19:00: still the same day
    assert await snapshots.run_due() == []

    fixed_clock.advance(timedelta(hours=6))  # past midnight: tonight's snapshot, the quarter stays done
    [night] = await snapshots.run_due()
    assert night.quarter is None
    assert night.periods == ("2026-27", "2026-10-01..2026-12-31")
    assert await _keys() == keys  # replaced, not added
    taken = {
        r["period_start"]: r["computed_at"]
        for r in await MetricSnapshot.select(MetricSnapshot.period_start, MetricSnapshot.computed_at)
    }
    assert taken[FY[0]] == taken[Q3[0]] > taken[Q2[0]]


async def test_two_instances_at_once_store_one_snapshot_each(alliance: Alliance, metrics_alliance: Built) -> None:
    await asyncio.gather(snapshots.run_due(), snapshots.run_due(), snapshots.run_due())
    keys = await _keys()
    assert len(keys) == len(set(keys)) == await _expected_count(4)


async def test_a_snapshot_holds_value_parts_breakdown_time_and_version(
    alliance: Alliance, metrics_alliance: Built
) -> None:
    code, out, err = await _cli("metrics", "snapshot", "--period", "2025-26")
    assert code == 0, err
    assert out.strip() == f"{await _expected_count(1)} snapshot(s) of CLD-2018-21 for 2025-26 stored"
    c1 = await MetricIndicator.select(MetricIndicator.id).where(MetricIndicator.code == "C1").first()
    assert c1 is not None
    row = (
        await MetricSnapshot.select()
        .where((MetricSnapshot.indicator == c1["id"]) & (MetricSnapshot.scope == ""))
        .first()
    )
    assert row is not None
    # C1 in 2025-26 (tests/integration/metrics_alliance.py): registered or associate among the active population
    assert (row["kind"], row["period_start"], row["period_end"]) == ("manual", date(2025, 4, 1), date(2026, 3, 31))
    assert row["value"] == row["numerator"] / row["denominator"]
    assert row["denominator"] == 7
    assert json.loads(row["breakdown"])  # the breakdown METRICS.md names, kept with it
    assert row["version"] == snapshots.version() != "unknown"
    dcc = (
        await MetricSnapshot.select(MetricSnapshot.denominator)
        .where((MetricSnapshot.indicator == c1["id"]) & (MetricSnapshot.scope == "organisation:DCC"))
        .first()
    )
    assert dcc is not None
    assert 0 < dcc["denominator"] < 7


async def test_the_command_refuses_what_is_not_a_period_or_a_plan(alliance: Alliance) -> None:
    code, _, err = await _cli("metrics", "snapshot", "--period", "2025-27")
    assert code == 2
    assert "2025-27 is not a financial year" in err
    code, _, err = await _cli("metrics", "snapshot", "--period", "2025-26", "--plan", "NOPE")
    assert code == 2
    assert "NOPE is not a plan of the registry" in err
    assert await MetricSnapshot.count() == 0


def _trend_rows(html: str, code: str) -> list[tuple[str, str, str, str]]:
    card = html[html.index(f'data-code="{code}"') :]
    table = card[card.index('data-testid="trend-table"') : card.index("</table>")]
    cells = re.findall(
        r'data-testid="trend-row"><th[^>]*>([^<]+)</th><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>'
        r'<td[^>]*data-testid="correction">([^<]+)</td>',
        table,
    )
    return [tuple(c) for c in cells]


async def test_the_dashboard_trend_shows_what_was_reported_and_a_later_correction_beside_it(
    client: Client, alliance: Alliance, metrics_alliance: Built
) -> None:
    await sign_in_as(client, "lead@example.org")
    before = (await client.get("/metrics?period=2025-26")).text
    # Nothing snapshotted: every period is worked out now, and says so.
    assert {row[2] for row in _trend_rows(before, "B1")} == {"Not snapshotted: worked out now"}
    b1_now = _trend_rows(before, "B1")[-1][1]

    assert (await _cli("metrics", "snapshot", "--period", "2025-26"))[0] == 0
    # A partner organisation records an event of 2025-26 late: B1 (learning opportunities) goes up by one.
    await make_event("Late-recorded session", date(2026, 2, 10))
    after = (await client.get("/metrics?period=2025-26")).text
    label, reported, taken, corrected = _trend_rows(after, "B1")[-1]
    assert label == "2025-26"
    assert reported == b1_now  # what was reported, not silently rewritten
    assert taken == "Snapshot of 19 Nov 2026"
    assert corrected == f"Now {int(b1_now) + 1}, up 1 since"
    assert 'data-testid="corrected"' in after
    # The periods never snapshotted are still worked out now; a period that has not moved shows no correction.
    assert _trend_rows(after, "B1")[0][2:] == ("Not snapshotted: worked out now", "None")
    assert _trend_rows(after, "C1")[-1][3] == "None"


async def test_a_partner_admin_reads_their_own_organisations_snapshots(
    client: Client, alliance: Alliance, metrics_alliance: Built
) -> None:
    assert (await _cli("metrics", "snapshot", "--period", "2025-26"))[0] == 0
    b1 = await MetricIndicator.select(MetricIndicator.id).where(MetricIndicator.code == "B1").first()
    assert b1 is not None
    # The organisation's snapshot says 40 (as if the events had been recorded then and removed since).
    await MetricSnapshot.update({MetricSnapshot.value: 40}).where(
        (MetricSnapshot.indicator == b1["id"]) & (MetricSnapshot.scope == "organisation:DCC")
    )
    await sign_in_as(client, "admin.dcc@example.org")
    row = _trend_rows((await client.get("/metrics?period=2025-26")).text, "B1")[-1]
    assert row[1] == "40"
    corrected = re.fullmatch(r"Now (\d+), down (\d+) since", row[3])
    assert corrected is not None
    assert int(corrected[1]) + int(corrected[2]) == 40
    await sign_in_as(client, "lead@example.org")
    whole = _trend_rows((await client.get("/metrics?period=2025-26")).text, "B1")[-1]
    assert whole[1] != "40"
    assert whole[3] == "None"


async def test_the_scheduled_job_reports_what_it_did(alliance: Alliance, metrics_alliance: Built) -> None:
    result = await jobs.snapshot_metrics()
    assert result.startswith(f"{await _expected_count(2)} snapshot(s) of 2026-07-01..2026-09-30, 2026-04-01..")
    assert "1 quarterly report(s) queued" in result  # one lead in the test alliance
    assert result.endswith("snapshot(s) of 2026-27, 2026-10-01..2026-12-31")
    assert await jobs.snapshot_metrics() == "nothing due"
