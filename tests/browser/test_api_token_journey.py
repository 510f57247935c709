"""Journey: a lead makes an API token for a script from the header's "API tokens" link, copies it (shown
once), sees that the script used it, and revokes it after confirming."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import ApiTokensPage, RevokeApiTokenPage, SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def test_a_lead_makes_uses_and_revokes_an_api_token(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("lead@example.org", PASSWORD)
    tokens = ApiTokensPage(page)
    page.get_by_test_id("api-tokens-link").click()
    expect(tokens.heading).to_have_text("API tokens")
    expect(tokens.none).to_be_visible()
    expect(tokens.days).to_have_value("90")

    tokens.days.fill("0")
    with page.expect_navigation():
        tokens.create_button.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a number of days from 1 to 366")

    tokens.create("monthly statistics", "30")
    expect(tokens.banner).to_contain_text("it will not be shown again")
    secret = tokens.new_token.inner_text().strip()
    api = httpx.get(f"{live_server.url}/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200

    page.goto(tokens.url)
    expect(tokens.new_token).to_have_count(0)
    expect(tokens.rows).to_have_count(1)
    expect(tokens.rows.first).to_contain_text("monthly statistics")
    expect(tokens.rows.first.locator("td").nth(3)).not_to_have_text("Never")

    tokens.revoke("monthly statistics")
    confirm = RevokeApiTokenPage(page)
    expect(confirm.heading).to_have_text("Are you sure you want to revoke “monthly statistics”?")
    confirm.confirm()
    expect(tokens.banner).to_contain_text("The token has been revoked")
    expect(tokens.none).to_be_visible()
    refused = httpx.get(f"{live_server.url}/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
