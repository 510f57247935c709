"""The event and booking pages: finding events, local times across the clocks change, booking with its
banners and errors, cancelling with confirmation, approval, creating and changing events, attendance."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts import service as accounts
from registry.accounts.tables import User
from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings, service
from registry.events.schemas import EventIn, EventOut, EventPatch, SessionIn
from registry.learning.tables import LearningRecord
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, boxes

Client = AsyncTestClient  # type: ignore[type-arg]
LONDON = ZoneInfo("Europe/London")
TODAY = clock.today()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in London."""
    return datetime.combine(day, time(hour, minute), LONDON)


def ahead(days: int) -> date:
    return TODAY + timedelta(days=days)


async def make_event(
    title: str, day: date, start: tuple[int, int] = (10, 0), hours: float = 2, **changes: Any
) -> EventOut:
    starts = at(day, *start)
    data: dict[str, Any] = {
        "title": title, "description": "A shared session.", "host_organisation": "DCC", "format": "in_person",
        "venue": "Lochee Community Hub, Dundee", "capacity": 2, "competences": ["C4"], "status": "published",
        "sessions": [SessionIn(starts_at=starts, ends_at=starts + timedelta(hours=hours))], **changes,
    }  # fmt: skip
    return await service.create_event(COMMAND_LINE, EventIn.model_validate(data))


async def book_for(alliance: Alliance, event_id: int, email: str) -> int:
    return (await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids[email])).id


async def status_of(booking_id: int) -> str:
    return (await bookings.get_booking(COMMAND_LINE, booking_id)).status


async def sign_in_as(client: Client, email: str) -> str:
    """Sign in (after whoever was signed in before) and return the CSRF token."""
    client.cookies.clear()
    response = await sign_in(client, email)
    assert response.status_code in {302, 303}, response.text
    return str(client.cookies["csrftoken"])


async def add_practitioner_sign_in(email: str, name: str) -> None:
    """A sign-in for a practitioner of the test alliance, with the same password as the others."""
    await accounts.create_user(email, name, "practitioner")
    known = await User.select(User.password_hash).where(User.email == "eilidh@example.org").first()
    assert known is not None
    await User.update({User.password_hash: known["password_hash"]}).where(User.email == email)


def listed(page: str) -> list[str]:
    """Titles of the events in the listing's table, in order."""
    table = page.split('data-testid="events"', 1)
    if len(table) == 1:
        return []
    rows = table[1].split("</table>", 1)[0]
    return [html.unescape(t) for t in re.findall(r'<a class="govuk-link" href="/events/\d+">([^<]+)</a>', rows)]


async def test_the_listing_filters_events(client: Client, alliance: Alliance) -> None:
    budgeting = await make_event("Participatory budgeting", ahead(10), hours=5, capacity=1, topics=["participation"])
    await make_event("Evening ESOL clubs", ahead(20), (18, 0), host_organisation="FIFE", format="online",
                     venue=None, online_url="https://meet.example.org/esol", competences=["C3"])  # fmt: skip
    await make_event("Reflective circle", ahead(40), (13, 0), host_organisation="NHST", format="hybrid",
                     online_url="https://meet.example.org/circle", competences=["C7"])  # fmt: skip
    await make_event("Draft planning day", ahead(12), status="draft")
    await make_event("Last month's session", TODAY - timedelta(days=30))
    await book_for(alliance, budgeting.id, "ross@example.org")
    await sign_in_as(client, "eilidh@example.org")

    page = await client.get("/events")
    assert page.status_code == 200
    assert listed(page.text) == ["Participatory budgeting", "Evening ESOL clubs", "Reflective circle"]
    assert "Full – join the waiting list" in page.text  # budgeting's one place is taken
    assert f"{ahead(20):%A} {ahead(20).day} {ahead(20):%B %Y}, 6pm" in page.text
    assert '<option value="Dundee City">Dundee City</option>' in page.text
    assert '<option value="Fife">Fife</option>' in page.text
    assert "Create an event" not in page.text

    async def titles(query: str) -> list[str]:
        response = await client.get(f"/events?{query}")
        assert response.status_code == 200, response.text
        return listed(response.text)

    assert await titles("q=budgeting") == ["Participatory budgeting"]
    assert await titles("q=participation") == ["Participatory budgeting"]  # a topic
    assert await titles("competence=C3") == ["Evening ESOL clubs"]
    assert await titles("format=online") == ["Evening ESOL clubs"]
    assert await titles("host=NHST") == ["Reflective circle"]
    assert await titles("local_authority=Fife") == ["Evening ESOL clubs"]
    assert await titles("local_authority=Dundee+City") == ["Participatory budgeting", "Reflective circle"]
    assert await titles(f"date_from={ahead(15)}&date_to={ahead(30)}") == ["Evening ESOL clubs"]
    # Five hours in the daytime does not fit part-time; an evening or a 2-hour session does.
    assert await titles("fits_part_time=yes") == ["Evening ESOL clubs", "Reflective circle"]
    nothing = await client.get("/events?q=astronomy")
    assert 'data-testid="empty"' in nothing.text
    assert "Clear the filters" in nothing.text
    bad = await client.get("/events?date_from=next+week")
    assert bad.status_code == 400
    assert '<a href="#date_from">Enter the first date as a date like 2026-12-08</a>' in bad.text
    assert (await client.get("/events?mine=1")).status_code == 403


