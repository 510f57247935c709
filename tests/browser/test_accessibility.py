"""axe-core finds no serious or critical problem on the pages issue 15 added or changed: the home pages, the
sign-in administration, approvals, the host's list and materials, the certificate, the events list, and the
printable report; with the keyboard-only journeys elsewhere, this covers each new page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import LiveServer
from tests.browser.pages import SignInPage
from tests.support import FIXED_NOW, PASSWORD, Alliance, StoppedClock

pytestmark = pytest.mark.browser


def _as(page: Page, email: str) -> None:
    page.context.clear_cookies()
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in(email, PASSWORD)


def test_the_new_pages_pass_axe(
    page: Page, live_server: LiveServer, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = StoppedClock(monkeypatch, FIXED_NOW)

    async def setup() -> dict[str, int]:
        from registry.accounts import service as accounts
        from registry.cli_viewer import COMMAND_LINE
        from registry.events import bookings, materials
        from registry.events.schemas import AttendanceItem
        from tests.integration.test_event_pages import book_for, make_event

        held = await make_event("Held on Friday", date(2026, 11, 20))
        came = await book_for(alliance, held.id, "eilidh@example.org")
        waiting = await make_event("Needs approval", date(2026, 12, 20), requires_approval=True)
        pending = await book_for(alliance, waiting.id, "eilidh@example.org")
        clock.advance(timedelta(days=2))
        await bookings.set_attendance(COMMAND_LINE, held.id, [AttendanceItem(booking_id=came, attended=True)])
        await materials.add_link(COMMAND_LINE, held.id, "Slides", "https://slides.example.org/forum")
        user = await accounts.create_user("sam.dcc@example.org", "Sam Dundee", "practitioner", "DCC")
        return {"held": held.id, "came": came, "pending": pending, "user": user}

    ids = live_server.run(setup())
    pages = {
        "eilidh@example.org": ["/", f"/bookings/{ids['came']}/certificate", f"/events/{ids['held']}", "/events"],
        "graham@example.org": ["/", "/bookings?team=1", f"/bookings/{ids['pending']}/decline"],
        "admin.dcc@example.org": [
            "/", f"/events/{ids['held']}", f"/events/{ids['held']}/bookings", f"/events/{ids['held']}/materials",
            "/admin/users", f"/admin/users/{ids['user']}", "/admin/users/new", f"/admin/users/{ids['user']}/suspend",
        ],
        "lead@example.org": ["/", "/metrics/report?period=2025-26", "/metrics?period=2025-26", "/exports", "/audit"],
        "admin@example.org": ["/"],
    }
    for email, paths in pages.items():
        _as(page, email)
        for path in paths:
            page.goto(path)
            assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/events")
    assert_accessible(page)
