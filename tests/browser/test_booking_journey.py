"""Journey: a practitioner finds and books an event; a second joins its waiting list and gets the place
when the first cancels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from registry import clock
from tests.browser.conftest import LiveServer
from tests.browser.pages import BookingsPage, CancelBookingPage, EventPage, EventsPage, SignInPage
from tests.integration.test_event_pages import add_practitioner_sign_in, make_event
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser

TITLE = "Community mapping walk"


def _sign_in(page: Page, email: str) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in(email, PASSWORD)


def test_booking_the_waiting_list_and_a_cancellation(page: Page, live_server: LiveServer, alliance: Alliance) -> None:
    async def setup() -> None:
        await make_event(TITLE, clock.today() + timedelta(days=10), (10, 0), capacity=1, topics=["mapping"])
        await make_event("Participatory budgeting", clock.today() + timedelta(days=12))
        await add_practitioner_sign_in("ross@example.org", "Ross Walker")

    live_server.run(setup())

    # Eilidh finds the event with the listing's search and books the only place.
    _sign_in(page, "eilidh@example.org")
    events = EventsPage(page)
    events.header.nav_link("Events").click()
    expect(events.rows).to_have_count(2)
    events.search("mapping")
    expect(events.rows).to_have_count(1)
    events.open(TITLE)
    event = EventPage(page)
    expect(event.title).to_have_text(TITLE)
    expect(event.sessions).to_contain_text("10am to 12pm")
    expect(event.book_button).to_have_text("Book a place")
    event.book()
    expect(event.banner).to_contain_text("Your place is confirmed")
    expect(event.booking_status).to_have_text("Confirmed")
    expect(event.places_left).to_contain_text("Full – join the waiting list")
    event.header.sign_out()

    # Ross finds it full and joins the waiting list.
    _sign_in(page, "ross@example.org")
    events.goto()
    expect(events.rows.filter(has_text=TITLE)).to_contain_text("Full – join the waiting list")
    events.open(TITLE)
    expect(event.book_button).to_have_text("Join the waiting list")
    event.book()
    expect(event.banner).to_contain_text("You are on the waiting list")
    expect(event.booking_status).to_have_text("On the waiting list")
    event.header.sign_out()

    # Eilidh cancels from My bookings, through the confirmation page.
    _sign_in(page, "eilidh@example.org")
    bookings = BookingsPage(page)
    bookings.header.nav_link("My bookings").click()
    expect(bookings.status(TITLE)).to_have_text("Confirmed")
    bookings.cancel(TITLE)
    confirmation = CancelBookingPage(page)
    expect(confirmation.heading).to_have_text("Are you sure you want to cancel your booking?")
    confirmation.confirm()
    expect(bookings.banner).to_contain_text("The booking has been cancelled")
    expect(bookings.status(TITLE)).to_have_text("Cancelled")
    bookings.header.sign_out()

    # The place went to Ross.
    _sign_in(page, "ross@example.org")
    bookings.goto()
    expect(bookings.status(TITLE)).to_have_text("Confirmed")