async def test_hosts_manage_their_events_including_drafts(client: Client, alliance: Alliance) -> None:
    await make_event("Participatory budgeting", ahead(10))
    await make_event("Draft planning day", ahead(12), status="draft")
    await make_event("Last month's session", TODAY - timedelta(days=30))
    await make_event("Fife session", ahead(11), host_organisation="FIFE")
    await sign_in_as(client, "admin.dcc@example.org")
    page = await client.get("/events")
    assert 'href="/events/new"' in page.text
    assert "Manage your events" in page.text
    assert listed(page.text) == ["Participatory budgeting", "Fife session"]
    mine = await client.get("/events?mine=1")
    assert mine.status_code == 200
    assert listed(mine.text) == ["Last month's session", "Participatory budgeting", "Draft planning day"]
    assert 'data-testid="event-status">' in mine.text
    assert "Draft" in mine.text


async def test_the_event_page_shows_local_times_across_the_clocks_change(client: Client, alliance: Alliance) -> None:
    # The clocks went back at 2am on Sunday 25 October 2026: 10am was 09:00 UTC on the Saturday, 10:00 UTC after.
    saturday, sunday = date(2026, 10, 24), date(2026, 10, 25)
    event = await make_event(
        "Autumn weekend school",
        saturday,
        sessions=[
            SessionIn(starts_at=datetime(2026, 10, 24, 9, 0, tzinfo=UTC), ends_at=at(saturday, 12, 0)),
            SessionIn(starts_at=datetime(2026, 10, 25, 10, 0, tzinfo=UTC), ends_at=at(sunday, 12, 30)),
        ],
    )
    await sign_in_as(client, "eilidh@example.org")
    page = await client.get(f"/events/{event.id}")
    assert page.status_code == 200
    assert "Saturday 24 October 2026, 10am to 12pm" in page.text
    assert "Sunday 25 October 2026, 10am to 12:30pm" in page.text
    assert "9am" not in page.text
    assert "11am" not in page.text
    assert "Times are UK time." in page.text
    assert "Booking has closed." in page.text  # it is over
    assert 'data-testid="book"' not in page.text
    assert "C4 Facilitate and promote community empowerment" in page.text


