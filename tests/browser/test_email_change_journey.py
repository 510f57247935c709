"""Journey: a partner admin types a new email address for Eilidh; nothing changes until Eilidh, signed in as
herself, confirms it on her record; a partner admin naming themselves line manager is told they cannot."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import Header, PractitionerPage, SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def _sign_in(page: Page, email: str) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in(email, PASSWORD)


def test_a_new_address_waits_for_the_person_to_confirm_it(page: Page, alliance: Alliance) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    _sign_in(page, "admin.dcc@example.org")
    page.goto(f"/practitioners/{eilidh}/edit")
    page.get_by_label("Email address", exact=True).fill("eilidh.morrison@example.org")
    page.get_by_test_id("save").click()
    record = PractitionerPage(page)
    expect(record.name).to_have_text("Eilidh Morrison")
    expect(page.get_by_test_id("pending-email")).to_contain_text("eilidh.morrison@example.org")
    expect(page.get_by_test_id("practitioner-record")).to_contain_text("eilidh@example.org")
    expect(page.get_by_test_id("confirm-email-change")).to_have_count(0)  # the one who asked cannot confirm

    page.goto(f"/practitioners/{eilidh}/edit")
    page.get_by_label("Line manager’s email (optional)").fill("admin.dcc@example.org")
    page.get_by_test_id("save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("you cannot make yourself someone's line manager")

    Header(page).sign_out()
    _sign_in(page, "eilidh@example.org")
    page.goto(f"/practitioners/{eilidh}")
    confirm = page.get_by_test_id("confirm-email-change")
    expect(confirm).to_have_text("Confirm my new address")
    confirm.click()
    expect(page.get_by_test_id("pending-email")).to_have_count(0)
    expect(page.get_by_test_id("practitioner-record")).to_contain_text("eilidh.morrison@example.org")
    Header(page).sign_out()
    _sign_in(page, "eilidh.morrison@example.org")
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
