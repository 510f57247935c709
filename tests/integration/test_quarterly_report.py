"""The quarterly report (issue 14, point 6): when a quarter ends the leads get, through the outbox and a real SMTP
server, a mail with the headline figures and the indicator CSV attached, once however often the job runs; it
links to the printable report, one page per action, every figure suppressed as the exports are."""

from __future__ import annotations

import csv
import io
import re
from email.message import EmailMessage
from html import unescape

from litestar.testing import AsyncTestClient

from registry import jobs
from registry.accounts import service as accounts
from registry.audit.tables import AuditEntry
from registry.cli_viewer import COMMAND_LINE
from registry.exports.indicators import COLUMNS, indicator_rows
from registry.exports.quarterly import figure_text
from registry.metrics.report import ReportAsk, metrics_report
from registry.notify import outbox
from registry.notify.mail import SmtpBackend
from tests.integration.metrics_alliance import Built
from tests.integration.test_event_pages import sign_in_as
from tests.integration.test_mail import Collector, smtp  # noqa: F401 - the real SMTP server fixture
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]
Q2 = "2026-07-01..2026-09-30"
YTD = "2026-04-01..2026-09-30"


def _attachment(message: EmailMessage) -> tuple[str, list[dict[str, str]]]:
    part = next(p for p in message.walk() if p.get_filename())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(part.get_filename()), list(csv.DictReader(io.StringIO(payload.decode("utf-8"))))


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


async def test_the_leads_get_the_quarters_figures_and_csv_once(
    smtp: tuple[Collector, SmtpBackend],  # noqa: F811
    alliance: Alliance,
    metrics_alliance: Built,
) -> None:
    collector, backend = smtp
    await outbox.deliver_due(backend)  # what building the alliance queued (invites and notices)
    collector.messages.clear()
    await accounts.create_user("second.lead@example.org", "Second Lead", "lead")
    await jobs.snapshot_metrics()
    await jobs.snapshot_metrics()  # a second run (or instance) queues nothing more
    await outbox.deliver_due(backend)
    assert sorted(str(m["To"]) for m in collector.messages) == ["lead@example.org", "second.lead@example.org"]
    message = next(m for m in collector.messages if m["To"] == "lead@example.org")
    assert "the figures for Q2 2026-27" in str(message["Subject"])

    name, rows = _attachment(message)
    assert name == "indicators-CLD-2018-21-Q2-2026-27.csv"
    assert list(rows[0]) == list(COLUMNS)
    expected = []
    for period in (Q2, YTD):
        report = await metrics_report(COMMAND_LINE, ReportAsk(period))
        expected += [{c: getattr(r, c) or "" for c in COLUMNS} for r in indicator_rows(report)]
    assert rows == expected  # one row per indicator per period, as the indicator export writes them
    assert {(r["period_start"], r["period_end"]) for r in rows} == {
        ("2026-07-01", "2026-09-30"), ("2026-04-01", "2026-09-30"),
    }  # fmt: skip
    # Year to date, B2 (participation) is one person and C2 a share of one: neither leaves as a number.
    ytd = {
        r["indicator_code"]: r for r in rows if r["period_start"] == "2026-04-01" and r["period_end"] == "2026-09-30"
    }
    assert (ytd["B2"]["value"], ytd["C2"]["value"], ytd["C2"]["numerator"]) == ("<5", "*", "<5")

    text = _text(message)
    report = await metrics_report(COMMAND_LINE, ReportAsk(Q2))
    for row in indicator_rows(report):
        assert f"{row.indicator_code} {row.indicator}: {figure_text(row.value, row.metric)}" in text
    assert "C1 Increase registration" in text
    assert ": *" in text
    assert "http://" in text
    assert "/metrics/report?plan=CLD-2018-21&period=2026-07-01..2026-09-30" in text
    assert "<5 means fewer than 5" in text

    sent = await AuditEntry.select(AuditEntry.actor_email, AuditEntry.summary).where(AuditEntry.action == "export")
    assert sent == [
        {"actor_email": "scheduler", "summary": "Quarterly report of CLD-2018-21 for Q2 2026-27 to 2 lead(s)"}
    ]


def _values(html: str) -> dict[str, str]:
    found = re.findall(r'data-testid="report-row" data-code="([^"]+)">.*?data-testid="value">([^<]+)<', html, re.S)
    return {code: unescape(value) for code, value in found}


async def test_the_printable_report_has_a_page_per_action_and_hides_small_numbers(
    client: Client, alliance: Alliance, metrics_alliance: Built
) -> None:
    await sign_in_as(client, "lead@example.org")
    dashboard = (await client.get("/metrics?period=2025-26")).text
    assert 'href="/metrics/report?period=2025-26&amp;plan=CLD-2018-21"' in dashboard
    page = await client.get("/metrics/report?period=2025-26&plan=CLD-2018-21")
    assert page.status_code == 200
    html = page.text
    assert re.findall(r'data-testid="report-action" data-code="([A-Z])"', html) == ["A", "B", "C", "D"]
    assert "registry-report__action" in html
    assert "/static/app/report.css" in html
    css = (await client.get("/static/app/report.css")).text
    assert "break-before: page" in css  # each action starts a printed page

    report = await metrics_report(COMMAND_LINE, ReportAsk("2025-26"))
    expected = {r.indicator_code: figure_text(r.value, r.metric) for r in indicator_rows(report)}
    assert _values(html) == expected
    # D1 is two people, A3 a share of one and C1 a share of two: the dashboard shows them, the report does not.
    assert (expected["D1"], expected["A3"], expected["C1"]) == ("<5", "*", "*")
    assert re.search(r'data-code="D1".*?data-testid="value">2<', dashboard, re.S)

    # D1's trend: 2025-26 (2 people) is written <5 over no bar, so its height cannot be measured either.
    chart = html[html.index('data-testid="report-indicator" data-code="D1"') :]
    chart = chart[: chart.index("</svg>")]
    bars = re.findall(r'height="([\d.]+)"></rect>\s*<text[^>]*>([^<]+)</text>\s*<text[^>]*>([^<]+)</text>', chart)
    last = bars[-1]
    assert (last[1], last[2]) == ("&lt;5", "2025-26")
    assert float(last[0]) == 0
    assert "2025-26 &lt;5" in chart  # the chart's title says it too


async def test_a_partner_admin_prints_their_own_organisation_and_bad_periods_are_refused(
    client: Client, alliance: Alliance, metrics_alliance: Built
) -> None:
    await sign_in_as(client, "admin.dcc@example.org")
    page = await client.get("/metrics/report?period=2025-26")
    assert page.status_code == 200
    assert 'data-testid="scope">' in page.text
    assert "DCC" in page.text
    refused = await client.get("/metrics/report?period=2025-26&organisation=FIFE")
    assert refused.status_code == 403
    bad = await client.get("/metrics/report?period=2025-27")
    assert bad.status_code == 400
    assert "2025-27 is not a financial year" in bad.text
    assert "govuk-error-summary" in bad.text