async def test_booking_confirms_then_waitlists_and_twice_is_an_error(client: Client, alliance: Alliance) -> None:
    event = await make_event("Participatory budgeting", ahead(10), capacity=1)
    csrf = await sign_in_as(client, "eilidh@example.org")
    page = await client.get(f"/events/{event.id}")
    assert 'data-testid="book"' in page.text
    assert "Book a place" in page.text
    booked = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf}, follow_redirects=False)
    assert booked.status_code in {302, 303}
    assert booked.headers["location"] == f"/events/{event.id}?booked=confirmed"
    confirmed = await client.get(booked.headers["location"])
    assert "Your place is confirmed" in confirmed.text
    assert ">Confirmed<" in confirmed.text.replace("\n", "").replace("  ", "")
    assert "Cancel my booking" in confirmed.text
    assert "Full – join the waiting list" in confirmed.text

    again = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf})
    assert again.status_code == 409
    assert "There is a problem" in again.text
    assert '<a href="#book">This person already has a booking for this event</a>' in again.text

    csrf = await sign_in_as(client, "graham@example.org")
    full = await client.get(f"/events/{event.id}")
    assert "Join the waiting list" in full.text
    waiting = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf}, follow_redirects=True)
    assert "You are on the waiting list" in waiting.text
    assert "On the waiting list" in waiting.text


async def test_closed_booking_is_an_error_summary_not_a_crash(client: Client, alliance: Alliance) -> None:
    event = await make_event(
        "Participatory budgeting", ahead(10), booking_closes_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    csrf = await sign_in_as(client, "eilidh@example.org")
    page = await client.get(f"/events/{event.id}")
    assert "Booking has closed." in page.text
    response = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf})
    assert response.status_code == 409
    assert '<a href="#book">Booking has closed</a>' in response.text


async def test_cancelling_asks_first_and_promotes_the_waiting_person(client: Client, alliance: Alliance) -> None:
    event = await make_event("Participatory budgeting", ahead(10), capacity=1)
    eilidhs = await book_for(alliance, event.id, "eilidh@example.org")
    grahams = await book_for(alliance, event.id, "graham@example.org")
    assert await status_of(grahams) == "waitlisted"
    csrf = await sign_in_as(client, "eilidh@example.org")
    mine = await client.get("/bookings")
    assert "Participatory budgeting" in mine.text
    assert f'href="/bookings/{eilidhs}/cancel?back=bookings"' in mine.text
    ask = await client.get(f"/bookings/{eilidhs}/cancel?back=bookings")
    assert ask.status_code == 200
    assert "Are you sure you want to cancel your booking?" in ask.text
    assert "The place goes to whoever has waited longest" in ask.text
    assert await status_of(eilidhs) == "confirmed"  # asking changes nothing
    done = await client.post(
        f"/bookings/{eilidhs}/cancel", data={"_csrf_token": csrf, "back": "bookings"}, follow_redirects=False
    )
    assert done.headers["location"] == "/bookings?done=cancelled"
    listing = await client.get(done.headers["location"])
    assert "The booking has been cancelled" in listing.text
    assert await status_of(eilidhs) == "cancelled"
    assert await status_of(grahams) == "confirmed"
    again = await client.get(f"/bookings/{eilidhs}/cancel")
    assert "It has already been cancelled." in again.text
    # The event page offers booking again.
    assert 'data-testid="book"' in (await client.get(f"/events/{event.id}")).text


