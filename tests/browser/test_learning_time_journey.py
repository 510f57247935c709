"""Journey: a practitioner asks for protected time for a course; her line manager sees it waiting on his team
view and approves it; she logs the learning, and her balance shows it used."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from registry import clock
from tests.browser.conftest import LiveServer
from tests.browser.pages import Header, SignInPage, fill_date
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def _sign_in(page: Page, email: str) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in(email, PASSWORD)


def test_request_approval_log_and_balance(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    today = clock.today().isoformat()  # the learning is logged once done: today at the latest

    # Eilidh (17.5 h a week: 17.5 h of protected time this year) asks for 6 h.
    _sign_in(page, "eilidh@example.org")
    page.goto(f"/practitioners/{eilidh}")
    page.get_by_test_id("learning-time-link").click()
    expect(page.get_by_test_id("entitlement-hours")).to_have_text("17.5 hours")
    expect(page.get_by_test_id("remaining-hours")).to_have_text("17.5 hours")
    page.get_by_test_id("ask-for-time").click()
    with page.expect_navigation():
        page.get_by_test_id("send-request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link").first.click()  # the summary's links take the keyboard to the field
    page.get_by_label("What is the learning?").fill("Trauma-informed facilitation course")
    page.get_by_label("Kind of learning").select_option("course")
    fill_date(page, "First day", today)
    page.get_by_label("Hours of protected time").fill("6")
    page.get_by_label("C3 ", exact=False).first.check()
    page.get_by_label("What is it for? (optional)").fill("Running safer groups")
    page.get_by_test_id("send-request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to your line manager")
    expect(page.get_by_test_id("request-status")).to_have_text("Waiting for a decision")
    Header(page).sign_out()

    # Graham sees it waiting on his team view, and approves it.
    _sign_in(page, "graham@example.org")
    Header(page).nav_link("Learning time").click()
    row = page.get_by_test_id("team-row").filter(has_text="Eilidh Morrison")
    expect(row.get_by_test_id("remaining")).to_have_text("17.5")
    page.get_by_test_id("awaiting-requests").click()
    page.get_by_role("link", name="Trauma-informed facilitation course").click()
    page.get_by_label("Approve").check()
    page.get_by_label("Note to Eilidh").fill("Yes — share what you learn at the team meeting")
    page.get_by_test_id("save-decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("approved")
    expect(page.get_by_test_id("booked-hours")).to_contain_text("6 hours")
    Header(page).sign_out()

    # Eilidh logs the learning: the 6 h move from booked to used.
    _sign_in(page, "eilidh@example.org")
    page.goto(f"/practitioners/{eilidh}/learning-time")
    expect(page.get_by_test_id("booked-hours")).to_contain_text("6 hours")
    expect(page.get_by_test_id("remaining-hours")).to_have_text("11.5 hours")
    page.get_by_role("link", name="Trauma-informed facilitation course").click()
    expect(page.get_by_test_id("decision")).to_contain_text("share what you learn")
    page.get_by_label("Reflection (optional)").fill("I now check in with each group before we start")
    page.get_by_test_id("log-request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trauma-informed facilitation course")
    page.goto(f"/practitioners/{eilidh}/learning-time")
    expect(page.get_by_test_id("used-hours")).to_have_text("6 hours")
    expect(page.get_by_test_id("booked-hours")).to_contain_text("0 hours")
    expect(page.get_by_test_id("remaining-hours")).to_have_text("11.5 hours")
    expect(page.get_by_test_id("time-requests")).to_contain_text("Logged")
