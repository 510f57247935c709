"""Journey: a practitioner books with an access need and sees the booking marked in the events list; the
host opens "Who has booked", reads the need and downloads the list as CSV."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import Header, SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def test_booking_with_an_access_need_reaches_the_host(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    async def setup() -> int:
        from tests.integration.test_event_pages import make_event

        return (await make_event("Community forum", date.today() + timedelta(days=15))).id

    event_id = live_server.run(setup())
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("eilidh@example.org", PASSWORD)
    page.goto(f"/events/{event_id}")
    page.get_by_label("Access or dietary needs (optional)").fill("A hearing loop, please")
    page.get_by_test_id("book").click()
    expect(page.get_by_role("heading", name="Your place is confirmed")).to_be_visible()
    Header(page).nav_link("Events").click()
    row = page.get_by_test_id("event-row").filter(has_text="Community forum")
    expect(row.get_by_test_id("own-booking")).to_have_text("Booked")
    Header(page).sign_out()

    sign_in.sign_in("admin.dcc@example.org", PASSWORD)
    page.goto(f"/events/{event_id}")
    page.get_by_test_id("roster-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has booked")
    expect(page.get_by_test_id("roster-row")).to_contain_text("A hearing loop, please")
    with page.expect_download() as download:
        page.get_by_test_id("roster-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Eilidh Morrison,Dundee City Council,Booked,,\"A hearing loop, please\"" in text