async def test_the_manager_approves_and_books_for_the_team(client: Client, alliance: Alliance) -> None:
    event = await make_event("Safeguarding refresher", ahead(10), capacity=5, requires_approval=True)
    csrf = await sign_in_as(client, "eilidh@example.org")
    page = await client.get(f"/events/{event.id}")
    assert "Your line manager must approve your booking" in page.text
    booked = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf}, follow_redirects=True)
    assert "Your booking is waiting for your manager&#39;s approval" in booked.text
    assert "Waiting for approval" in booked.text
    booking_id = int(re.findall(r"/bookings/(\d+)/cancel", booked.text)[0])
    refused = await client.post(f"/bookings/{booking_id}/approve", data={"_csrf_token": csrf})
    assert refused.status_code == 403

    csrf = await sign_in_as(client, "graham@example.org")
    mine = await client.get("/bookings")
    assert "1 waiting for your approval" in mine.text
    team = await client.get("/bookings?team=1")
    assert "My team’s bookings" in team.text
    assert "Eilidh Morrison" in team.text
    assert f'action="/bookings/{booking_id}/approve"' in team.text
    approved = await client.post(f"/bookings/{booking_id}/approve", data={"_csrf_token": csrf}, follow_redirects=False)
    assert approved.headers["location"] == f"/bookings?team=1&done=approved-confirmed&booking={booking_id}"
    after = await client.get(approved.headers["location"])
    assert "Eilidh Morrison&#39;s booking on" in after.text
    assert "is approved: the place is confirmed" in after.text
    assert await status_of(booking_id) == "confirmed"
    twice = await client.post(f"/bookings/{booking_id}/approve", data={"_csrf_token": csrf})
    assert twice.status_code == 409
    assert "This booking is not waiting for approval" in twice.text

    # Graham books Ross (his team) from the event page; Eilidh is booked already and Amira is not his.
    event_page = await client.get(f"/events/{event.id}")
    assert "Book for someone in my team" in event_page.text
    ross = alliance.practitioner_ids["ross@example.org"]
    assert f'<option value="{ross}">Ross Walker</option>' in event_page.text
    assert f'<option value="{alliance.practitioner_ids["eilidh@example.org"]}">' not in event_page.text
    assert "Amira" not in event_page.text
    for_ross = await client.post(
        f"/events/{event.id}/book", data={"_csrf_token": csrf, "practitioner_id": str(ross)}, follow_redirects=True
    )
    assert "The booking is waiting for approval" in for_ross.text
    assert "Ross Walker" in for_ross.text
    amira = alliance.practitioner_ids["amira@example.org"]
    not_his = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf, "practitioner_id": str(amira)})
    assert not_his.status_code == 400
    assert 'href="#practitioner_id"' in not_his.text


def event_form(**changes: str | list[str]) -> dict[str, str | list[str]]:
    return {
        "title": "Trauma-informed youth work",
        "description": "Two sessions on trauma-informed practice.",
        "host_organisation": "DCC",
        "format": "hybrid",
        "venue": "Lochee Community Hub, Dundee",
        "online_url": "https://meet.example.org/trauma",
        "capacity": "12",
        # Sunday 28 March 2027 is the day the clocks go forward (at 1am UTC).
        **boxes("session_1_date", "2027-03-28"),
        "session_1_start": "09:30",
        "session_1_end": "12:00",
        **boxes("session_2_date", "2027-04-04"),
        "session_2_start": "18:00",
        "session_2_end": "20:00",
        "competences": ["C2", "C3"],
        "topics": "Youth work; Trauma",
        "audience": "Youth workers and volunteers",
        "requires_approval": "no",
        **boxes("booking_closes", "2027-03-20"),
        "status": "published",
        **changes,
    }


