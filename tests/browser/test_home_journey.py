"""Journeys from the home page: each role opens it, follows the first item and does it — a line manager
approves a booking, a partner admin marks attendance at an event held, a practitioner opens the learning a
verifier returned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import Header, SignInPage
from tests.support import FIXED_NOW, PASSWORD, Alliance, StoppedClock

pytestmark = pytest.mark.browser


def _sign_in(page: Page, email: str) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in(email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you")


def _first_item(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid="home-section"][data-key="{key}"] [data-testid="home-item"] a').first


def test_a_manager_approves_a_booking_from_the_home_page(
    page: Page, live_server: LiveServer, alliance: Alliance
) -> None:
    async def setup() -> None:
        from tests.integration.test_event_pages import book_for, make_event

        event = await make_event("Needs approval", date.today() + timedelta(days=20), requires_approval=True)
        await book_for(alliance, event.id, "eilidh@example.org")
        await book_for(alliance, event.id, "ross@example.org")

    live_server.run(setup())
    _sign_in(page, "graham@example.org")
    item = _first_item(page, "team")
    expect(item).to_have_text("2 bookings to approve")
    item.click()
    page.get_by_role("button", name="Approve the booking of Eilidh Morrison on Needs approval").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Eilidh Morrison's booking on Needs approval is approved")

    Header(page).nav_link("To approve (1)").click()  # the navigation counts what is left
    page.get_by_role("link", name="Decline the booking of Ross Walker on Needs approval").click()
    page.get_by_role("button", name="Decline the booking").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are declining it")
    page.get_by_label("Why you are declining it").fill("We need you at the youth club that evening.")
    page.get_by_role("button", name="Decline the booking").click()
    expect(banner).to_contain_text("Ross Walker's booking on Needs approval is declined")
    page.goto("/")
    expect(page.locator('[data-key="team"]')).not_to_contain_text("to approve")


def test_a_partner_admin_marks_attendance_from_the_home_page(
    page: Page, live_server: LiveServer, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = StoppedClock(monkeypatch, FIXED_NOW)  # the server runs in this process: its clock too

    async def setup() -> None:
        from tests.integration.test_event_pages import book_for, make_event

        event = await make_event("Held on Friday", date(2026, 11, 20))
        await book_for(alliance, event.id, "eilidh@example.org")

    live_server.run(setup())
    clock.advance(timedelta(days=2))
    _sign_in(page, "admin.dcc@example.org")
    item = _first_item(page, "hosting")
    expect(item).to_have_text("Mark attendance: Held on Friday")
    item.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take attendance")
    page.get_by_label("Eilidh Morrison attended").check()
    page.get_by_test_id("save-attendance").click()
    page.goto("/")
    expect(page.locator('[data-key="hosting"]')).not_to_contain_text("Held on Friday")


def test_a_practitioner_opens_the_learning_returned_to_them(
    page: Page, live_server: LiveServer, alliance: Alliance
) -> None:
    async def setup() -> None:
        from registry.accounts.rules import Role
        from registry.learning import service as learning
        from registry.learning import verification
        from registry.learning.schemas import LearningRecordIn
        from tests.support import as_viewer

        eilidh = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
        pid = alliance.practitioner_ids["eilidh@example.org"]
        record = await learning.create_record(
            eilidh, pid, LearningRecordIn(title="Group work course", kind="course", completed_on=date.today(),
                                          hours=3, competences=["C3"]),
        )  # fmt: skip
        await verification.request_verification(eilidh, pid, record.id, "graham@example.org")
        await verification.return_record(as_viewer("graham@example.org", "Graham", Role.MANAGER), record.id, "More?")

    live_server.run(setup())
    _sign_in(page, "eilidh@example.org")
    page.get_by_role("link", name="Returned to you: Group work course").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Group work course")


def test_a_lead_publishes_a_draft_from_the_home_page(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    async def setup() -> None:
        from tests.integration.test_event_pages import make_event

        await make_event("Draft forum", date.today() + timedelta(days=30), status="draft")

    live_server.run(setup())
    _sign_in(page, "lead@example.org")
    item = _first_item(page, "hosting")
    expect(item).to_have_text("Publish: Draft forum")
    item.click()
    page.get_by_test_id("publish-event").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The event is published")
    page.goto("/")
    expect(page.locator('[data-key="hosting"]')).not_to_contain_text("Draft forum")


def test_an_admin_sends_undelivered_mail_again_from_the_home_page(
    page: Page, live_server: LiveServer, alliance: Alliance
) -> None:
    async def setup() -> None:
        from registry.db import write_tx
        from registry.notify import outbox
        from registry.notify.tables import OutboxMessage

        async with write_tx():
            await outbox.enqueue("nobody@example.org", "Hello", "Hello", "<p>Hello</p>")
        await OutboxMessage.update({OutboxMessage.status: "failed", OutboxMessage.attempts: 6}).where(
            OutboxMessage.to_email == "nobody@example.org"
        )

    live_server.run(setup())
    _sign_in(page, "admin@example.org")
    item = _first_item(page, "hosting")
    expect(item).to_have_text("1 message could not be delivered")
    item.click()
    page.get_by_role("button", name="Send again to nobody@example.org").click()
    page.goto("/")
    expect(page.locator('[data-key="hosting"]')).not_to_contain_text("could not be delivered")
