"""Journey on a phone (375 px wide): the events list puts its results first with the filters closed behind
"Filter events", a keyboard user can skip straight to the results, and no table widens the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def test_the_events_list_on_a_phone(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    async def setup() -> None:
        from tests.integration.test_event_pages import make_event

        await make_event("A session with a very long title that would otherwise widen the table", date.today()
                         + timedelta(days=9))  # fmt: skip

    live_server.run(setup())
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("lead@example.org", PASSWORD)
    page.goto("/events")
    filters = page.locator("details[data-registry-filters]")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.get_by_label("Search by title, description or topic")).to_be_hidden()
    page.get_by_text("Filter events", exact=True).click()
    expect(filters).to_have_attribute("open", "")

    page.goto("/events")
    skip = page.get_by_test_id("skip-to-results")
    for _ in range(30):  # past the page's own skip link, the header and the menu button
        page.keyboard.press("Tab")
        if skip.evaluate("el => el === document.activeElement"):
            break
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # a skip link shows itself when focused
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()

    for path in ("/events", "/practitioners", "/bookings", "/audit", "/metrics?period=2025-26"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