async def test_a_host_creates_an_event_through_the_form(client: Client, alliance: Alliance) -> None:
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    blank = await client.get("/events/new")
    assert blank.status_code == 200
    assert "Dundee City Council" in blank.text
    assert "Fife Council" not in blank.text  # a partner admin hosts only for their own organisation

    wrong = await client.post(
        "/events/new",
        data={**event_form(title="", capacity="0", **boxes("session_1_date", "2027-02-30"), session_2_start="25:00",
                           format="online", online_url=""), "_csrf_token": csrf},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert '<a href="#title">Enter a title</a>' in wrong.text
    assert '<a href="#capacity">Number of places must be 1 or more</a>' in wrong.text
    assert '<a href="#session_1_date-day">The date of session 1 must be a real date, for example 8 12 2026</a>' in wrong.text
    assert 'value="30"' in wrong.text  # the boxes keep what was typed
    assert 'href="#session_2_start"' in wrong.text
    assert "Two sessions on trauma-informed practice." in wrong.text  # what was typed is kept
    assert (
        wrong.text.index('href="#title"')
        < wrong.text.index('href="#capacity"')
        < wrong.text.index('href="#session_1_date-day"')
    )
    no_link = await client.post("/events/new", data={**event_form(online_url=""), "_csrf_token": csrf})
    assert '<a href="#online_url">An online or hybrid event needs a link</a>' in no_link.text
    skipped = await client.post("/events/new", data={**event_form(session_1_start="01:30"), "_csrf_token": csrf})
    assert "The start time of session 1 does not exist that day: the clocks go forward" in skipped.text
    for_fife = await client.post("/events/new", data={**event_form(host_organisation="FIFE"), "_csrf_token": csrf})
    assert '<a href="#host_organisation">You can only host events for your own organisation</a>' in for_fife.text
    assert await service.list_events(COMMAND_LINE, service.EventFilter(mine=True, include_past=True)) == ([], 0)

    created = await client.post("/events/new", data={**event_form(), "_csrf_token": csrf}, follow_redirects=False)
    assert created.status_code in {302, 303}, created.text
    event_id = int(created.headers["location"].split("/")[2].split("?")[0])
    page = await client.get(created.headers["location"])
    assert "The event has been created" in page.text
    assert "Sunday 28 March 2027, 9:30am to 12pm" in page.text
    assert "Sunday 4 April 2027, 6pm to 8pm" in page.text
    assert "C2 Build and maintain relationships with individuals and groups" in page.text
    assert "youth work, trauma" in page.text
    assert "At the end of Saturday 20 March 2027" in page.text
    event = await service.get_event(COMMAND_LINE, event_id)
    assert event.sessions[0].starts_at == datetime(2027, 3, 28, 8, 30, tzinfo=UTC)  # BST
    assert event.booking_closes_at == datetime(2027, 3, 21, 0, 0, tzinfo=UTC)  # still GMT
    assert (event.status, event.capacity, event.competences) == ("published", 12, ["C2", "C3"])

    form = await client.get(f"/events/{event_id}/edit")
    assert 'name="session_1_date-day" type="text" value="28"' in form.text
    assert 'name="session_1_date-year" type="text" value="2027"' in form.text
    assert 'value="09:30"' in form.text
    assert 'name="booking_closes-day" type="text" value="20"' in form.text
    # Changing the title alone sends no calendar update (the sequence stays); moving the venue does.
    renamed = await client.post(
        f"/events/{event_id}/edit",
        data={**event_form(title="Trauma-informed practice"), "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert renamed.status_code in {302, 303}, renamed.text
    event = await service.get_event(COMMAND_LINE, event_id)
    assert (event.title, event.sequence, event.booking_closes_at) == (
        "Trauma-informed practice",
        0,
        datetime(2027, 3, 21, 0, 0, tzinfo=UTC),
    )
    moved = await client.post(
        f"/events/{event_id}/edit",
        data={**event_form(title="Trauma-informed practice", venue="Coldside Library"), "_csrf_token": csrf},
        follow_redirects=True,
    )
    assert "The event has been saved" in moved.text
    assert "Coldside Library" in moved.text
    assert (await service.get_event(COMMAND_LINE, event_id)).sequence == 1


async def test_the_host_cancels_the_event_after_confirming(client: Client, alliance: Alliance) -> None:
    event = await make_event("Participatory budgeting", ahead(10))
    booking = await book_for(alliance, event.id, "eilidh@example.org")
    csrf = await sign_in_as(client, "lead@example.org")
    ask = await client.get(f"/events/{event.id}/cancel")
    assert "Are you sure you want to cancel “Participatory budgeting”?" in ask.text
    assert "1 person has a place" in ask.text
    done = await client.post(f"/events/{event.id}/cancel", data={"_csrf_token": csrf}, follow_redirects=True)
    assert "The event has been cancelled, and so has every booking on it" in done.text
    assert "This event has been cancelled." in done.text
    assert await status_of(booking) == "cancelled"
    assert "cannot be changed" in (await client.get(f"/events/{event.id}/edit")).text


async def test_attendance_marks_who_came_and_the_learning_record_appears(client: Client, alliance: Alliance) -> None:
    event = await make_event("Participatory budgeting", ahead(10), hours=2.5, competences=["C4", "C6"])
    eilidhs = await book_for(alliance, event.id, "eilidh@example.org")
    grahams = await book_for(alliance, event.id, "graham@example.org")
    last_week = at(TODAY - timedelta(days=7), 10)
    await service.update_event(  # held last week, as the host records after the event
        COMMAND_LINE,
        event.id,
        EventPatch(sessions=[SessionIn(starts_at=last_week, ends_at=last_week + timedelta(hours=2.5))]),
    )
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    page = await client.get(f"/events/{event.id}/attendance")
    assert page.status_code == 200
    assert "Eilidh Morrison" in page.text
    assert "Graham Baxter" in page.text
    assert "has not started yet" not in page.text
    saved = await client.post(
        f"/events/{event.id}/attendance",
        data={"_csrf_token": csrf, "booking": [str(eilidhs), str(grahams)], "attended": [str(eilidhs)]},
        follow_redirects=True,
    )
    assert "Attendance has been saved" in saved.text
    assert f'id="attended-{eilidhs}" name="attended" type="checkbox" value="{eilidhs}" checked' in saved.text
    assert (await status_of(eilidhs), await status_of(grahams)) == ("attended", "no_show")
    record = await LearningRecord.select().where(LearningRecord.source == "event").first()
    assert record is not None
    assert (record["title"], record["hours"]) == ("Participatory budgeting", 2.5)

    await sign_in_as(client, "eilidh@example.org")
    log = await client.get(f"/practitioners/{alliance.practitioner_ids['eilidh@example.org']}/learning")
    assert "Participatory budgeting" in log.text
    assert (await client.get(f"/events/{event.id}/attendance")).status_code == 403


async def test_drafts_are_not_found_by_practitioners(client: Client, alliance: Alliance) -> None:
    draft = await make_event("Draft planning day", ahead(12), status="draft")
    csrf = await sign_in_as(client, "eilidh@example.org")
    assert (await client.get(f"/events/{draft.id}")).status_code == 404
    assert (await client.post(f"/events/{draft.id}/book", data={"_csrf_token": csrf})).status_code == 404
    await sign_in_as(client, "admin.dcc@example.org")
    page = await client.get(f"/events/{draft.id}")
    assert page.status_code == 200
    assert "Draft" in page.text
    assert "Change this event" in page.text


async def test_a_second_practitioner_sign_in_can_book(client: Client, alliance: Alliance) -> None:
    await add_practitioner_sign_in("ross@example.org", "Ross Walker")
    event = await make_event("Participatory budgeting", ahead(10))
    csrf = await sign_in_as(client, "ross@example.org")
    booked = await client.post(f"/events/{event.id}/book", data={"_csrf_token": csrf}, follow_redirects=True)
    assert "Your place is confirmed" in booked.text
    mine = await client.get("/bookings")
    assert "Participatory budgeting" in mine.text
    assert "My team’s bookings" not in mine.text


async def test_the_event_form_says_every_problem_at_once_and_asks_before_recording_a_past_event(
    client: Client, alliance: Alliance
) -> None:
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    everything = await client.post(
        "/events/new",
        data={**event_form(title="", capacity="0", venue="", online_url=""), "_csrf_token": csrf},
    )
    assert everything.status_code == 400
    for field in ("title", "capacity", "venue", "online_url"):
        assert f'href="#{field}"' in everything.text, field  # the place with the rest, not on a second try
    assert "An in-person or hybrid event needs a venue" in everything.text

    past = {**event_form(**boxes("session_1_date", "2024-03-05"), **boxes("session_2_date", "2024-03-12"),
                         **boxes("booking_closes", "")),
            "_csrf_token": csrf}  # fmt: skip
    asked = await client.post("/events/new", data=past)
    assert asked.status_code == 400
    assert '<a href="#confirm_past">A session is in the past: tick the box if you are recording an event' in asked.text
    assert "Yes, I am recording an event already held" in asked.text
    assert await service.list_events(COMMAND_LINE, service.EventFilter(mine=True, include_past=True)) == ([], 0)
    recorded = await client.post("/events/new", data={**past, "confirm_past": "yes"}, follow_redirects=False)
    assert recorded.status_code in {302, 303}, recorded.text
