"""Journeys through the registry in Chromium: what a lead, a practitioner and a keyboard user actually do."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import ErrorPage, ImportPage, PractitionerPage, PractitionersPage, SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser

HEADER = "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n"
# Line 1 is the header row, so the three people are on lines 2, 3 and 4; Callum's hours are on line 3.
NEW_PRACTITIONERS = [
    "morag.kinnear@example.org,Morag,Kinnear,DCC,full_time,35,2024-08-19",
    "callum.reid@example.org,Callum,Reid,DCC,part_time,{callum_hours},2024-09-02",
    "priya.sharma@example.org,Priya,Sharma,DCC,sessional,8,2025-01-13",
]


def _csv(tmp_path: Path, name: str, callum_hours: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row.format(callum_hours=callum_hours) + "\n" for row in NEW_PRACTITIONERS))
    return path


def _sign_in(page: Page, email: str) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in(email, PASSWORD)


def test_a_lead_fixes_a_bad_row_and_imports_new_practitioners(page: Page, tmp_path: Path) -> None:
    _sign_in(page, "lead@example.org")
    practitioners = PractitionersPage(page)
    expect(practitioners.header.signed_in_as).to_contain_text("Lead")

    practitioners.header.nav_link("Import").click()
    importer = ImportPage(page)
    expect(importer.heading).to_be_visible()

    importer.upload("Practitioners", _csv(tmp_path, "new-starters.csv", callum_hours="75"))
    expect(importer.error_summary).to_be_visible()
    expect(importer.error_summary).to_contain_text("There is a problem")
    expect(importer.error_summary).to_contain_text("The file has 1 problem(s). Nothing was imported.")
    expect(importer.problems).to_contain_text("Problems in new-starters.csv")
    expect(importer.problem_lines).to_have_text(["line 3: weekly_hours: must be 60 or less"])
    expect(importer.result).to_have_count(0)

    # All or nothing: the good rows on lines 2 and 4 were not imported either.
    practitioners.goto()
    practitioners.search("Kinnear")
    expect(practitioners.empty).to_have_text("No practitioners found")
    expect(practitioners.table).to_have_count(0)

    importer.goto()
    importer.upload("Practitioners", _csv(tmp_path, "new-starters-fixed.csv", callum_hours="21"))
    expect(importer.error_summary).to_have_count(0)
    expect(importer.problems).to_have_count(0)
    expect(importer.result).to_have_text("new-starters-fixed.csv imported: 3 created, 0 updated")

    practitioners.goto()
    expect(practitioners.result_count).to_have_text("Showing 1 to 8 of 8 practitioners")
    practitioners.search("Kinnear")
    expect(practitioners.rows).to_have_count(1)
    expect(practitioners.result_count).to_have_text("Showing 1 to 1 of 1 practitioner")
    practitioners.row_link("Kinnear, Morag").click()
    expect(PractitionerPage(page).name).to_have_text("Morag Kinnear")


def test_a_practitioner_sees_only_their_own_record(page: Page, alliance: Alliance) -> None:
    _sign_in(page, "eilidh@example.org")
    own = PractitionerPage(page)
    expect(page).to_have_url("/")  # her home page: what needs her
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you")
    own.header.nav_link("My record").click()
    expect(page).to_have_url(f"/practitioners/{alliance.practitioner_ids['eilidh@example.org']}")
    expect(own.name).to_have_text("Eilidh Morrison")
    expect(own.header.nav_link("My record")).to_be_visible()
    expect(own.header.nav_link("Import")).to_have_count(0)

    practitioners = PractitionersPage(page)
    practitioners.goto()
    expect(practitioners.rows).to_have_count(1)
    expect(practitioners.rows).to_contain_text(["Morrison, Eilidh"])
    expect(practitioners.result_count).to_have_text("Showing 1 to 1 of 1 practitioner")

    # Someone else's record is "not found", not "forbidden": it does not reveal who is recorded.
    error = ErrorPage(page)
    response = page.goto(f"/practitioners/{alliance.practitioner_ids['graham@example.org']}")
    assert response is not None
    assert response.status == 404
    expect(error.heading).to_have_text("Page not found")
    expect(page.get_by_text("Graham Baxter")).to_have_count(0)

    response = page.goto(ImportPage.url)
    assert response is not None
    assert response.status == 403
    expect(error.heading).to_have_text("You do not have access to this page")
    expect(page.get_by_test_id("import")).to_have_count(0)

    page.goto("/me")
    own.header.sign_out()
    expect(SignInPage(page).heading).to_be_visible()
    page.goto("/me")
    expect(page).to_have_url("/sign-in?next=%2Fme")


def test_signing_in_with_the_keyboard_only(page: Page) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()

    page.keyboard.press("Tab")
    expect(sign_in.skip_link).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(sign_in.email).to_be_focused()

    page.keyboard.type("lead@example.org")
    page.keyboard.press("Tab")
    expect(sign_in.password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(lambda url: "/sign-in" not in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    practitioners = PractitionersPage(page)
    practitioners.goto()
    expect(practitioners.header.signed_in_as).to_contain_text("Lead")
    expect(practitioners.result_count).to_have_text("Showing 1 to 5 of 5 practitioners")
