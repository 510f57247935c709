"""Journey: an alliance lead opens the workforce metrics, changes the period, reads a card's trend as a table
with the keyboard, follows a card to its breakdown, narrows it to one organisation and goes back to the
dashboard with the same filters. The data is the hand-built alliance of tests/integration/metrics_alliance.py,
whose numbers tests/integration/test_metrics_definitions.py works out by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import Header, SignInPage
from tests.integration.metrics_alliance import build_metrics_alliance
from tests.support import FIXED_NOW, PASSWORD, Alliance, StoppedClock, TestDatabases

pytestmark = pytest.mark.browser


@pytest.fixture
def metrics_data(
    live_server: LiveServer, databases: TestDatabases, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = StoppedClock(monkeypatch, FIXED_NOW)  # the server's clock too: it runs in this process

    async def build(base: Alliance | None) -> None:
        assert base is not None
        await build_metrics_alliance(base, clock)

    live_server.run(databases.fresh_built("metrics_browser", "alliance_without_tokens", build))
    clock.moment = FIXED_NOW


def _card(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid="indicator-card"][data-code="{code}"]')


def test_a_lead_reads_the_dashboard_and_a_breakdown(page: Page, metrics_data: None) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("lead@example.org", PASSWORD)
    Header(page).nav_link("Metrics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce metrics against the strategy")
    period = page.get_by_label("Period", exact=True)
    expect(period).to_have_value("2026-27")  # this financial year, by default

    period.fill("2025-26")
    page.get_by_test_id("apply-filters").click()
    expect(page.get_by_test_id("dashboard-summary")).to_contain_text(
        "2025-26 (1 April 2025 to 31 March 2026) compared with 2024-25"
    )
    expect(page.get_by_test_id("action")).to_have_count(4)
    expect(page.get_by_test_id("indicator-card")).to_have_count(11)
    a2 = _card(page, "A2")
    expect(a2.get_by_test_id("value")).to_have_text("3")
    expect(a2.get_by_test_id("baseline")).to_have_text("2")
    expect(a2.get_by_test_id("change")).to_contain_text("Up 1")
    expect(a2.get_by_test_id("verdict")).to_have_text("Better")
    c1 = _card(page, "C1")
    expect(c1.get_by_test_id("value")).to_have_text("28.6%")
    expect(c1.get_by_test_id("parts")).to_have_text("2 of 7 people")
    expect(c1.get_by_test_id("verdict")).to_have_text("Worse")

    # The trend as a table, opened from the keyboard.
    b1 = _card(page, "B1")
    expect(b1.get_by_role("img", name="B1 over the last 5 periods")).to_be_visible()
    b1.locator("summary", has_text="Show the trend as a table").focus()
    page.keyboard.press("Enter")
    table = b1.get_by_test_id("trend-table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="2024-25 1")).to_be_visible()
    expect(table.get_by_role("row", name="2025-26 3")).to_be_visible()

    a2.get_by_role("link", name="Breakdown of A2").click()
    expect(page.get_by_test_id("breakdown-heading")).to_have_text(
        "A2 More partners are involved in collaborative learning activities"
    )
    per_organisation = page.get_by_role("table", name="Per organisation")
    expect(per_organisation.get_by_role("row", name="DCC Dundee City Council 4 2")).to_be_visible()
    expect(per_organisation.get_by_role("row")).to_have_count(4)  # the header and DCC, FIFE, NHST

    page.get_by_label("Organisation", exact=True).select_option(label="Fife Council")
    page.get_by_test_id("apply-filters").click()
    expect(page.get_by_test_id("scope").first).to_have_text("FIFE")
    expect(page.get_by_test_id("value")).to_have_text("1")  # Amira, at the collaborative E1
    expect(page.get_by_role("table", name="Per organisation").get_by_role("row")).to_have_count(2)

    page.get_by_test_id("back-to-dashboard").click()
    expect(page.get_by_label("Period", exact=True)).to_have_value("2025-26")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("FIFE")
    expect(_card(page, "B1").get_by_test_id("value")).to_have_text("1")  # FIFE hosted E2


def test_a_lead_exports_the_participation_statistics_and_finds_it_in_the_audit_log(
    page: Page, metrics_data: None
) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("lead@example.org", PASSWORD)
    Header(page).nav_link("Exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export statistics")
    page.get_by_label("Period", exact=True).fill("2025-26")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("")  # All organisations
    page.get_by_label("Organisation", exact=True).select_option(label="Dundee City Council")
    expect(page.get_by_label("Hide counts under")).to_have_value("5")
    page.get_by_label("Hide counts under").fill("1")
    page.get_by_test_id("download-export").click()  # no purpose yet, k too small: the form says what to fix
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say what the file is for")
    expect(summary).to_contain_text("Enter a whole number from 2 to 100")
    summary.get_by_role("link", name="Enter a whole number from 2 to 100", exact=False).click()
    expect(page.get_by_label("Hide counts under")).to_be_focused()
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("DCC")  # kept as chosen
    page.get_by_label("Hide counts under").fill("2")
    page.get_by_label("What is it for?").fill("Partnership board, quarter 3")
    with page.expect_download() as download:
        page.get_by_test_id("download-export").click()
    assert download.value.suggested_filename == "participation-2025-26.csv"
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("breakdown,key,name,attendances,unique_participants,hours,events")
    # DCC's attendees only, counts under 2 hidden: Eilidh in April, Graham in June, Eilidh and Ross in September.
    assert "attendee_organisation,DCC,Dundee City Council,4,3,9.5,3" in text
    assert "attendee_organisation,FIFE" not in text
    assert "period,2025-04,April 2025,<2,<2,<2,1" in text
    assert "period,2025-09,September 2025,2,2,6,1" in text
    page.goto(page.url.replace("/exports", "/audit"))
    expect(page.get_by_test_id("audit-log")).to_contain_text("Participation in 2025-26 as CSV")
    expect(page.get_by_test_id("audit-log")).to_contain_text("Purpose: Partnership board, quarter 3")


def test_a_lead_prints_the_report_for_the_board(page: Page, metrics_data: None, tmp_path: Path) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("lead@example.org", PASSWORD)
    page.goto("/metrics?period=2025-26")
    expect(_card(page, "D1").get_by_test_id("value")).to_have_text("2")  # on the lead's own screen
    page.get_by_test_id("report-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(": 2025-26")
    expect(page.get_by_test_id("report-action")).to_have_count(4)
    d1 = page.locator('[data-testid="report-row"][data-code="D1"]')
    expect(d1.get_by_test_id("value")).to_have_text("<5")  # leaving it: suppressed
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Print or save as PDF").focus()
    page.keyboard.press("Enter")
    expect(page.locator("body[data-printed=yes]")).to_have_count(1)

    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    breaks = page.get_by_test_id("report-action").evaluate_all("all => all.map(s => getComputedStyle(s).breakBefore)")
    assert breaks == ["page"] * 4
    pdf = page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 4  # each action starts a page of its own
