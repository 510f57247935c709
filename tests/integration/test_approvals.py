"""Approvals where managers look for them (issue 15, point 3): "To approve" in the navigation with the count,
waiting bookings first, Approve or Decline with a reason mailed to the practitioner, and a banner naming whose
booking it was — on the pages and through the API."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from litestar.testing import AsyncTestClient

from registry.events.tables import Booking, BookingHistory
from registry.notify.tables import OutboxMessage
from tests.integration.test_event_pages import book_for, make_event, sign_in_as
from tests.support import Alliance, StoppedClock, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


def _nav(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'govuk-service-navigation__link"[^>]*>\s*([^<]+?)\s*<', html)]


async def _mail_to(email: str) -> list[dict[str, str]]:
    return list(await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text).where(
        OutboxMessage.to_email == email
    ).order_by(OutboxMessage.id))  # fmt: skip


async def test_a_manager_finds_approvals_first_and_approves_with_a_banner_naming_whose(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    later = await make_event("Later confirmed event", date(2027, 2, 1))
    await book_for(alliance, later.id, "ross@example.org")
    needs = await make_event("Needs approval", date(2026, 12, 14), requires_approval=True)
    booking = await book_for(alliance, needs.id, "eilidh@example.org")
    await sign_in_as(client, "graham@example.org")
    home = (await client.get("/events")).text
    assert "To approve (1)" in _nav(home)
    team = (await client.get("/bookings?team=1")).text
    rows = re.findall(r'data-testid="booking-row">.*?<a class="govuk-link" href="/events/(\d+)">', team, re.S)
    assert rows[0] == str(needs.id)  # waiting for approval first, though its event starts earlier
    assert "those waiting for your approval first" in team

    csrf = str(client.cookies["csrftoken"])
    done = await client.post(f"/bookings/{booking}/approve", data={"_csrf_token": csrf})
    assert "Eilidh Morrison's booking on Needs approval is approved: the place is confirmed" in unescape(done.text)
    assert "To approve" in _nav(done.text)  # still there for a manager, without a count
    assert "To approve (1)" not in _nav(done.text)


async def test_declining_needs_a_reason_which_is_mailed_to_the_practitioner(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    needs = await make_event("Needs approval", date(2026, 12, 14), requires_approval=True)
    booking = await book_for(alliance, needs.id, "eilidh@example.org")
    before = len(await _mail_to("eilidh@example.org"))
    csrf = await sign_in_as(client, "graham@example.org")
    form = await client.get(f"/bookings/{booking}/decline")
    assert "Decline Eilidh Morrison’s booking" in form.text
    empty = await client.post(f"/bookings/{booking}/decline", data={"_csrf_token": csrf, "reason": "   "})
    assert empty.status_code == 400
    assert "govuk-error-summary" in empty.text
    assert "Say why you are declining it" in empty.text
    assert (await Booking.select(Booking.status).where(Booking.id == booking).first()) == {"status": "pending_approval"}

    done = await client.post(
        f"/bookings/{booking}/decline", data={"_csrf_token": csrf, "reason": "We are short-staffed that week."},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code in {302, 303}
    page = await client.get(done.headers["location"])
    assert "Eilidh Morrison's booking on Needs approval is declined" in unescape(page.text)
    assert (await Booking.select(Booking.status).where(Booking.id == booking).first()) == {"status": "cancelled"}
    history = await BookingHistory.select(BookingHistory.note, BookingHistory.by_email).where(
        (BookingHistory.booking == booking) & (BookingHistory.to_status == "cancelled")
    )
    assert history == [{"note": "declined: We are short-staffed that week.", "by_email": "graham@example.org"}]
    mails = (await _mail_to("eilidh@example.org"))[before:]
    assert [m["subject"] for m in mails] == ["Booking not approved: Needs approval"]  # not also "Cancelled:"
    assert "Their reason: We are short-staffed that week." in mails[0]["body_text"]
    again = await client.post(f"/bookings/{booking}/decline", data={"_csrf_token": csrf, "reason": "Again"})
    assert again.status_code == 409


async def test_the_api_declines_with_a_reason_and_refuses_the_practitioner(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    needs = await make_event("Needs approval", date(2026, 12, 14), requires_approval=True)
    booking = await book_for(alliance, needs.id, "eilidh@example.org")
    url = f"/api/v1/bookings/{booking}/decline"
    own = await client.post(url, json={"reason": "No"}, headers=bearer(alliance.tokens["practitioner"]))
    assert own.status_code == 403
    missing = await client.post(url, json={}, headers=bearer(alliance.tokens["manager"]))
    assert missing.status_code == 400
    assert missing.json()["detail"]
    done = await client.post(url, json={"reason": "Not this term"}, headers=bearer(alliance.tokens["manager"]))
    assert done.status_code in {200, 201}
    assert done.json()["status"] == "cancelled"
    twice = await client.post(url, json={"reason": "Not this term"}, headers=bearer(alliance.tokens["manager"]))
    assert twice.status_code == 409
