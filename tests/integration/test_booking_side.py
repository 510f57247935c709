"""Booking from the practitioner's side and hosting (issue 15, points 4 and 5): bookings marked in the list
with the waiting-list place; access and dietary needs for the host only, deleted a month after the event; the
host's list of who has booked, as a page and CSV; Publish on a draft; attendance never on a draft; and a
certificate of attendance linked from the renewal pack."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
from litestar.testing import AsyncTestClient

from registry import jobs
from registry.cli_viewer import COMMAND_LINE
from registry.errors import Conflict
from registry.events import bookings
from registry.events.schemas import AttendanceItem
from registry.events.tables import Booking, Event
from tests.integration.test_event_pages import add_practitioner_sign_in, book_for, make_event, sign_in_as
from tests.support import Alliance, StoppedClock, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_the_list_and_the_event_say_where_you_stand(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    event = await make_event("One place only", date(2026, 12, 15), capacity=1)
    other = await make_event("Not booked", date(2026, 12, 16))
    for email in ("graham@example.org", "ross@example.org", "eilidh@example.org"):
        await book_for(alliance, event.id, email)
    await sign_in_as(client, "eilidh@example.org")
    listed = unescape((await client.get("/events")).text)
    row = listed[listed.index(f'href="/events/{event.id}"') :]
    assert "Waiting list: you are 2nd" in row[: row.index("</tr>")]
    row = listed[listed.index(f'href="/events/{other.id}"') :]
    assert 'data-testid="own-booking"' not in row[: row.index("</tr>")]
    page = (await client.get(f"/events/{event.id}")).text
    assert "You are 2nd on the waiting list." in page
    await add_practitioner_sign_in("ross@example.org", "Ross")
    await sign_in_as(client, "ross@example.org")
    assert "You are next on the waiting list." in (await client.get(f"/events/{event.id}")).text
    await sign_in_as(client, "graham@example.org")
    listed = (await client.get("/events")).text
    row = listed[listed.index(f'href="/events/{event.id}"') :]
    assert ">Booked</strong>" in row[: row.index("</tr>")].replace("\n", "").replace("  ", "")


async def test_access_needs_are_for_the_host_only_and_go_a_month_after(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    event = await make_event("Forum", date(2026, 12, 15))
    csrf = await sign_in_as(client, "eilidh@example.org")
    too_long = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf, "access_needs": "x" * 501})
    assert too_long.status_code == 400
    assert "500 characters or fewer" in too_long.text
    assert await Booking.count().where(Booking.event == event.id) == 0
    booked = await client.post(
        f"/events/{event.id}/book", data={"_csrf_token": csrf, "access_needs": "Step-free access, please; vegan"},
        follow_redirects=False,
    )  # fmt: skip
    assert booked.status_code in {302, 303}
    api = await client.post(
        f"/api/v1/events/{event.id}/bookings", json={"practitioner_id": alliance.practitioner_ids["ross@example.org"],
                                                     "access_needs": "=HYPERLINK(\"x\")"},
        headers=bearer(alliance.tokens["manager"]),
    )  # fmt: skip
    assert api.status_code == 201

    await sign_in_as(client, "graham@example.org")  # her manager: not the host
    for path in (f"/events/{event.id}", "/bookings?team=1"):
        assert "Step-free access" not in (await client.get(path)).text
    assert (await client.get(f"/events/{event.id}/bookings")).status_code == 403

    await sign_in_as(client, "admin.dcc@example.org")  # DCC hosts it
    roster = (await client.get(f"/events/{event.id}/bookings")).text
    assert "Step-free access, please; vegan" in roster
    download = await client.get(f"/events/{event.id}/bookings.csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert {r["name"]: r["access_needs"] for r in rows} == {
        "Eilidh Morrison": "Step-free access, please; vegan", "Ross Walker": "'=HYPERLINK(\"x\")",
    }  # fmt: skip
    assert {r["organisation"] for r in rows} == {"Dundee City Council"}

    fixed_clock.moment = fixed_clock.moment.replace(year=2027, month=1, day=14)  # 30 days after: still kept
    await jobs.clear_access_needs()
    assert await Booking.count().where(Booking.access_needs.is_not_null()) == 2
    fixed_clock.advance(timedelta(days=2))  # over a month after the event
    assert await jobs.clear_access_needs() == "2 booking(s)' access needs cleared"
    await sign_in_as(client, "admin.dcc@example.org")  # a month on: a new session
    assert "None given" in (await client.get(f"/events/{event.id}/bookings")).text


async def test_a_host_publishes_a_draft_and_attendance_is_never_on_a_draft(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    draft = await make_event("Draft forum", date(2026, 11, 20), status="draft")
    fixed_clock.advance(timedelta(days=2))  # its session is over
    with pytest.raises(Conflict, match="This event is a draft: publish it before taking attendance"):
        await bookings.set_attendance(COMMAND_LINE, draft.id, [])
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    page = (await client.get(f"/events/{draft.id}")).text
    assert 'data-testid="publish-event"' in page
    assert 'data-testid="take-attendance"' not in page
    done = await client.post(f"/events/{draft.id}/publish", data={"_csrf_token": csrf}, follow_redirects=False)
    assert done.headers["location"] == f"/events/{draft.id}?done=published"
    assert (await Event.select(Event.status).where(Event.id == draft.id).first()) == {"status": "published"}
    page = (await client.get(done.headers["location"])).text
    assert "The event is published" in page
    assert 'data-testid="take-attendance"' in page  # published and started


async def test_a_certificate_of_attendance_is_there_for_every_event_attended(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    event = await make_event("Facilitation skills", date(2026, 11, 20), hours=3, competences=["C3", "C5"])
    booking = await book_for(alliance, event.id, "eilidh@example.org")
    csrf = await sign_in_as(client, "eilidh@example.org")
    assert (await client.get(f"/bookings/{booking}/certificate")).status_code == 409  # not attended yet
    fixed_clock.advance(timedelta(days=2))
    await bookings.set_attendance(COMMAND_LINE, event.id, [AttendanceItem(booking_id=booking, attended=True)])
    csrf = await sign_in_as(client, "eilidh@example.org")
    page = unescape((await client.get(f"/bookings/{booking}/certificate")).text)
    assert "Eilidh Morrison" in page
    assert "attended Facilitation skills" in page.replace("<strong>", "").replace("</strong>", "")
    assert re.search(r'data-testid="certificate-hours">3<', page)
    assert "C3 " in page
    assert "C5 " in page
    assert "Dundee City Council" in page
    assert f'href="/bookings/{booking}/certificate"' in (await client.get("/bookings")).text
    pid = alliance.practitioner_ids["eilidh@example.org"]
    pack = (await client.get(f"/practitioners/{pid}/renewal-pack")).text
    assert f'href="/bookings/{booking}/certificate"' in pack
    del csrf
    await add_practitioner_sign_in("ross@example.org", "Ross")
    await sign_in_as(client, "ross@example.org")
    assert (await client.get(f"/bookings/{booking}/certificate")).status_code == 404
