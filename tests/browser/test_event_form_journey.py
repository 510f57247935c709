"""Journey: a host creates an event through the form, typing each session's date into GOV.UK's day, month and
year boxes; a date that does not exist is named in the error summary, which takes the keyboard to the row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import SignInPage, fill_date
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def test_a_host_types_session_dates_into_day_month_and_year(
    page: Page, live_server: LiveServer, alliance: Alliance
) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("admin.dcc@example.org", PASSWORD)
    page.goto("/events/new")
    page.get_by_label("Title").fill("Facilitating community conversations")
    page.get_by_label("In person").check()
    page.get_by_label("Venue").fill("Lochee Community Hub, Dundee")
    page.get_by_label("Number of places").fill("15")
    first = page.get_by_role("group", name="Session 1", exact=True)
    first.get_by_label("Day", exact=True).fill("31")
    first.get_by_label("Month", exact=True).fill("11")
    first.get_by_label("Year", exact=True).fill(str(date.today().year + 1))
    first.get_by_label("Starts", exact=True).fill("10:00")
    first.get_by_label("Ends", exact=True).fill("12:30")
    page.locator('input[name="competences"][value="C2"]').check()
    with page.expect_navigation():
        page.get_by_test_id("save-event").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date of session 1 must be a real date, for example 8 12 2026")
    expect(first.get_by_label("Day", exact=True)).to_have_value("31")  # what was typed is kept
    summary.get_by_role("link", name="The date of session 1").click()
    expect(first.get_by_label("Day", exact=True)).to_be_focused()

    held_on = date.today() + timedelta(days=40)
    fill_date(page, "Session 1", held_on.isoformat())
    fill_date(page, "Last day to book (optional)", (held_on - timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.get_by_test_id("save-event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facilitating community conversations")
    expect(page.get_by_test_id("sessions")).to_contain_text(f"{held_on.day} {held_on:%B %Y}")
    page.goto(page.url.split("?")[0] + "/edit")  # the boxes come back filled from the stored event
    expect(first.get_by_label("Day", exact=True)).to_have_value(str(held_on.day))
    expect(first.get_by_label("Year", exact=True)).to_have_value(str(held_on.year))
