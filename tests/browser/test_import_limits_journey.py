"""Journey: a lead uploads a file far over the limit and gets the import page back with what to do, then a
file of thousands of bad rows and downloads every problem as CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser
HEADER = b"email,given_name,family_name,organisation,contract,weekly_hours,started_on\n"


def test_a_lead_meets_the_limits_of_an_import(page: Page, alliance: Alliance) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("lead@example.org", PASSWORD)
    page.goto("/import")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "huge.csv", "mimeType": "text/csv", "buffer": HEADER + b"x" * (12 * 1024 * 1024)}]
    )
    page.get_by_test_id("import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from a spreadsheet")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The selected file must be smaller than 5 MB")

    rows = b"".join(f"p{n}@example.org,P,{n},NOPE,full_time,35,2024-01-01\n".encode() for n in range(1500))
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": HEADER + rows}]
    )
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("more-problems")).to_contain_text("and 1,400 more.")
    with page.expect_download() as download:
        page.get_by_test_id("problems-csv").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1501  # the header and every problem
