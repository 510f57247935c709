"""Journey: DCC's partner admin opens "Sign-ins", finds a colleague, makes them a line manager, suspends them
after confirming, sees that they can no longer sign in, and restores them; an admin invites a lead."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import Header, SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


async def _colleague() -> None:
    from registry.accounts import service as accounts
    from registry.accounts.passwords import hash_password
    from registry.accounts.tables import User

    user_id = await accounts.create_user("sam.dcc@example.org", "Sam Dundee", "practitioner", "DCC")
    await User.update({User.password_hash: await hash_password(PASSWORD)}).where(User.id == user_id)


def test_a_partner_admin_manages_a_colleagues_sign_in(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    live_server.run(_colleague())
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("admin.dcc@example.org", PASSWORD)
    Header(page).nav_link("Sign-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-ins")
    page.get_by_label("Name or email address").fill("sam")
    page.get_by_test_id("apply-user-filters").click()
    expect(page.get_by_test_id("user-row")).to_have_count(1)
    page.get_by_role("link", name="Sam Dundee").click()

    role = page.get_by_label("Role", exact=True)
    expect(role.locator("option")).to_have_count(3)  # up to a partner admin's own role
    role.select_option("manager")
    page.get_by_test_id("change-role").click()
    expect(page.get_by_test_id("done")).to_contain_text("The role has been changed.")
    expect(page.get_by_test_id("user-summary")).to_contain_text("Line manager")

    page.get_by_test_id("suspend").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to suspend Sam Dundee?")
    page.get_by_role("button", name="Yes, suspend the sign-in").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("done")).to_contain_text("The sign-in is suspended")

    other = page.context.browser.new_page(base_url=live_server.url)  # type: ignore[union-attr]
    try:
        sam = SignInPage(other)
        sam.goto()
        sam.email.fill("sam.dcc@example.org")
        sam.password.fill(PASSWORD)
        sam.sign_in_button.click()
        expect(other.locator(".govuk-error-summary")).to_contain_text("Your sign-in is suspended")
    finally:
        other.close()

    page.get_by_test_id("restore").click()
    expect(page.get_by_test_id("done")).to_contain_text("they can sign in again")


def test_an_admin_invites_a_lead(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("admin@example.org", PASSWORD)
    page.goto("/admin/users")
    page.get_by_test_id("invite-user").click()
    page.get_by_test_id("send-invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address")
    page.get_by_label("Email address").fill("new.lead@example.org")
    page.get_by_label("Name").fill("New Lead")
    page.get_by_label("Role").select_option("lead")
    page.get_by_test_id("send-invitation").click()
    expect(page.get_by_test_id("done")).to_contain_text("The invitation has been sent.")
    expect(page.get_by_test_id("user-summary")).to_contain_text("Invited, not signed in yet")
