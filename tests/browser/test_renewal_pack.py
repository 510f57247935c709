"""The renewal evidence pack in Chromium: printed (or saved as PDF), only the record is left."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from registry.accounts.rules import Role
from registry.learning import service
from registry.learning.schemas import GoalIn, LearningRecordIn
from tests.browser.conftest import LiveServer
from tests.browser.pages import SignInPage
from tests.support import PASSWORD, Alliance, as_viewer

pytestmark = pytest.mark.browser

EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)


async def _learning(pid: int) -> None:
    await service.add_goal(EILIDH, pid, GoalIn(title="Grow my group-work practice"))
    await service.create_record(
        EILIDH,
        pid,
        LearningRecordIn(title="Youth work conference", kind="conference", completed_on="2025-06-10", hours=6,
                         competences=["C3"], reflection="I will plan sessions with the young people."),
    )  # fmt: skip


def test_the_printed_pack_is_only_the_record(
    page: Page, live_server: LiveServer, alliance: Alliance, tmp_path: Path
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    live_server.run(_learning(pid))
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("eilidh@example.org", PASSWORD)
    page.goto(f"/practitioners/{pid}/renewal-pack")

    # On screen, with JavaScript: the print button, not the fallback sentence.
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional learning record: Eilidh Morrison")
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    expect(page.get_by_test_id("print-fallback")).to_be_hidden()
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    # The scripts are files the Content-Security-Policy allows: GOV.UK Frontend started, the button prints.
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    expect(page.locator('[data-module="govuk-service-navigation"][data-govuk-service-navigation-init]')).to_have_count(
        1
    )
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Print or save as PDF").click()
    expect(page.locator("body[data-printed=yes]")).to_have_count(1)

    page.emulate_media(media="print")
    for chrome in ("banner", "contentinfo"):
        expect(page.get_by_role(chrome)).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the learning log")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    expect(page.get_by_role("link", name="Download CSV")).to_be_hidden()
    expect(page.get_by_test_id("pack-activity")).to_contain_text("I will plan sessions with the young people.")
    expect(page.get_by_test_id("pack-goals")).to_contain_text("Grow my group-work practice")
    pdf = page.pdf(path=str(tmp_path / "pack.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
